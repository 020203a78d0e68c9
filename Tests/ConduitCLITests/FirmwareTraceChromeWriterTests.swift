@testable import ConduitCLI
import Firmware
import Foundation
@testable import Machine
import SMCCC
import Testing

/// The `--trace-format chrome` timeline: the Trace Event Format's required fields, one named
/// track per vCPU, each call a complete slice with its decoded call, and the power-state changes
/// as instants, in the order the format needs (scripts/check-chrome-trace.py checks whole runs).
@Suite struct FirmwareTraceChromeWriterTests {
    final class PowerStates: @unchecked Sendable {
        var states: [VCPUPowerState] = [.on, .off]
    }

    func record(_ id: UInt32, vcpu: Int, at host: UInt64, outcome: CallOutcome = .resume, results: [UInt64] = [0]) -> FirmwareTraceRecord {
        FirmwareTraceRecord(time: 1_000 + host, vcpu: vcpu, conduit: .hvc, x0: UInt64(id), functionID: FunctionID(id),
                            arguments: [1, 0x4020_0000, 0, 0, 0, 0], results: results,
                            disposition: CallDisposition(action: .handle, reason: .builtInService, outcome: outcome, handler: "PSCI 1.3"),
                            hostStart: host, hostNanoseconds: 1_500)
    }

    @Test func timelineOfCPUOnAndReset() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("conduit-chrome-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let power = PowerStates()
        let start: UInt64 = 5_000_000
        let writer = try FirmwareTraceChromeWriter(path: path, machineName: "Conduit virt, 2 vCPUs", origin: start) { power.states }
        power.states = [.on, .on]
        writer.record(record(0xC400_0003, vcpu: 0, at: start + 10_000))  // CPU_ON
        writer.record(record(0x8400_0009, vcpu: 1, at: start + 20_000, outcome: .systemEvent(.systemReset)))
        writer.finish()

        let document = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        #expect(document["displayTimeUnit"] as? String == "ns")
        let events = try #require(document["traceEvents"] as? [[String: Any]])
        for event in events {
            #expect(event["name"] is String && event["ph"] is String && event["pid"] is Int && event["tid"] is Int)
        }
        let tracks = events.filter { $0["name"] as? String == "thread_name" }.map { ($0["args"] as? [String: Any])?["name"] as? String }
        #expect(tracks == ["vCPU 0", "vCPU 1"])

        let slices = events.filter { $0["ph"] as? String == "X" }
        #expect(slices.map { $0["name"] as? String } == ["CPU_ON", "SYSTEM_RESET"])
        #expect(slices.map { $0["tid"] as? Int } == [0, 1])
        #expect(slices.map { $0["dur"] as? Double } == [1.5, 1.5])
        let args = try #require(slices[0]["args"] as? [String: Any])
        #expect(args["function_id"] as? String == "0xc4000003")
        #expect(args["arguments"] as? [String] == ["0x1", "0x40200000", "0x0", "0x0", "0x0", "0x0"])
        #expect(args["action"] as? String == "handle" && args["handler"] as? String == "PSCI 1.3")

        // vCPU 0 on at power-on, vCPU 1 on after CPU_ON; SYSTEM_RESET leaves vCPU 1 off, and is a
        // global instant.
        let instants = events.filter { $0["ph"] as? String == "i" }.map {
            "\($0["name"] as? String ?? "") tid \($0["tid"] as? Int ?? -1) \($0["s"] as? String ?? "")"
        }
        #expect(instants == ["power on tid 0 t", "power on tid 1 t", "power off tid 1 t", "SYSTEM_RESET tid 1 g"])

        let times = events.filter { $0["ph"] as? String != "M" }.compactMap { $0["ts"] as? Double }
        #expect(times.count == events.filter { $0["ph"] as? String != "M" }.count)
        #expect(times == times.sorted())
        #expect(times[1] == 10.0 && times[2] == 11.5)  // CPU_ON at +10 µs, its instant at its end
    }

    @Test func microsecondsKeepTheirNanosecondDigits() {
        #expect(FirmwareTraceChromeWriter.Microseconds(0).text == "0.000")
        #expect(FirmwareTraceChromeWriter.Microseconds(12_345).text == "12.345")
        #expect(FirmwareTraceChromeWriter.Microseconds(7_005).text == "7.005")
        #expect(FirmwareTraceChromeWriter.Microseconds(UInt64.max).text == "18446744073709551.615")
    }
}
