import Foundation
import Firmware
import SMCCC

/// Turns a ``ConfigNode`` tree into a ``FirmwarePolicy``. The schema is in README.md and
/// `examples/`; every key is optional and an absent key keeps the default.
struct PolicyDecoder {
    let file: String

    func decode(_ root: ConfigNode) throws(PolicyFileError) -> FirmwarePolicy {
        var policy = FirmwarePolicy()
        let top = try mapping(root, field: nil, keys: ["conduits", "smc", "psci", "smccc", "services", "trng", "ranges"])

        if let node = top["conduits"] {
            policy.conduits = try conduits(node)
        }
        if let node = top["smc"] {
            let preset = try choice(node, field: "smc", SMCPreset.allCases.map(\.rawValue))
            let smcPreset = SMCPreset(rawValue: preset)!
            if let conduitsNode = top["conduits"] {
                let enablesSMC = policy.conduits.contains(.smc)
                if enablesSMC != (smcPreset != .undefined) {
                    throw error(node, "smc", "'smc: \(preset)' contradicts 'conduits: \(policy.conduits)' on line \(conduitsNode.line ?? 0); "
                        + "give one of them, or make them agree")
                }
            }
            policy.apply(smcPreset)
        }
        if let node = top["psci"] { try decodePSCI(node, into: &policy) }
        if let node = top["smccc"] { try decodeSMCCC(node, into: &policy) }
        if let node = top["services"] { try decodeServices(node, into: &policy) }
        if let node = top["trng"] { try decodeTRNG(node, into: &policy) }
        if let node = top["ranges"] { try decodeRanges(node, into: &policy) }
        return policy
    }

    // MARK: - Sections

    private func conduits(_ node: ConfigNode) throws(PolicyFileError) -> ConduitSet {
        let names: [String]
        switch node.value {
        case .scalar(let text): names = [text]
        case .sequence(let items):
            var collected: [String] = []
            for item in items { collected.append(try scalar(item, field: "conduits")) }
            names = collected
        case .mapping: throw error(node, "conduits", "expected hvc, smc, both or a list of them, found \(node.kindName)")
        }
        var set: ConduitSet = []
        for name in names {
            switch name.lowercased() {
            case "hvc": set.insert(.hvc)
            case "smc": set.insert(.smc)
            case "both": set.formUnion(.both)
            default: throw error(node, "conduits", "unknown conduit '\(name)' (expected hvc, smc or both)")
            }
        }
        guard !set.isEmpty else { throw error(node, "conduits", "enable at least one conduit") }
        return set
    }

    private func decodePSCI(_ node: ConfigNode, into policy: inout FirmwarePolicy) throws(PolicyFileError) {
        let keys = try mapping(node, field: "psci", keys: ["version", "mode", "system-suspend"])
        if let version = keys["version"] {
            let text = try scalar(version, field: "psci.version")
            let selectable = FirmwareRegister.selectablePSCIVersions
            guard let parsed = parseVersion(text), let match = selectable.first(where: { $0.major == parsed.0 && $0.minor == parsed.1 }) else {
                throw error(version, "psci.version", "PSCI version '\(text)' is not offered (0.2, 1.0, 1.1, 1.2 or 1.3)")
            }
            do { try policy.setPSCIVersion(match) } catch { throw self.error(version, "psci.version", error.description) }
        }
        if let mode = keys["mode"] {
            policy.psciMode = PSCIMode(rawValue: try choice(mode, field: "psci.mode", PSCIMode.allCases.map(\.rawValue)))!
        }
        if let suspend = keys["system-suspend"] {
            policy.systemSuspend = try boolean(suspend, field: "psci.system-suspend")
        }
    }

    private func decodeSMCCC(_ node: ConfigNode, into policy: inout FirmwarePolicy) throws(PolicyFileError) {
        let keys = try mapping(node, field: "smccc", keys: ["version", "soc-id"])
        if let version = keys["version"] {
            let text = try scalar(version, field: "smccc.version")
            guard let parsed = parseVersion(text) else {
                throw error(version, "smccc.version", "'\(text)' is not a version (write 1.1 or 1.2)")
            }
            do {
                try policy.setSMCCCVersion(SMCCCVersion(major: parsed.0, minor: parsed.1))
            } catch {
                throw self.error(version, "smccc.version", error.description)
            }
        }
        if let soc = keys["soc-id"] {
            if case .scalar(let text) = soc.value, ["none", "off", "false"].contains(text.lowercased()) {
                policy.socIdentity = nil
                return
            }
            let fields = try mapping(soc, field: "smccc.soc-id", keys: ["jep106-bank", "jep106-id", "soc", "revision"])
            let defaults = SoCIdentity.conduitDefault
            let bank = try fields["jep106-bank"].map { node throws(PolicyFileError) in
                try integer(node, field: "smccc.soc-id.jep106-bank", max: 0x7F)
            } ?? UInt64(defaults.jep106Bank)
            let identification = try fields["jep106-id"].map { node throws(PolicyFileError) in
                try integer(node, field: "smccc.soc-id.jep106-id", max: 0xFF)
            } ?? UInt64(defaults.jep106Identification)
            let socID = try fields["soc"].map { node throws(PolicyFileError) in
                try integer(node, field: "smccc.soc-id.soc", max: 0xFFFF)
            } ?? UInt64(defaults.socID)
            let revision = try fields["revision"].map { node throws(PolicyFileError) in
                try integer(node, field: "smccc.soc-id.revision", max: 0x7FFF_FFFF)
            } ?? UInt64(defaults.revision)
            policy.socIdentity = SoCIdentity(
                jep106Bank: UInt8(bank), jep106Identification: UInt8(identification),
                socID: UInt16(socID), revision: UInt32(revision))
        }
    }

    /// `services:` switches the feature-bitmap bits, by name.
    private func decodeServices(_ node: ConfigNode, into policy: inout FirmwarePolicy) throws(PolicyFileError) {
        let bits: [(name: String, register: FirmwareRegister, bit: UInt64)] = [
            ("trng", .standardBitmap, FeatureBitmaps.TRNG_V1_0),
            ("pv-time", .standardHypervisorBitmap, FeatureBitmaps.PV_TIME),
            ("kvm-features", .vendorHypervisorBitmap, FeatureBitmaps.FUNC_FEAT),
            ("kvm-ptp", .vendorHypervisorBitmap, FeatureBitmaps.PTP),
            ("discover-impl-ver", .vendorHypervisorBitmap2, FeatureBitmaps.DISCOVER_IMPL_VER),
            ("discover-impl-cpus", .vendorHypervisorBitmap2, FeatureBitmaps.DISCOVER_IMPL_CPUS),
        ]
        let keys = try mapping(node, field: "services", keys: bits.map(\.name))
        for (name, register, bit) in bits {
            guard let value = keys[name] else { continue }
            let enabled = try boolean(value, field: "services.\(name)")
            let current = policy.value(of: register)
            do {
                try policy.setRegister(register.rawValue, to: enabled ? current | bit : current & ~bit)
            } catch {
                throw self.error(value, "services.\(name)", error.description)
            }
        }
    }

    private func decodeTRNG(_ node: ConfigNode, into policy: inout FirmwarePolicy) throws(PolicyFileError) {
        let keys = try mapping(node, field: "trng", keys: ["seed"])
        if let seed = keys["seed"] {
            if case .scalar(let text) = seed.value, text.lowercased() == "system" {
                policy.entropy = .system
            } else {
                policy.entropy = .seeded(try integer(seed, field: "trng.seed", max: UInt64.max))
            }
        }
    }

    private func decodeRanges(_ node: ConfigNode, into policy: inout FirmwarePolicy) throws(PolicyFileError) {
        guard case .sequence(let items) = node.value else {
            throw error(node, "ranges", "expected a list of ranges, found \(node.kindName)")
        }
        for (index, item) in items.enumerated() {
            let field = "ranges[\(index)]"
            let keys = try mapping(item, field: field, keys: ["range", "base", "count", "id", "action", "handler"])
            let range = try decodeRange(item, keys, field: field)
            guard let actionNode = keys["action"] else {
                throw error(item, field, "missing 'action' (handle, deny, forward, undefined or firmware)")
            }
            let action = PolicyAction(rawValue: try choice(actionNode, field: "\(field).action", PolicyAction.allCases.map(\.rawValue)))!
            var handler: String?
            if let handlerNode = keys["handler"] {
                guard action == .forward else {
                    throw error(handlerNode, "\(field).handler", "only a 'forward' range names a handler")
                }
                handler = try scalar(handlerNode, field: "\(field).handler")
            }
            let origin = "\(file):\(item.line ?? 0)"
            do {
                try policy.addRange(range, action: action, handler: handler, origin: origin)
            } catch {
                let message = error.description.replacingOccurrences(of: " (\(origin))", with: "")
                throw self.error(item, field, message)
            }
        }
    }

    /// A range is `range: 0xA-0xB` (inclusive), `base:` with `count:` (KVM's form), or `id:`.
    private func decodeRange(_ item: ConfigNode, _ keys: Keys, field: String) throws(PolicyFileError) -> FunctionIDRange {
        let forms = ["range", "base", "id"].filter { keys[$0] != nil }
        guard forms.count == 1 else {
            throw error(item, field, forms.isEmpty
                ? "give the IDs as 'range: FIRST-LAST', 'base:' with 'count:', or 'id:'"
                : "give only one of 'range', 'base' and 'id'")
        }
        if let id = keys["id"] {
            guard keys["count"] == nil else { throw error(id, "\(field).count", "'count' goes with 'base', not 'id'") }
            return FunctionIDRange(FunctionID(UInt32(try integer(id, field: "\(field).id", max: 0xFFFF_FFFF))))
        }
        if let base = keys["base"] {
            guard let count = keys["count"] else { throw error(base, field, "'base' needs 'count'") }
            let first = try integer(base, field: "\(field).base", max: 0xFFFF_FFFF)
            let number = try integer(count, field: "\(field).count", max: 0xFFFF_FFFF)
            do {
                return try FunctionIDRange(base: UInt32(first), count: UInt32(number))
            } catch {
                throw self.error(count, "\(field).count", error.description)
            }
        }
        let rangeNode = keys["range"]!
        guard keys["count"] == nil else { throw error(rangeNode, "\(field).count", "'count' goes with 'base', not 'range'") }
        let text = try scalar(rangeNode, field: "\(field).range")
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let first = parseInteger(parts[0]), let last = parseInteger(parts[1]),
            first <= 0xFFFF_FFFF, last <= 0xFFFF_FFFF
        else {
            throw error(rangeNode, "\(field).range", "'\(text)' is not FIRST-LAST with 32-bit IDs (e.g. 0x82000000-0x8200ffff)")
        }
        guard first <= last else {
            throw error(rangeNode, "\(field).range", "'\(text)' ends before it starts")
        }
        return FunctionIDRange(first: UInt32(first), last: UInt32(last))
    }

    // MARK: - Values

    /// A mapping's keys, checked against the ones the schema allows.
    struct Keys {
        let nodes: [String: ConfigNode]
        subscript(key: String) -> ConfigNode? { nodes[key] }
    }

    private func mapping(_ node: ConfigNode, field: String?, keys allowed: [String]) throws(PolicyFileError) -> Keys {
        guard case .mapping(let pairs) = node.value else {
            throw error(node, field, "expected a table of keys, found \(node.kindName)")
        }
        var nodes: [String: ConfigNode] = [:]
        for (key, child) in pairs {
            guard allowed.contains(key) else {
                let path = field.map { "\($0).\(key)" } ?? key
                var message = "unknown key '\(key)'"
                if let suggestion = closest(key, in: allowed) { message += " (did you mean '\(suggestion)'?)" }
                throw error(child, path, message + "; known here: \(allowed.joined(separator: ", "))")
            }
            nodes[key] = child
        }
        return Keys(nodes: nodes)
    }

    private func scalar(_ node: ConfigNode, field: String) throws(PolicyFileError) -> String {
        guard case .scalar(let text) = node.value else {
            throw error(node, field, "expected a value, found \(node.kindName)")
        }
        return text
    }

    private func choice(_ node: ConfigNode, field: String, _ options: [String]) throws(PolicyFileError) -> String {
        let text = try scalar(node, field: field)
        guard options.contains(text) else {
            var message = "unknown value '\(text)' (expected \(options.joined(separator: ", ")))"
            if let suggestion = closest(text, in: options) { message += "; did you mean '\(suggestion)'?" }
            throw error(node, field, message)
        }
        return text
    }

    private func boolean(_ node: ConfigNode, field: String) throws(PolicyFileError) -> Bool {
        switch try scalar(node, field: field).lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        case let other: throw error(node, field, "'\(other)' is not true or false")
        }
    }

    private func integer(_ node: ConfigNode, field: String, max: UInt64) throws(PolicyFileError) -> UInt64 {
        let text = try scalar(node, field: field)
        guard let value = parseInteger(text) else {
            throw error(node, field, "'\(text)' is not a number (decimal, or hex with 0x)")
        }
        guard value <= max else { throw error(node, field, "\(text) is larger than the maximum, 0x\(String(max, radix: 16))") }
        return value
    }

    private func error(_ node: ConfigNode, _ field: String?, _ message: String) -> PolicyFileError {
        PolicyFileError(file: file, line: node.line, field: field, message: message)
    }
}

/// Parses decimal or `0x` hexadecimal, with optional `_` separators.
func parseInteger(_ text: String) -> UInt64? {
    let cleaned = text.replacingOccurrences(of: "_", with: "").lowercased()
    if cleaned.hasPrefix("0x") { return UInt64(cleaned.dropFirst(2), radix: 16) }
    return UInt64(cleaned)
}

/// Parses `MAJOR.MINOR`, strictly (``VersionText``).
func parseVersion(_ text: String) -> (UInt16, UInt16)? {
    VersionText.parse(text).map { ($0.major, $0.minor) }
}

/// The option nearest to `word` by edit distance, if it is plausibly a typo.
func closest(_ word: String, in options: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var row = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var previous = row[0]
            row[0] = i + 1
            for (j, cb) in b.enumerated() {
                let current = row[j + 1]
                row[j + 1] = min(row[j + 1] + 1, row[j] + 1, previous + (ca == cb ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
    let scored = options.map { ($0, distance(Array(word.lowercased()), Array($0))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
    return best.0
}
