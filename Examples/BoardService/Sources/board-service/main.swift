// board-service: boots a guest on Conduit's virt machine with a board's SiP service of its own,
// and prints what the guest asked and what it got back. The article "Handling a board's
// firmware calls in your own VMM" shows this file in parts.
import Firmware
import Foundation
import Machine
import SMCCC

// MARK: The board's service

/// A board's SiP service in the VMM: function 0x82000001 reports the board's revision
/// (X0 = SUCCESS, X1 = the revision); every other function in the range is NOT_SUPPORTED.
final class BoardRevisionService: FirmwareService {
    static let revision: UInt64 = 0x2027_0101
    let name = "example-board"
    let functions = [ServiceFunctions(FunctionIDRange(first: 0x8200_0000, last: 0x8200_FFFF), label: "example board SiP service")]

    func handle(_ call: inout FirmwareCall) -> CallOutcome {
        if call.functionID.rawValue == 0x8200_0001 {
            call.setResults(SMCCCReturn.success.registerValue, Self.revision)
        } else {
            call.setResults(SMCCCReturn.notSupported.registerValue)
        }
        return .resume
    }
}

// MARK: Watching the calls

/// Keeps every firmware call the machine routes, for the report at the end.
final class CallLog: FirmwareTraceSink {
    private(set) var records: [FirmwareTraceRecord] = []
    func record(_ record: FirmwareTraceRecord) { records.append(record) }
}

/// The guest's console output.
final class Console {
    private(set) var bytes: [UInt8] = []
    func write(_ byte: UInt8) { bytes.append(byte) }
    var lines: [String] { String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init) }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("board-service: \(message)\n".utf8))
    exit(1)
}

// MARK: The machine

guard CommandLine.arguments.count == 2 else { fail("usage: board-service KERNEL (e.g. .build/guests/demo.elf)") }
let kernelPath = CommandLine.arguments[1]
guard let kernel = FileManager.default.contents(atPath: kernelPath) else { fail("\(kernelPath): cannot read the kernel") }

var configuration = MachineConfiguration()
configuration.cpuCount = 4
configuration.forwardHandlers = [BoardRevisionService()]
do {
    // The policy sends the SiP range to the service; everything else keeps its default.
    try configuration.policy.addRange(FunctionIDRange(first: 0x8200_0000, last: 0x8200_FFFF), action: .forward,
                                      handler: "example-board", origin: "board-service")
    try configuration.validate()
} catch {
    fail("policy: \(error)")
}

let console = Console()
let log = CallLog()
let machine: VirtMachine
do {
    machine = try VirtMachine(configuration, transmit: console.write)
    machine.traceSinks = [log]
    try machine.boot(kernel: [UInt8](kernel), named: kernelPath)
} catch {
    fail("\(error)")
}
let outcome = machine.run(timeout: 60)

// MARK: What the guest got

print("the guest ran to \(outcome) with \(machine.cpus.count) vCPUs and made \(log.records.count) firmware calls")
for record in log.records where record.disposition.action == .forward {
    let results = record.results.prefix(2).enumerated().map { "X\($0.offset) = 0x\(String($0.element, radix: 16))" }
    print("vCPU \(record.vcpu) called \(record.name): \(record.disposition.handler ?? "?") answered \(results.joined(separator: ", "))")
}
for line in console.lines where line.contains("board service") { print("the guest printed: \(line)") }
let answered = log.records.contains { $0.functionID.rawValue == 0x8200_0001 && $0.results.count > 1 && $0.results[1] == BoardRevisionService.revision }
guard outcome == .systemOff, answered else { fail("the guest did not get the board's revision and power off") }
