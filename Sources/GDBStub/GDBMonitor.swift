import Firmware
import Machine
import SMCCC

/// gdb's `monitor` commands (`qRcmd`): what the firmware-call layer offers a debugger.
struct GDBMonitor {
    let server: GDBServer
    let machine: VirtMachine

    static let help = """
        Conduit monitor commands:
          catch firmware                  list the firmware calls that stop the guest
          catch firmware ID|FIRST-LAST    stop at calls with these function IDs (W0), once
                                          decoded and before the answer, and again after it
          catch firmware delete ID|FIRST-LAST
          catch firmware off              stop at no firmware call
          policy                          the VM's effective firmware-call policy table
          trace firmware on|off           trace every firmware call on Conduit's standard error
          xp ADDRESS [LENGTH]             physical memory, LENGTH bytes (16 by default, at most 4096)
          help                            this text

        """

    /// Runs one command line; returns what gdb prints.
    func run(_ line: String) -> String {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        switch words.first {
        case nil, "help": return Self.help
        case "catch": return catchFirmware(Array(words.dropFirst()))
        case "policy": return server.policyText(machine) + "\n"
        case "trace": return trace(Array(words.dropFirst()))
        case "xp": return physicalMemory(Array(words.dropFirst()))
        default: return "unknown monitor command '\(words[0])' (monitor help lists them)\n"
        }
    }

    private func catchFirmware(_ words: [String]) -> String {
        guard words.first == "firmware" else { return "usage: monitor catch firmware [ID|FIRST-LAST|delete ...|off]\n" }
        var rest = Array(words.dropFirst())
        if rest.isEmpty {
            let ranges = machine.firmwareCallCatches.ranges
            if ranges.isEmpty { return "no firmware call is caught\n" }
            return ranges.map { "catching firmware calls " + Self.describe($0) + "\n" }.joined()
        }
        if rest == ["off"] {
            machine.firmwareCallCatches.removeAll()
            return "no firmware call is caught\n"
        }
        let deleting = rest.first == "delete"
        if deleting { rest.removeFirst() }
        guard rest.count == 1 else { return "expected one function ID or FIRST-LAST range, such as 0x84000000-0x8400001f\n" }
        guard let range = Self.parseRange(rest[0]) else {
            return "'\(rest[0])' is not a function ID or FIRST-LAST range of 32-bit IDs (FIRST <= LAST)\n"
        }
        if deleting {
            return machine.firmwareCallCatches.remove(range) ? "no longer catching \(Self.describe(range))\n"
                                                             : "\(Self.describe(range)) was not caught\n"
        }
        machine.firmwareCallCatches.insert(range)
        return "catching firmware calls \(Self.describe(range))\n"
    }

    /// `ID` or `FIRST-LAST`, each in hex with 0x or in decimal.
    static func parseRange(_ text: String) -> ClosedRange<UInt32>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        guard let first = parseID(parts[0]) else { return nil }
        let last = parts.count == 2 ? parseID(parts[1]) : first
        guard let last, first <= last else { return nil }
        return first...last
    }

    static func parseID(_ text: Substring) -> UInt32? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt32(text.dropFirst(2), radix: 16) }
        return UInt32(text)
    }

    static func describe(_ range: ClosedRange<UInt32>) -> String {
        if range.count == 1 {
            return "\(hex(UInt64(range.lowerBound))) (\(FirmwareTraceRecord.name(of: FunctionID(range.lowerBound))))"
        }
        return "\(hex(UInt64(range.lowerBound)))-\(hex(UInt64(range.upperBound)))"
    }

    private func trace(_ words: [String]) -> String {
        guard words.count == 2, words[0] == "firmware", words[1] == "on" || words[1] == "off" else {
            return "usage: monitor trace firmware on|off\n"
        }
        guard let sink = server.firmwareTraceSink else { return "this run has no trace output\n" }
        if server.commandLineTraces {
            return "--trace firmware traces every call already (on Conduit's standard error)\n"
        }
        let tracing = machine.traceSinks.contains { $0 === sink }
        if words[1] == "on" {
            if !tracing { machine.traceSinks.append(sink) }
            return "tracing firmware calls on Conduit's standard error\n"
        }
        machine.traceSinks.removeAll { $0 === sink }
        return "firmware-call trace off\n"
    }

    private func physicalMemory(_ words: [String]) -> String {
        guard (1...2).contains(words.count), let address = Self.parseAddress(words[0]) else {
            return "usage: monitor xp ADDRESS [LENGTH]\n"
        }
        var length: UInt64 = 16
        if words.count == 2 {
            guard let value = Self.parseAddress(words[1]), value >= 1, value <= 4096 else { return "LENGTH must be 1-4096\n" }
            length = value
        }
        guard address <= UInt64.max - length + 1, let bytes = machine.memory.read(count: Int(length), at: address) else {
            return "\(hex(address)): not RAM (devices are not read: a read can have side effects)\n"
        }
        var lines = ""
        for row in stride(from: 0, to: bytes.count, by: 16) {
            let part = bytes[row..<min(row + 16, bytes.count)]
            let address = String(address + UInt64(row), radix: 16)
            lines += String(repeating: "0", count: max(0, 16 - address.count)) + address + ": "
                + part.map(RSPEncoder.hex).joined(separator: " ") + "\n"
        }
        return lines
    }

    static func parseAddress(_ text: String) -> UInt64? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt64(text.dropFirst(2), radix: 16) }
        return UInt64(text)
    }
}
