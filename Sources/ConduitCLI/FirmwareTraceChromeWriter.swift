import Firmware
import Foundation
import Machine

/// `--trace-file F --trace-format chrome`: the firmware calls as a timeline in the Trace Event
/// Format (the JSON object form: `{"traceEvents": [...]}`), which Perfetto's UI and
/// chrome://tracing open.
///
/// - One process, the VM; one thread (track) per vCPU, named and ordered by `M` metadata events.
/// - Each call is a complete (`X`) slice on its vCPU's track, named by its decoded function, with
///   the conduit, function ID, X1-X6, the results (none when the action made the call an
///   undefined instruction), the action, who answered and why in `args`.
/// - Every change of a vCPU's PSCI power state (on, off) is a thread-scoped instant (`i`) on its
///   track; SYSTEM_OFF and SYSTEM_RESET are global instants.
///
/// The timeline is host time since the run started, in microseconds with nanosecond digits: the
/// slices are what each call cost the host, and one host thread runs every vCPU, so they never
/// overlap and the file's timestamps only grow. Guest time is in each slice's `args`.
final class FirmwareTraceChromeWriter: FirmwareTraceSink {
    let output: OutputFile
    private let origin: UInt64
    private let powerStates: () -> [VCPUPowerState]
    private var lastStates: [VCPUPowerState]
    private var lastTimestamp: UInt64 = 0
    private var finished = false

    /// The process ID of the VM's track group; the Trace Event Format needs one.
    private static let pid = 1

    /// Opens `path` and writes the metadata: the VM's name and one named track per vCPU.
    /// `powerStates` reads every vCPU's power state; it is read after each call. `origin`, the
    /// host time the timeline starts at, is now unless a test fixes it.
    init(path: String, machineName: String, origin: UInt64 = DispatchTime.now().uptimeNanoseconds,
         powerStates: @escaping () -> [VCPUPowerState]) throws {
        output = try OutputFile.open(path, flag: "--trace-file")
        self.origin = origin
        self.powerStates = powerStates
        lastStates = powerStates()
        output.write(Array("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n".utf8))
        write(["name": "process_name", "ph": "M", "pid": Self.pid, "tid": 0, "args": ["name": machineName]], first: true)
        for vcpu in lastStates.indices {
            write(["name": "thread_name", "ph": "M", "pid": Self.pid, "tid": vcpu, "args": ["name": "vCPU \(vcpu)"]])
            write(["name": "thread_sort_index", "ph": "M", "pid": Self.pid, "tid": vcpu, "args": ["sort_index": vcpu]])
        }
        for (vcpu, state) in lastStates.enumerated() where state == .on {
            write(instant("power on", vcpu: vcpu, at: 0, args: ["state": "on", "by": "power-on reset"]))
        }
    }

    func record(_ record: FirmwareTraceRecord) {
        guard !finished else { return }
        let start = timestamp(record.hostStart)
        let end = timestamp(record.hostStart &+ record.hostNanoseconds)
        var args: [String: Any] = [
            "conduit": record.conduit.description.lowercased(),
            "function_id": hex(UInt64(record.functionID.rawValue)),
            "x0": hex(record.x0),
            "arguments": record.arguments.map(hex),
            "results": record.results.map(hex),
            "action": record.disposition.action.rawValue,
            "reason": record.disposition.reason.rawValue,
            "guest_time_ns": record.time,
        ]
        if let handler = record.disposition.handler { args["handler"] = handler }
        if let note = record.note { args["note"] = note }
        write(["name": record.name, "cat": "firmware", "ph": "X", "pid": Self.pid, "tid": record.vcpu,
               "ts": Microseconds(start), "dur": Microseconds(end - start), "args": args])

        // The power states the call left: CPU_ON turns its target on at once (the target runs
        // when it is next scheduled), CPU_OFF its caller off. SYSTEM_OFF ends the run with every
        // vCPU off; SYSTEM_RESET restarts the machine after the call with the boot vCPU on and
        // the others off (MachinePowerControl.resetAll), so those are the states it leaves.
        var systemEvent: SystemEvent?
        if case .systemEvent(let event) = record.disposition.outcome { systemEvent = event }
        var states = powerStates()
        if let systemEvent {
            states = states.indices.map { !systemEvent.isShutdown && $0 == 0 ? .on : .off }
        }
        for (vcpu, state) in states.enumerated() where vcpu >= lastStates.count || lastStates[vcpu] != state {
            let name = state == .on ? "power on" : "power off"
            write(instant(name, vcpu: vcpu, at: end,
                          args: ["state": state == .on ? "on" : "off", "by": "\(record.name) from vCPU \(record.vcpu)"]))
        }
        lastStates = states
        if let systemEvent {
            write(["name": record.name, "cat": "psci", "ph": "i", "s": "g", "pid": Self.pid, "tid": record.vcpu,
                   "ts": Microseconds(end), "args": ["event": systemEvent.isShutdown ? "shutdown" : "reset"]])
        }
    }

    /// Closes the JSON: without this the file is a truncated array, which chrome://tracing
    /// still opens but a strict parser refuses.
    func finish() {
        guard !finished else { return }
        finished = true
        output.write(Array("\n]}\n".utf8))
    }

    private func instant(_ name: String, vcpu: Int, at time: UInt64, args: [String: Any]) -> [String: Any] {
        ["name": name, "cat": "psci", "ph": "i", "s": "t", "pid": Self.pid, "tid": vcpu, "ts": Microseconds(time), "args": args]
    }

    /// Nanoseconds since the run started, never less than the last one written.
    private func timestamp(_ host: UInt64) -> UInt64 {
        let time = host >= origin ? host - origin : 0
        lastTimestamp = max(lastTimestamp, time)
        return lastTimestamp
    }

    private func write(_ event: [String: Any], first: Bool = false) {
        output.write(Array(((first ? "" : ",\n") + Self.json(event)).utf8))
    }

    /// A microsecond count written with its nanosecond digits (`12.345`): exact, where a Double
    /// through JSONSerialization would print `12.345000000000001`.
    struct Microseconds {
        let nanoseconds: UInt64
        init(_ nanoseconds: UInt64) { self.nanoseconds = nanoseconds }
        var text: String {
            let fraction = String(nanoseconds % 1000)
            return "\(nanoseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
        }
    }

    /// One event as a JSON object with sorted keys; `Microseconds` values as bare numbers.
    static func json(_ event: [String: Any]) -> String {
        let fields = event.sorted { $0.key < $1.key }.map { key, field -> String in
            let value: String
            if let time = field as? Microseconds {
                value = time.text
            } else if let data = try? JSONSerialization.data(withJSONObject: field, options: [.sortedKeys, .fragmentsAllowed]),
                let text = String(data: data, encoding: .utf8) {
                value = text
            } else {
                value = "null"
            }
            return "\"\(key)\":\(value)"
        }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
