// The cases, grouped as the README's conformance table lists them.

struct FeatureCase {
    let id: UInt32
    let name: StaticString
    /// Expected PSCI_FEATURES result for PSCI version `version` (major << 16 | minor).
    let expected: (UInt64) -> UInt64
}

func supported(_ version: UInt64) -> UInt64 { 0 }
func unsupported(_ version: UInt64) -> UInt64 { notSupported }

/// PSCI_FEATURES for every PSCI function (KVM's table, PSCI 1.3 §5.15), plus SMCCC_VERSION.
let featureCases: [FeatureCase] = [
    FeatureCase(id: 0x8400_0000, name: "psci-features PSCI_VERSION", expected: supported),
    FeatureCase(id: 0x8400_0001, name: "psci-features CPU_SUSPEND_32", expected: supported),
    FeatureCase(id: 0xC400_0001, name: "psci-features CPU_SUSPEND_64", expected: supported),
    FeatureCase(id: 0x8400_0002, name: "psci-features CPU_OFF", expected: supported),
    FeatureCase(id: 0x8400_0003, name: "psci-features CPU_ON_32", expected: supported),
    FeatureCase(id: 0xC400_0003, name: "psci-features CPU_ON_64", expected: supported),
    FeatureCase(id: 0x8400_0004, name: "psci-features AFFINITY_INFO_32", expected: supported),
    FeatureCase(id: 0xC400_0004, name: "psci-features AFFINITY_INFO_64", expected: supported),
    FeatureCase(id: 0x8400_0005, name: "psci-features MIGRATE_32", expected: unsupported),
    FeatureCase(id: 0xC400_0005, name: "psci-features MIGRATE_64", expected: unsupported),
    FeatureCase(id: 0x8400_0006, name: "psci-features MIGRATE_INFO_TYPE", expected: supported),
    FeatureCase(id: 0x8400_0007, name: "psci-features MIGRATE_INFO_UP_CPU_32", expected: unsupported),
    FeatureCase(id: 0xC400_0007, name: "psci-features MIGRATE_INFO_UP_CPU_64", expected: unsupported),
    FeatureCase(id: 0x8400_0008, name: "psci-features SYSTEM_OFF", expected: supported),
    FeatureCase(id: 0x8400_0009, name: "psci-features SYSTEM_RESET", expected: supported),
    FeatureCase(id: 0x8400_000A, name: "psci-features PSCI_FEATURES", expected: supported),
    FeatureCase(id: 0x8400_000B, name: "psci-features CPU_FREEZE", expected: unsupported),
    FeatureCase(id: 0x8400_000C, name: "psci-features CPU_DEFAULT_SUSPEND_32", expected: unsupported),
    FeatureCase(id: 0xC400_000C, name: "psci-features CPU_DEFAULT_SUSPEND_64", expected: unsupported),
    FeatureCase(id: 0x8400_000D, name: "psci-features NODE_HW_STATE_32", expected: unsupported),
    FeatureCase(id: 0xC400_000D, name: "psci-features NODE_HW_STATE_64", expected: unsupported),
    FeatureCase(id: 0x8400_000E, name: "psci-features SYSTEM_SUSPEND_32", expected: supported),
    FeatureCase(id: 0xC400_000E, name: "psci-features SYSTEM_SUSPEND_64", expected: supported),
    FeatureCase(id: 0x8400_000F, name: "psci-features PSCI_SET_SUSPEND_MODE", expected: unsupported),
    FeatureCase(id: 0x8400_0010, name: "psci-features PSCI_STAT_RESIDENCY_32", expected: unsupported),
    FeatureCase(id: 0xC400_0010, name: "psci-features PSCI_STAT_RESIDENCY_64", expected: unsupported),
    FeatureCase(id: 0x8400_0011, name: "psci-features PSCI_STAT_COUNT_32", expected: unsupported),
    FeatureCase(id: 0xC400_0011, name: "psci-features PSCI_STAT_COUNT_64", expected: unsupported),
    FeatureCase(id: 0x8400_0012, name: "psci-features SYSTEM_RESET2_32", expected: { $0 >= 0x1_0001 ? 0 : notSupported }),
    FeatureCase(id: 0xC400_0012, name: "psci-features SYSTEM_RESET2_64", expected: { $0 >= 0x1_0001 ? 0 : notSupported }),
    FeatureCase(id: 0x8400_0013, name: "psci-features MEM_PROTECT", expected: unsupported),
    FeatureCase(id: 0x8400_0014, name: "psci-features MEM_PROTECT_CHECK_RANGE_32", expected: unsupported),
    FeatureCase(id: 0xC400_0014, name: "psci-features MEM_PROTECT_CHECK_RANGE_64", expected: unsupported),
    FeatureCase(id: 0x8400_0015, name: "psci-features SYSTEM_OFF2_32", expected: { $0 >= 0x1_0003 ? 1 : notSupported }),
    FeatureCase(id: 0xC400_0015, name: "psci-features SYSTEM_OFF2_64", expected: { $0 >= 0x1_0003 ? 1 : notSupported }),
    FeatureCase(id: 0x8000_0000, name: "psci-features SMCCC_VERSION", expected: supported),
]

func psciCases() {
    psciVersion = SMCCCCall.make(PSCI_VERSION).x0
    // The device tree's compatible promises 1.0 or later ("arm,psci-1.0"), or 0.2.
    let promised: UInt64 = machine.psci1 ? 0x1_0000 : 0x2
    if psciVersion >= promised && psciVersion >> 16 <= 1 {
        tally.passed += 1
        Console.write("case psci-version: PASS ")
        Console.decimal(psciVersion >> 16)
        Console.write(".")
        Console.decimal(psciVersion & 0xFFFF)
        Console.write("\n")
    } else {
        fail("psci-version", got: psciVersion, expected: promised)
    }
    guard psciVersion >= 0x1_0000 else {
        skip("psci-features", "PSCI 0.2 has no PSCI_FEATURES")
        return
    }
    for feature in featureCases {
        check(feature.name, got: SMCCCCall.make(PSCI_FEATURES, UInt64(feature.id)).x0, expected: feature.expected(psciVersion))
    }
    check("psci-migrate-info-type", got: SMCCCCall.make(MIGRATE_INFO_TYPE).x0, expected: 2)
}

func cpuOnCases() {
    let me = selfIndex()
    guard machine.cpuCount > 1 else {
        skip("cpu-on", "one CPU")
        skip("cpu-on-race", "needs 3 CPUs")
        check("cpu-on-already-on", got: SMCCCCall.make(CPU_ON_64, machine.mpidr(me), entryPoint, 0).x0, expected: alreadyOn)
        check("cpu-on-invalid-mpidr", got: SMCCCCall.make(CPU_ON_64, 0xFE, entryPoint, 0).x0, expected: invalidParameters)
        return
    }
    // Start every secondary; each records what it saw and powers off.
    var allStarted = true
    var started = 0
    for index in 0..<machine.cpuCount where index != me {
        let status = SMCCCCall.make(CPU_ON_64, machine.mpidr(index), entryPoint, UInt64(index) | 0xC0DE_0000_0000).x0
        if status != 0 {
            allStarted = false
            failWith("cpu-on", "CPU_ON status", status)
        } else {
            started += 1
        }
    }
    while Shared.load(Shared.started) < UInt64(started) { cpuRelax() }
    for index in 0..<machine.cpuCount where index != me { waitUntilOff(index) }
    if allStarted { pass("cpu-on", "every secondary started") }

    var contextsRight = true, levelsRight = true, mmuOff = true
    for index in 0..<machine.cpuCount where index != me {
        if Shared.load(Shared.context + index) != UInt64(index) | 0xC0DE_0000_0000 { contextsRight = false }
        if Shared.load(Shared.exceptionLevel + index) != 1 << 2 { levelsRight = false }
        if Shared.load(Shared.systemControl + index) & 1 != 0 { mmuOff = false }
    }
    if contextsRight { pass("cpu-on-context-id", "X0 = context_id") } else { failWith("cpu-on-context-id", "context", 0) }
    if levelsRight { pass("cpu-on-el1", "entered at EL1") } else { failWith("cpu-on-el1", "CurrentEL", 0) }
    if mmuOff { pass("cpu-on-mmu-off", "SCTLR_EL1.M = 0") } else { failWith("cpu-on-mmu-off", "SCTLR_EL1", 0) }

    check("cpu-on-already-on", got: SMCCCCall.make(CPU_ON_64, machine.mpidr(me), entryPoint, 0).x0, expected: alreadyOn)
    check("cpu-on-invalid-mpidr", got: SMCCCCall.make(CPU_ON_64, 0xFE, entryPoint, 0).x0, expected: invalidParameters)
    let other = me == 0 ? 1 : 0
    check("cpu-on-bad-mpidr-bits", got: SMCCCCall.make(CPU_ON_64, machine.mpidr(other) | 1 << 24, entryPoint, 0).x0,
          expected: invalidParameters)

    // CPU_OFF, then CPU_ON again.
    let before = Shared.load(Shared.started)
    let again = SMCCCCall.make(CPU_ON_64, machine.mpidr(other), entryPoint, UInt64(other)).x0
    while Shared.load(Shared.started) == before && again == 0 { cpuRelax() }
    waitUntilOff(other)
    check("cpu-off-then-on", got: again, expected: 0)

    raceCase(me: me)
}

/// All but one secondary race to start the last one, many times: exactly one SUCCESS per round.
func raceCase(me: Int) {
    guard machine.cpuCount >= 3 else {
        skip("cpu-on-race", "needs 3 CPUs")
        return
    }
    let target = machine.cpuCount - 1
    let racers = machine.cpuCount - 2
    let rounds: UInt64 = 20
    Shared.store(Shared.raceGo, 0)
    var racerIndex = 0
    for index in 0..<machine.cpuCount where index != me && index != target {
        let context = UInt64(index) | SecondaryMode.racer.rawValue << 8 | UInt64(racerIndex) << 16
            | UInt64(target) << 24 | rounds << 32
        _ = SMCCCCall.make(CPU_ON_64, machine.mpidr(index), entryPoint, context)
        racerIndex += 1
    }
    // Every round runs even after a bad one, so that the racers finish and power off.
    var badRounds: UInt64 = 0
    var worstSuccesses: UInt64 = 1
    var round: UInt64 = 1
    while round <= rounds {
        waitUntilOff(target)
        Shared.store(Shared.raceDone, 0)
        Shared.store(Shared.targetReady, UInt64(racers))
        for racer in 0..<racers { Shared.store(Shared.raceStatus + racer, 0xFF) }
        Shared.store(Shared.raceGo, round)
        while Shared.load(Shared.raceDone) < UInt64(racers) { cpuRelax() }
        var successes: UInt64 = 0
        var others = true
        for racer in 0..<racers {
            let status = Shared.load(Shared.raceStatus + racer)
            if status == 0 { successes += 1 } else if status != alreadyOn { others = false }
        }
        if successes != 1 || !others {
            badRounds += 1
            if successes != 1 { worstSuccesses = successes }
        }
        round += 1
    }
    for index in 0..<machine.cpuCount where index != me { waitUntilOff(index) }
    if badRounds == 0 {
        pass("cpu-on-race", "20 rounds, exactly one SUCCESS and the rest ALREADY_ON each")
    } else {
        tally.failed += 1
        Console.write("case cpu-on-race: FAIL ")
        Console.decimal(badRounds)
        Console.write(" of 20 rounds wrong, one with ")
        Console.decimal(worstSuccesses)
        Console.write(" SUCCESSes\n")
    }
}

func affinityCases() {
    let me = selfIndex()
    let mine = machine.mpidr(me)
    check("affinity-info-level0-self", got: SMCCCCall.make(AFFINITY_INFO_64, mine, 0).x0, expected: 0)
    if machine.cpuCount > 1 {
        let other = me == 0 ? 1 : 0
        check("affinity-info-level0-off", got: SMCCCCall.make(AFFINITY_INFO_64, machine.mpidr(other), 0).x0, expected: 1)
    } else {
        skip("affinity-info-level0-off", "one CPU")
    }
    // Above level 0 the lower affinity fields are ignored: some CPU there is on (this one).
    check("affinity-info-level1", got: SMCCCCall.make(AFFINITY_INFO_64, mine | 0xFF, 1).x0, expected: 0)
    check("affinity-info-level2", got: SMCCCCall.make(AFFINITY_INFO_64, mine | 0xFFFF, 2).x0, expected: 0)
    check("affinity-info-level3", got: SMCCCCall.make(AFFINITY_INFO_64, mine | 0xFF_FFFF, 3).x0, expected: 0)
    check("affinity-info-level4", got: SMCCCCall.make(AFFINITY_INFO_64, mine, 4).x0, expected: invalidParameters)
    check("affinity-info-no-such-cpu", got: SMCCCCall.make(AFFINITY_INFO_64, 0xFE, 0).x0, expected: invalidParameters)
}

/// Routes the virtual timer's PPI 27 to this CPU's interface, so it can wake a standby.
func enableTimerInterrupt() {
    if machine.gicVersion == 3 {
        mmioWrite32(0x0800_0000, 0x13)                   // GICD_CTLR: ARE, Group 0 and 1
        let redistributor = 0x080A_0000 + UInt64(selfIndex()) * 0x2_0000
        mmioWrite32(redistributor + 0x14, 0)             // GICR_WAKER: awake
        while mmioRead32(redistributor + 0x14) & 4 != 0 {}
        mmioWrite32(redistributor + 0x1_0080, 1 << 27)   // IGROUPR0: Group 1
        mmioWrite32(redistributor + 0x1_0100, 1 << 27)   // ISENABLER0
        gicv3CPUInterfaceEnable()
    } else {
        mmioWrite32(0x0800_0000, 1)                      // GICD_CTLR: Group 0
        mmioWrite32(0x0800_0100, 1 << 27)                // ISENABLER0 (banked)
        mmioWrite32(0x0801_0004, 0xF0)                   // GICC_PMR
        mmioWrite32(0x0801_0000, 1)                      // GICC_CTLR
    }
}

func acknowledgeTimerInterrupt() {
    if machine.gicVersion == 3 {
        _ = gicv3Acknowledge()
    } else {
        let intid = mmioRead32(0x0801_000C)
        mmioWrite32(0x0801_0010, intid)
    }
}

func suspendCases() {
    // CPU_SUSPEND (standby, power_state 0) woken by the virtual timer; IRQs stay masked in
    // PSTATE, which does not stop an interrupt waking a standby (the WFI rule).
    if machine.gicVersion != 0 {
        enableTimerInterrupt()
        let ticks: UInt64 = 62_500  // 1 ms at 62.5 MHz
        let start = readCounter()
        writeVirtualTimer(ticks, 1)
        let status = SMCCCCall.make(CPU_SUSPEND_64, 0, entryPoint, 0).x0
        let woke = readCounter()
        writeVirtualTimer(0, 0)
        acknowledgeTimerInterrupt()
        if status == 0 && woke &- start >= ticks {
            pass("cpu-suspend-timer", "returned SUCCESS after the timer fired")
        } else if status != 0 {
            fail("cpu-suspend-timer", got: status, expected: 0)
        } else {
            failWith("cpu-suspend-timer", "woke before the deadline, ticks", woke &- start)
        }
    } else {
        skip("cpu-suspend-timer", "no interrupt controller in the device tree")
    }

    // SYSTEM_SUSPEND with another CPU on: DENIED.
    guard psciVersion >= 0x1_0000 else {
        skip("system-suspend-denied", "PSCI 0.2")
        return
    }
    guard machine.cpuCount > 1 else {
        skip("system-suspend-denied", "one CPU")
        return
    }
    let other = selfIndex() == 0 ? 1 : 0
    let before = Shared.load(Shared.started)
    Shared.store(Shared.release, 0)
    _ = SMCCCCall.make(CPU_ON_64, machine.mpidr(other), entryPoint, UInt64(other) | SecondaryMode.holdUntilReleased.rawValue << 8)
    while Shared.load(Shared.started) == before { cpuRelax() }
    let status = SMCCCCall.make(SYSTEM_SUSPEND_64, entryPoint, 0).x0
    Shared.store(Shared.release, 1)
    waitUntilOff(other)
    check("system-suspend-denied", got: status, expected: denied)
}

func smcccCases() {
    let version = SMCCCCall.make(0x8000_0000).x0
    if version == 0x1_0001 || version == 0x1_0002 {
        tally.passed += 1
        Console.write("case smccc-version: PASS 1.")
        Console.decimal(version & 0xFFFF)
        Console.write("\n")
    } else {
        fail("smccc-version", got: version, expected: 0x1_0001)
    }
    let features: UInt32 = 0x8000_0001
    check("smccc-arch-features SMCCC_VERSION", got: SMCCCCall.make(features, 0x8000_0000).x0, expected: 0)
    check("smccc-arch-features ARCH_FEATURES", got: SMCCCCall.make(features, 0x8000_0001).x0, expected: 0)
    check("smccc-arch-features WORKAROUND_1", got: SMCCCCall.make(features, 0x8000_8000).x0, expected: 1)
    check("smccc-arch-features WORKAROUND_2", got: SMCCCCall.make(features, 0x8000_7FFF).x0, expected: UInt64(bitPattern: -2))
    check("smccc-arch-features WORKAROUND_3", got: SMCCCCall.make(features, 0x8000_3FFF).x0, expected: 1)
    check("smccc-workaround-1", got: SMCCCCall.make(0x8000_8000).x0, expected: 0)
    check("smccc-workaround-3", got: SMCCCCall.make(0x8000_3FFF).x0, expected: 0)
    check("smccc-arch-features SOC_ID", got: SMCCCCall.make(features, 0x8000_0002).x0, expected: 0)
    let socVersion = SMCCCCall.make(0x8000_0002, 0).x0
    if Int64(bitPattern: socVersion) >= 0 { pass("smccc-soc-id-version", "non-negative JEP-106 word") } else {
        fail("smccc-soc-id-version", got: socVersion, expected: 0)
    }
    let socRevision = SMCCCCall.make(0x8000_0002, 1).x0
    if Int64(bitPattern: socRevision) >= 0 { pass("smccc-soc-id-revision", "non-negative") } else {
        fail("smccc-soc-id-revision", got: socRevision, expected: 0)
    }
    // SMCCC's INVALID_PARAMETER is -3 (DEN0028 §7.1), unlike PSCI's INVALID_PARAMETERS (-2).
    check("smccc-soc-id-bad-type", got: SMCCCCall.make(0x8000_0002, 7).x0, expected: UInt64(bitPattern: -3))
}

func serviceCases() {
    check("trng-version", got: SMCCCCall.make(0x8400_0050).x0, expected: 0x1_0000)
    check("trng-features RND64", got: SMCCCCall.make(0x8400_0051, 0xC400_0053).x0, expected: 0)
    let uuid = SMCCCCall.make(0x8400_0052)
    if Int64(bitPattern: uuid.x0) >= 0 && (uuid.x0 | uuid.x1 | uuid.x2 | uuid.x3) != 0 {
        pass("trng-get-uuid", "a UUID in X0-X3")
    } else {
        fail("trng-get-uuid", got: uuid.x0, expected: 0)
    }
    let random = SMCCCCall.make(0xC400_0053, 64)
    if random.x0 == 0 && random.x1 == 0 && random.x2 == 0 {
        pass("trng-rnd64", "64 bits in X3, X1 and X2 zero")
    } else {
        fail("trng-rnd64", got: random.x0, expected: 0)
    }
    check("trng-rnd64-too-many-bits", got: SMCCCCall.make(0xC400_0053, 193).x0, expected: invalidParameters)
    let uid = SMCCCCall.make(0x8600_FF01)
    if uid.x0 == 0xB66F_B428 && uid.x1 == 0xE911_C52E && uid.x2 == 0x564B_CAA9 && uid.x3 == 0x743A_004D {
        pass("vendor-call-uid", "KVM's UID 28b46fb6-2ec5-11e9-a9ca-4b564d003a74")
    } else {
        fail("vendor-call-uid", got: uid.x0, expected: 0xB66F_B428)
    }
    check("unknown-function", got: SMCCCCall.make(0xC700_1234).x0, expected: notSupported)
    check("unknown-yielding-call", got: SMCCCCall.make(0x0400_0000).x0, expected: notSupported)
}

func conduitCases() {
    // SMC with a non-zero immediate is not an SMCCC call: X0 = ~0, nothing else changes (KVM).
    let before = exceptionCount()
    let nonZero = SMCCCCall.make(PSCI_VERSION, 0x1111, 0x2222, 0x3333, via: .smcImmediateOne)
    if exceptionCount() != before {
        failWith("smc-nonzero-immediate", "took an exception, ESR", exceptionSyndrome())
    } else if nonZero.x0 == ~0 && nonZero.x1 == 0x1111 && nonZero.x2 == 0x2222 {
        pass("smc-nonzero-immediate", "X0 = ~0, X1-X3 unchanged")
    } else {
        fail("smc-nonzero-immediate", got: nonZero.x0, expected: ~0)
    }
    // HVC and SMC from EL0 are undefined instructions (DDI0487 C6.2.105, C6.2.295).
    for conduit in [CallConduit.hvc, CallConduit.smc] {
        let count = exceptionCount()
        _ = SMCCCCall.makeFromEL0(PSCI_VERSION, via: conduit)
        let name: StaticString = conduit == .hvc ? "el0-hvc-undefined" : "el0-smc-undefined"
        if exceptionCount() == count + 1 && exceptionSyndrome() >> 26 == 0 {
            pass(name, "EC 0 taken to EL1")
        } else {
            failWith(name, "no undefined-instruction exception; ESR", exceptionSyndrome())
        }
    }
}

func policyCases() {
    check("policy-deny", got: SMCCCCall.make(0x8300_0000).x0, expected: notSupported)
    if machine.hasBoardServices {
        // --machine highbank64: the SiP range is forwarded to the board's services.
        let query = SMCCCCall.make(0x8200_0004, via: .smc)
        if query.x0 == 0 && query.x1 == 0xC1DA && query.x2 == 2 {
            pass("policy-forward", "the board's SOC_QUERY in the VMM answered")
        } else {
            fail("policy-forward", got: query.x0, expected: 0)
        }
    } else {
        let forwarded = SMCCCCall.make(0x8200_0001)
        if forwarded.x0 == 0 && forwarded.x1 == 0x2026_1125 {
            pass("policy-forward", "the VMM's board handler answered")
        } else {
            fail("policy-forward", got: forwarded.x0, expected: 0)
        }
    }
    let count = exceptionCount()
    _ = SMCCCCall.make(0x8300_0100)
    if exceptionCount() == count + 1 && exceptionSyndrome() >> 26 == 0 {
        pass("policy-undefined", "undefined-instruction exception at the call")
    } else {
        failWith("policy-undefined", "no exception; X0 unchanged or NOT_SUPPORTED, ESR", exceptionSyndrome())
    }
}

/// --machine highbank64: the same SiP services in the VMM (SMC32 IDs, `forward`) and in the
/// guest-side firmware blob (SMC64 IDs, `firmware`), the firmware region's protection, and
/// what happens when the firmware misbehaves. Without the profile, the SiP call the blob would
/// answer follows the policy (NOT_SUPPORTED here).
func boardFirmwareCases() {
    guard machine.hasBoardServices && machine.hasFirmwareBlob else {
        check("sip-without-profile", got: SMCCCCall.make(0xC200_0004).x0, expected: notSupported)
        skip("sip-personality-vs-blob", "no /firmware in the device tree")
        return
    }
    // One sequence, both ways: L2 on, aux write while on (rejected), L2 off, aux write, a bad
    // debug value, a good one, the SoC query, a read-back, a bad L2 value.
    let sequence: [(UInt32, UInt64)] = [(1, 1), (2, 0x100), (5, 0), (1, 0), (2, 0x1000), (3, 9), (3, 5), (4, 0), (5, 0), (1, 7)]
    var mismatches = 0
    var firstMismatch: UInt64 = 0
    for (number, argument) in sequence {
        let vmm = SMCCCCall.make(0x8200_0000 | number, argument, via: .smc)
        let blob = SMCCCCall.make(0xC200_0000 | number, argument, via: .smc)
        if vmm.x0 != blob.x0 || vmm.x1 != blob.x1 || vmm.x2 != blob.x2 || vmm.x3 != blob.x3 {
            if mismatches == 0 { firstMismatch = UInt64(number) }
            mismatches += 1
        }
    }
    if mismatches == 0 {
        pass("sip-personality-vs-blob", "10 calls, identical X0-X3 from the VMM and the firmware blob")
    } else {
        failWith("sip-personality-vs-blob", "results differ, first for function", firstMismatch)
    }
    let state = SMCCCCall.make(0xC200_0005, via: .smc)
    if state.x0 == 0 && state.x1 == 0 && state.x2 == 0x1000 && state.x3 == 5 {
        pass("sip-blob-state", "the blob's state reads back: L2 off, aux 0x1000, debug 5")
    } else {
        failWith("sip-blob-state", "aux control", state.x2)
    }

    // The firmware region (0x0E000000) does not exist for the guest kernel: external aborts.
    for write in [false, true] {
        let count = exceptionCount()
        if write { mmioWrite32(0x0E00_0000, 0) } else { _ = mmioRead32(0x0E00_0000) }
        let syndrome = exceptionSyndrome()
        let name: StaticString = write ? "firmware-region-write-faults" : "firmware-region-read-faults"
        // EC 0x25 (data abort, same EL), DFSC 0x10 (synchronous external abort), WnR for writes.
        let wanted: UInt64 = 0x25 << 26 | (write ? 1 << 6 : 0) | 0x10
        if exceptionCount() == count + 1 && syndrome & (0x3F << 26 | 1 << 6 | 0x3F) == wanted {
            pass(name, "synchronous external abort")
        } else {
            failWith(name, "ESR", syndrome)
        }
    }

    check("firmware-hvc-to-psci", got: SMCCCCall.make(0xC200_0010, via: .smc).x0, expected: psciVersion)
    check("firmware-smc-refused", got: SMCCCCall.make(0xC200_0011, via: .smc).x0, expected: notSupported)
    let faulted = SMCCCCall.make(0xC200_0012, via: .smc).x0
    let afterFault = SMCCCCall.make(0xC200_0004, via: .smc)
    if faulted == notSupported && afterFault.x1 == 0xC1DA {
        pass("firmware-fault-contained", "NOT_SUPPORTED, and the next call works")
    } else {
        fail("firmware-fault-contained", got: faulted, expected: notSupported)
    }
    let looped = SMCCCCall.make(0xC200_0013, via: .smc).x0
    let afterLoop = SMCCCCall.make(0xC200_0004, via: .smc)
    if looped == notSupported && afterLoop.x1 == 0xC1DA {
        pass("firmware-loop-contained", "NOT_SUPPORTED after the budget, and the next call works")
    } else {
        fail("firmware-loop-contained", got: looped, expected: notSupported)
    }
}
