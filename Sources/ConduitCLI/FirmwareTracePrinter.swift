import Firmware
import Foundation
import Machine

/// `--trace firmware`: one line per call on standard error (the console keeps standard output).
final class FirmwareTracePrinter: FirmwareTraceSink {
    private let output: OutputFile
    init(output: OutputFile = .standardError) { self.output = output }

    func record(_ record: FirmwareTraceRecord) {
        output.write(Self.line(record) + "\n")
    }

    static func line(_ record: FirmwareTraceRecord) -> String {
        let seconds = Double(record.time) / 1e9
        let time = String(format: "%12.6f", seconds)
        let arguments = record.arguments.prefix(3).enumerated().map { "x\($0.offset + 1)=\(hex($0.element))" }.joined(separator: " ")
        let results = record.results.isEmpty ? "undefined instruction"
            : record.results.prefix(4).enumerated().map { "x\($0.offset)=\(hex($0.element))" }.joined(separator: " ")
        let who = record.disposition.handler.map { " (\($0))" } ?? ""
        let note = record.note.map { " (\($0))" } ?? ""
        return "[\(time)] cpu\(record.vcpu) \(record.conduit) \(record.name) [\(hex(UInt64(record.functionID.rawValue)))] \(arguments) -> \(results)  \(record.disposition.action)\(who): \(record.disposition.reason.rawValue)\(note)"
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
