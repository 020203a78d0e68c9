import Firmware
import SMCCC

/// The text of `conduit policy show`: the settings, then the effective table for each conduit.
struct PolicyReport {
    let policy: FirmwarePolicy
    /// The router of a machine built with a profile (`policy show --machine`), whose handlers,
    /// ranges and blob are real; nil to build one from the policy alone.
    var machineRouter: FirmwareRouter? = nil

    var text: String {
        get throws {
            let router: FirmwareRouter
            if let machineRouter {
                router = machineRouter
            } else {
                // Named forward handlers come from the machine profile when a VM starts; here
                // they are stand-ins that carry the name, so the table says who will answer.
                var setup = FirmwareSetup(policy: policy, host: .detached())
                let named = Set(policy.filter.entries.compactMap(\.handler))
                for name in named.sorted() { setup.addForwardHandler(NamedHandler(name: name)) }
                router = try FirmwareRouter(setup)
            }
            let policy = router.policy
            var lines: [String] = []
            lines.append("Policy: \(summary(of: policy))")
            lines.append("SMC means: \(smcMeaning)")
            if let soc = policy.socIdentity {
                lines.append("SoC ID: JEP-106 \(hex(soc.jep106Bank, digits: 2)):\(hex(soc.jep106Identification, digits: 2)), "
                    + "SoC \(hex(soc.socID, digits: 4)), revision \(hex(soc.revision, digits: 8))")
            }
            switch policy.entropy {
            case .system: lines.append("TRNG entropy: host cryptographic RNG")
            case .seeded(let seed): lines.append("TRNG entropy: deterministic, seed \(seed)")
            }
            for abi in router.legacyABIs {
                let numbers = abi.functions.sorted().map { hex(UInt64($0)) }.joined(separator: ", ")
                lines.append("Board ABI: \(abi.name): \(abi.conduit) from \(abi.executionState == .aarch32 ? "AArch32" : "AArch64"), "
                    + "service numbers \(numbers) -> \(abi.handler.name) (checked before the function ID)")
            }
            for conduit in Conduit.allCases {
                lines.append("")
                lines.append("\(conduit) calls:")
                lines.append(contentsOf: table(router.policyTable(for: conduit)))
            }
            return lines.joined(separator: "\n")
        }
    }

    private var smcMeaning: String {
        switch policy.smcPreset {
        case .undefined: return "undefined instruction (smc: undefined)"
        case .psci: return "the same firmware as HVC, through the same filter (smc: psci)"
        case .forwardAll: return "forwarded to the VMM, except the Arm Architecture Calls (smc: forward-all)"
        }
    }

    private func table(_ rows: [PolicyTableRow]) -> [String] {
        let header = ("RANGE", "ACTION", "HANDLED BY", "WHY")
        let cells = rows.map { (rangeText($0.range), $0.action.rawValue, $0.handledBy, $0.note) }
        let widths = (
            max(header.0.count, cells.map(\.0.count).max() ?? 0),
            max(header.1.count, cells.map(\.1.count).max() ?? 0),
            max(header.2.count, cells.map(\.2.count).max() ?? 0)
        )
        func line(_ c: (String, String, String, String)) -> String {
            "  " + pad(c.0, widths.0) + "  " + pad(c.1, widths.1) + "  " + pad(c.2, widths.2) + "  " + c.3
        }
        return [line(header)] + cells.map(line)
    }

    private func rangeText(_ range: FunctionIDRange) -> String {
        let first = hex(range.first, digits: 8)
        if range.first == range.last {
            let name = FunctionID(range.first).name.map { " \($0)" } ?? ""
            return first + name
        }
        return "\(first)-\(hex(range.last, digits: 8))"
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}

/// A forward handler known only by the name a policy gives it.
private final class NamedHandler: FirmwareService {
    let name: String
    let functions: [ServiceFunctions] = []
    init(name: String) { self.name = name }
    func handle(_ call: inout FirmwareCall) -> CallOutcome { .resume }
}
