// Conduit's firmware-call conformance suite: one result line per case, the value the
// specification (or KVM, where Conduit matches it) demands, and a summary. The same binary runs
// on Conduit and on qemu-system-aarch64 -M virt; scripts/conformance.sh compares the two.
//
// Expectations: PSCI (DEN0022F.b), SMCCC (DEN0028), TRNG (DEN0098) and KVM's answers
// (../shared/reference/firmware-calls-kvm.md). The policy cases assume the conformance policy
// (Guests/conformance/policy.yaml): SMC enabled, 0x82000000-0x8200ffff forwarded to the demo
// board, 0x83000000-0x830000ff denied, 0x83000100-0x830001ff undefined.

/// The words CPUs share (in .bss through the shared-area symbol).
enum Shared {
    static let started = 0, release = 1, raceGo = 2, raceDone = 3, targetReady = 4, targetRuns = 5
    static let context = 8, exceptionLevel = 24, systemControl = 40, raceStatus = 64
    static var words: UnsafeMutablePointer<UInt64> { UnsafeMutablePointer(bitPattern: UInt(sharedArea()))! }
    static func pointer(_ index: Int) -> UnsafeMutablePointer<UInt64> { words + index }
    static func load(_ index: Int) -> UInt64 { atomicLoad(words + index) }
    static func store(_ index: Int, _ value: UInt64) { atomicStore(words + index, value) }
}

@_extern(c, "shared_area") func sharedArea() -> UInt64

/// What a started secondary does (context ID bits 15:8).
enum SecondaryMode: UInt64 {
    case reportAndOff = 0
    case holdUntilReleased = 1
    case racer = 2
    case raceTarget = 3
}

struct Tally {
    var passed = 0
    var failed = 0
    var skipped = 0
}
nonisolated(unsafe) var tally = Tally()
nonisolated(unsafe) var machine = MachineDescription()
nonisolated(unsafe) var psciVersion: UInt64 = 0

func pass(_ name: StaticString, _ detail: StaticString = "") {
    tally.passed += 1
    Console.write("case ")
    Console.write(name)
    Console.write(": PASS")
    if detail.utf8CodeUnitCount > 0 { Console.write(" "); Console.write(detail) }
    Console.write("\n")
}

/// Prints a result line: PASS when `got == expected`, else FAIL with both.
func check(_ name: StaticString, got: UInt64, expected: UInt64) {
    if got == expected {
        tally.passed += 1
        Console.write("case ")
        Console.write(name)
        Console.write(": PASS ")
        Console.status(got)
        Console.write("\n")
    } else {
        fail(name, got: got, expected: expected)
    }
}

func fail(_ name: StaticString, got: UInt64, expected: UInt64) {
    tally.failed += 1
    Console.write("case ")
    Console.write(name)
    Console.write(": FAIL got ")
    Console.status(got)
    Console.write(" expected ")
    Console.status(expected)
    Console.write("\n")
}

func failWith(_ name: StaticString, _ why: StaticString, _ value: UInt64) {
    tally.failed += 1
    Console.write("case ")
    Console.write(name)
    Console.write(": FAIL ")
    Console.write(why)
    Console.write(" ")
    Console.hex(value)
    Console.write("\n")
}

func skip(_ name: StaticString, _ why: StaticString) {
    tally.skipped += 1
    Console.write("case ")
    Console.write(name)
    Console.write(": SKIP ")
    Console.write(why)
    Console.write("\n")
}

let notSupported = UInt64(bitPattern: -1)
let invalidParameters = UInt64(bitPattern: -2)
let denied = UInt64(bitPattern: -3)
let alreadyOn = UInt64(bitPattern: -4)

let PSCI_VERSION: UInt32 = 0x8400_0000
let CPU_SUSPEND_64: UInt32 = 0xC400_0001
let CPU_OFF: UInt32 = 0x8400_0002
let CPU_ON_64: UInt32 = 0xC400_0003
let AFFINITY_INFO_64: UInt32 = 0xC400_0004
let MIGRATE_INFO_TYPE: UInt32 = 0x8400_0006
let SYSTEM_OFF: UInt32 = 0x8400_0008
let PSCI_FEATURES: UInt32 = 0x8400_000A
let SYSTEM_SUSPEND_64: UInt32 = 0xC400_000E

var entryPoint: UInt64 { UInt64(UInt(bitPattern: unsafeBitCast(secondaryEntry as @convention(c) () -> Void, to: UnsafeRawPointer.self))) }

func selfIndex() -> Int {
    let mine = readMPIDR() & affinityMask
    for index in 0..<machine.cpuCount where machine.mpidr(index) == mine { return index }
    return 0
}

/// Waits until AFFINITY_INFO says vCPU `index` is OFF.
func waitUntilOff(_ index: Int) {
    while SMCCCCall.make(AFFINITY_INFO_64, machine.mpidr(index), 0).x0 != 1 { cpuRelax() }
}

@_cdecl("secondary_main")
func secondaryMain(_ context: UInt64) {
    let index = Int(context & 0xFF)
    Shared.store(Shared.context + index, context)
    Shared.store(Shared.exceptionLevel + index, readCurrentEL())
    Shared.store(Shared.systemControl + index, readSCTLR())
    enableMMU()
    switch SecondaryMode(rawValue: context >> 8 & 0xFF) ?? .reportAndOff {
    case .reportAndOff:
        _ = atomicAdd(Shared.pointer(Shared.started), 1)
    case .holdUntilReleased:
        _ = atomicAdd(Shared.pointer(Shared.started), 1)
        while Shared.load(Shared.release) == 0 { waitForEvent() }
    case .racer:
        race(racer: Int(context >> 16 & 0xFF), target: Int(context >> 24 & 0xFF), rounds: context >> 32)
    case .raceTarget:
        _ = atomicAdd(Shared.pointer(Shared.targetRuns), 1)
        // Stay on until every racer has made its call, so a late racer still sees ON.
        while Shared.load(Shared.raceDone) < Shared.load(Shared.targetReady) { cpuRelax() }
    }
    _ = SMCCCCall.make(CPU_OFF)
}

/// One racer: each round, wait for the go signal and call CPU_ON on the target.
func race(racer: Int, target: Int, rounds: UInt64) {
    var round: UInt64 = 1
    while round <= rounds {
        while Shared.load(Shared.raceGo) != round { cpuRelax() }
        let status = SMCCCCall.make(CPU_ON_64, machine.mpidr(target), entryPoint,
                                    UInt64(target) | SecondaryMode.raceTarget.rawValue << 8).x0
        Shared.store(Shared.raceStatus + racer, status)
        _ = atomicAdd(Shared.pointer(Shared.raceDone), 1)
        round += 1
    }
}

@_cdecl("conformance_main")
func conformanceMain() {
    enableMMU()
    Console.write("Conduit conformance suite\n")
    guard let description = MachineDescription.read(at: 0x4000_0000) else {
        Console.write("no device tree at 0x40000000\n")
        return
    }
    machine = description
    Console.write("device tree: ")
    Console.decimal(UInt64(machine.cpuCount))
    Console.write(" CPUs, GICv")
    Console.decimal(UInt64(machine.gicVersion))
    Console.write(machine.hasPSCI ? (machine.psciUsesSMC ? ", PSCI through SMC\n" : ", PSCI through HVC\n") : ", no PSCI\n")
    guard machine.hasPSCI else {
        Console.write("summary: 0 passed, 0 failed, 0 skipped (no PSCI to test)\n")
        return
    }
    SMCCCCall.conduit = machine.psciUsesSMC ? .smc : .hvc

    psciCases()
    cpuOnCases()
    affinityCases()
    suspendCases()
    smcccCases()
    serviceCases()
    conduitCases()
    policyCases()
    boardFirmwareCases()

    Console.write("summary: ")
    Console.decimal(UInt64(tally.passed))
    Console.write(" passed, ")
    Console.decimal(UInt64(tally.failed))
    Console.write(" failed, ")
    Console.decimal(UInt64(tally.skipped))
    Console.write(" skipped\n")
    _ = SMCCCCall.make(SYSTEM_OFF)
}
