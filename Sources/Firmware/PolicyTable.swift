/// One row of the effective policy table: a range of function IDs that all go the same way.
public struct PolicyTableRow: Sendable, Equatable {
    public let range: FunctionIDRange
    public let action: PolicyAction
    /// Who answers: a built-in service, a forward handler, the firmware blob, or "-".
    public let handledBy: String
    /// Why: the reason the router gives, plus where the range came from.
    public let note: String
}

extension FirmwareRouter {
    /// The effective table for calls through `conduit`: every function ID from 0x00000000 to
    /// 0xffffffff, in ranges that are each routed one way. It is computed by asking the router's
    /// own resolution for each range, so it cannot disagree with what calls get.
    public func policyTable(for conduit: Conduit) -> [PolicyTableRow] {
        // Every place the answer can change: the edges of filter ranges and of service claims.
        var boundaries: Set<UInt64> = [0, 1 << 32]
        for entry in filter.entries {
            boundaries.insert(UInt64(entry.range.first))
            boundaries.insert(UInt64(entry.range.last) + 1)
        }
        for service in services + forwardHandlers {
            for claim in service.functions {
                boundaries.insert(UInt64(claim.range.first))
                boundaries.insert(UInt64(claim.range.last) + 1)
            }
        }
        for range in SMCCCFilter.reservedRanges {
            boundaries.insert(UInt64(range.first))
            boundaries.insert(UInt64(range.last) + 1)
        }
        let edges = boundaries.sorted()

        var rows: [PolicyTableRow] = []
        for (start, end) in zip(edges, edges.dropFirst()) {
            let first = UInt32(start)
            let last = UInt32(end - 1)
            let (action, handledBy, note) = describe(first, conduit: conduit)
            if let previous = rows.last, previous.action == action, previous.handledBy == handledBy,
                previous.note == note, UInt64(previous.range.last) + 1 == start
            {
                rows[rows.count - 1] = PolicyTableRow(
                    range: FunctionIDRange(first: previous.range.first, last: last),
                    action: action, handledBy: handledBy, note: note)
            } else {
                rows.append(PolicyTableRow(range: FunctionIDRange(first: first, last: last),
                                           action: action, handledBy: handledBy, note: note))
            }
        }
        return rows
    }

    private func describe(_ id: UInt32, conduit: Conduit) -> (PolicyAction, String, String) {
        let resolution = resolve(id, conduit: conduit)
        var note = resolution.reason.rawValue
        if resolution.reason == .filter, let entry = filter.entry(containing: id), let origin = entry.origin {
            note += ", \(origin)"
        }
        switch resolution.target {
        case .nobody:
            return (resolution.action, "-", note + " (NOT_SUPPORTED)")
        case .undefinedInstruction:
            return (resolution.action, "-", note + " (undefined-instruction exception)")
        case .firmwareBlob:
            return (resolution.action, "guest-side firmware blob", note)
        case .forwardHandler(let named):
            if let named { return (resolution.action, forwardHandlers[named].name, note) }
            let claimants = forwardHandlers.filter { handler in
                handler.functions.contains { $0.range.contains(id) }
            }
            let who = claimants.first?.name ?? "forward handlers (NOT_SUPPORTED if none claims the ID)"
            return (resolution.action, who, note)
        case .service(let slot):
            if let entry = filter.entry(containing: id), entry.isReserved {
                note += ", reserved Arm Architecture range"
            }
            return (resolution.action, services[slot.index].functions[slot.claim].label, note)
        }
    }
}

extension FirmwareRouter {
    /// Whether a call to `id` through `conduit` gets a real answer: a built-in service or a
    /// forward handler that claims it, rather than an undefined instruction or NOT_SUPPORTED.
    /// The device tree asks this before it promises a firmware interface to the guest.
    public func answers(_ id: UInt32, conduit: Conduit) -> Bool {
        let resolution = resolve(id, conduit: conduit)
        switch resolution.target {
        case .service: return true
        case .firmwareBlob: return true
        case .forwardHandler(let named):
            if named != nil { return true }
            return forwardHandlers.contains { handler in handler.functions.contains { $0.range.contains(id) } }
        case .nobody, .undefinedInstruction: return false
        }
    }
}
