import Benchmark
import Firmware
import SMCCC

// The cost of routing one firmware call inside the VMM: building the call record from X0-X17,
// resolving the policy, running the handler and clamping the results. The CPU's own exit and
// re-entry are measured by the interpreter benchmarks.

let power = StandalonePowerControl(vcpus: 4)
let host = FirmwareHost(power: power, clock: HostClock(), memory: nil)

func router(_ configure: (inout FirmwarePolicy) throws -> Void = { _ in }) -> FirmwareRouter {
    var policy = FirmwarePolicy()
    try! configure(&policy)
    return try! FirmwareRouter(FirmwareSetup(policy: policy, host: host))
}

final class Echo: FirmwareService {
    let name = "echo"
    let functions = [ServiceFunctions(FunctionIDRange(first: 0x8200_0000, last: 0x8200_FFFF), label: "echo")]
    func handle(_ call: inout FirmwareCall) -> CallOutcome {
        call.setResults(0, call.x1)
        return .resume
    }
}

let plain = router()
let filtered = router { policy in
    try policy.addRange(FunctionIDRange(first: 0x8200_0000, last: 0x8200_FFFF), action: .forward)
    try policy.addRange(FunctionIDRange(first: 0x8300_0000, last: 0x8300_FFFF), action: .deny)
}
var forwardSetup = FirmwareSetup(policy: filtered.policy, host: host)
forwardSetup.addForwardHandler(Echo())
let forwarding = try! FirmwareRouter(forwardSetup)

/// Each benchmark iteration makes 1000 calls, so the time printed in microseconds is the
/// time of one call in nanoseconds; a single call is too short for the clock to time alone.
func batch(_ name: String, _ body: @escaping () -> Void) {
    benchmark(name, settings: TimeUnit(.us)) {
        for _ in 0..<1000 { body() }
    }
}

@inline(never)
func dispatch(_ router: FirmwareRouter, _ x0: UInt64, _ x1: UInt64 = 0) -> UInt64 {
    var registers = InlineArray<18, UInt64>(repeating: 0)
    registers[0] = x0
    registers[1] = x1
    var call = FirmwareCall(conduit: .hvc, x: registers)
    _ = router.dispatch(&call)
    return call.results[0]
}

batch("handle PSCI_VERSION (no filter)") {
    consume(dispatch(plain, 0x8400_0000))
}
batch("handle SMCCC_VERSION (no filter)") {
    consume(dispatch(plain, 0x8000_0000))
}
batch("handle PSCI_VERSION (filter configured)") {
    consume(dispatch(filtered, 0x8400_0000))
}
batch("deny (filter range)") {
    consume(dispatch(filtered, 0x8300_0001))
}
batch("deny (no service)") {
    consume(dispatch(plain, 0x8700_0001))
}
batch("forward to a VMM handler") {
    consume(dispatch(forwarding, 0x8200_0102))
}
batch("AFFINITY_INFO (4 vCPUs)") {
    consume(dispatch(plain, 0xC400_0004, 1))
}
batch("TRNG_RND64 192 bits (host CSPRNG)") {
    consume(dispatch(plain, 0xC400_0053, 192))
}

/// Keeps a result alive so the optimiser cannot drop the work.
@inline(never)
func consume(_ value: UInt64) {
    if value == 0x1234_5678_9ABC_DEF1 { print("") }
}

Benchmark.main()
