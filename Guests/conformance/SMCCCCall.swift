// Firmware calls from the guest, through the conduit the device tree names.

/// The conduits the trampoline knows.
enum CallConduit: Int32 {
    case hvc = 0
    case smc = 1
    /// `SMC #1`: not an SMCCC call.
    case smcImmediateOne = 2
}

/// X0-X7 of one call, in and out.
struct SMCCCCall {
    var x: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    /// The conduit every call uses: from `/psci/method`.
    nonisolated(unsafe) static var conduit = CallConduit.hvc

    /// Makes a call and returns X0-X7 afterwards.
    static func make(_ function: UInt32, _ x1: UInt64 = 0, _ x2: UInt64 = 0, _ x3: UInt64 = 0,
                     via override: CallConduit? = nil) -> SMCCCCall {
        var call = SMCCCCall(x: (UInt64(function), x1, x2, x3, 0, 0, 0, 0))
        withUnsafeMutablePointer(to: &call.x) { tuple in
            tuple.withMemoryRebound(to: UInt64.self, capacity: 8) { smcccTrampoline($0, (override ?? conduit).rawValue) }
        }
        return call
    }

    /// The same call made from EL0.
    static func makeFromEL0(_ function: UInt32, via conduit: CallConduit) -> SMCCCCall {
        var call = SMCCCCall(x: (UInt64(function), 0, 0, 0, 0, 0, 0, 0))
        withUnsafeMutablePointer(to: &call.x) { tuple in
            tuple.withMemoryRebound(to: UInt64.self, capacity: 8) { runAtEL0($0, conduit.rawValue) }
        }
        return call
    }

    var x0: UInt64 { x.0 }
    var x1: UInt64 { x.1 }
    var x2: UInt64 { x.2 }
    var x3: UInt64 { x.3 }
    /// X0 as a signed status.
    var status: Int64 { Int64(bitPattern: x.0) }
}
