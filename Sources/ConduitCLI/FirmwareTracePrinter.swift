import Firmware
import Foundation
import Machine

/// `--trace firmware`: one line per call on standard error (the console keeps standard output).
final class FirmwareTracePrinter: FirmwareTraceSink {
    private let output: OutputFile
    init(output: OutputFile = .standardError) { self.output = output }

    func record(_ record: FirmwareTraceRecord) {
        output.write(record.traceLine + "\n")
    }
}

/// `--trace-file F`: the same records as JSON lines.
final class FirmwareTraceJSONWriter: FirmwareTraceSink {
    let output: OutputFile

    init(path: String) throws {
        output = try OutputFile.open(path, flag: "--trace-file")
    }

    func record(_ record: FirmwareTraceRecord) {
        let object: [String: Any] = [
            "time_ns": record.time, "vcpu": record.vcpu, "conduit": record.conduit.description.lowercased(),
            "function_id": hex(UInt64(record.functionID.rawValue)), "name": record.name,
            "x0": hex(record.x0), "arguments": record.arguments.map(hex), "results": record.results.map(hex),
            "action": record.disposition.action.rawValue, "reason": record.disposition.reason.rawValue,
            "handler": record.disposition.handler ?? NSNull(), "host_ns": record.hostNanoseconds,
            "note": record.note ?? NSNull(),
        ]
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
            output.write([UInt8](data) + [0x0A])
        }
    }
}

func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
