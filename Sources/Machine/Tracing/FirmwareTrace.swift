import Firmware
import Foundation
import SMCCC

/// One firmware call as the trace records it.
public struct FirmwareTraceRecord: Sendable {
    /// Guest time of the call, nanoseconds since power-on.
    public var time: UInt64
    public var vcpu: Int
    public var conduit: Conduit
    public var x0: UInt64
    public var functionID: FunctionID
    /// X1-X6 as the caller left them (enough for every built-in service).
    public var arguments: [UInt64]
    /// The registers written back, from X0.
    public var results: [UInt64]
    public var disposition: CallDisposition
    /// Host time when the call reached the machine (`DispatchTime` uptime, nanoseconds): where
    /// a timeline places it.
    public var hostStart: UInt64 = 0
    /// Host time spent routing and answering the call.
    public var hostNanoseconds: UInt64
    /// What went wrong, when something did (a firmware blob that faulted or ran too long).
    public var note: String? = nil

    /// The function's human name, or its hex ID.
    public var name: String { Self.name(of: functionID) }

    /// The call as `--trace firmware` prints it: guest time, vCPU, conduit, the decoded function,
    /// X1-X3, the results (X0-X3) and the action, who answered and why.
    public var traceLine: String {
        func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
        let time = String(format: "%12.6f", Double(time) / 1e9)
        let arguments = arguments.prefix(3).enumerated().map { "x\($0.offset + 1)=\(hex($0.element))" }.joined(separator: " ")
        let results = results.isEmpty ? "undefined instruction"
            : results.prefix(4).enumerated().map { "x\($0.offset)=\(hex($0.element))" }.joined(separator: " ")
        let who = disposition.handler.map { " (\($0))" } ?? ""
        let note = note.map { " (\($0))" } ?? ""
        return "[\(time)] cpu\(vcpu) \(conduit) \(name) [\(hex(UInt64(functionID.rawValue)))] \(arguments) -> \(results)  \(disposition.action)\(who): \(disposition.reason.rawValue)\(note)"
    }

    /// A function's human name, or its interface and hex ID.
    public static func name(of id: FunctionID) -> String {
        if let name = id.name { return "\(name)" }
        let interface = id.interface.map { "\($0.name) " } ?? ""
        return interface + hex32(id.rawValue)
    }
}

/// Per-function totals for the summary printed at exit.
public struct FirmwareCallSummary: Sendable {
    public var name: String
    public var functionID: UInt32
    public var count: Int
    public var totalHostNanoseconds: UInt64
    public var actions: Set<String>

    /// Mean host cost of one call.
    public var meanNanoseconds: Double { count == 0 ? 0 : Double(totalHostNanoseconds) / Double(count) }
}

/// Receives every firmware call the machine routes when tracing is on.
public protocol FirmwareTraceSink: AnyObject {
    func record(_ record: FirmwareTraceRecord)
}

/// Counts calls per function; the machine keeps one whenever tracing is on.
public final class FirmwareCallCounter: FirmwareTraceSink {
    public private(set) var summaries: [UInt32: FirmwareCallSummary] = [:]

    public init() {}

    public func record(_ record: FirmwareTraceRecord) {
        let id = record.functionID.rawValue
        var summary = summaries[id] ?? FirmwareCallSummary(name: record.name, functionID: id, count: 0,
                                                             totalHostNanoseconds: 0, actions: [])
        summary.count += 1
        summary.totalHostNanoseconds &+= record.hostNanoseconds
        summary.actions.insert(record.disposition.action.rawValue)
        summaries[id] = summary
    }

    /// The summary table, one line per function, most called first.
    public func table() -> String {
        let rows = summaries.values.sorted { ($0.count, $1.functionID) > ($1.count, $0.functionID) }
        var lines = ["firmware calls: \(rows.reduce(0) { $0 + $1.count }) in total"]
        lines.append(pad("function", 34) + pad("id", 12) + lpad("count", 8) + lpad("mean ns", 10) + "  action")
        for row in rows {
            lines.append(pad(row.name, 34) + pad(hex32(row.functionID), 12) + lpad(String(row.count), 8)
                         + lpad(String(Int(row.meanNanoseconds.rounded())), 10) + "  " + row.actions.sorted().joined(separator: ","))
        }
        return lines.joined(separator: "\n")
    }
}

func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}

func hex64(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}

func lpad(_ text: String, _ width: Int) -> String {
    text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
}
