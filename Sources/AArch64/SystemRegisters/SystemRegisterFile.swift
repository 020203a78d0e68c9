/// The EL1 and EL0 system registers a CPU keeps as plain storage, at their reset values.
struct SystemRegisterFile {
    /// SCTLR_EL1 at reset: MMU, caches and alignment checks off, SP alignment checks on,
    /// WFI/WFE not trapped, and the RES1 bits (29, 28, 23, 22, 20, 11) set.
    static let sctlrReset: UInt64 = 0x30D5_0838
    /// SCTLR_EL1 bits software may change in ARMv8.0 (without PAN, so SPAN is RES1, and
    /// without mixed-endian support, so EE and E0E are RES0): M, A, C, SA, SA0, CP15BEN, ITD,
    /// SED, UMA, I, DZE, UCT, nTWI, nTWE, WXN, UCI.
    static let sctlrWritable: UInt64 = 0x040D_D3BF
    /// SCTLR_EL1 bits that read as one.
    static let sctlrRES1: UInt64 = 1 << 29 | 1 << 28 | 1 << 23 | 1 << 22 | 1 << 20 | 1 << 11

    var sctlr: UInt64 = sctlrReset
    var actlr: UInt64 = 0
    var cpacr: UInt64 = 0
    var ttbr0: UInt64 = 0
    var ttbr1: UInt64 = 0
    var tcr: UInt64 = 0
    var mair: UInt64 = 0
    var amair: UInt64 = 0
    var vbar: UInt64 = 0
    var esr: UInt64 = 0
    var far: UInt64 = 0
    var elr: UInt64 = 0
    var spsr: UInt64 = 0
    var par: UInt64 = 0
    var afsr0: UInt64 = 0
    var afsr1: UInt64 = 0
    var contextidr: UInt64 = 0
    var tpidrEL1: UInt64 = 0
    var tpidrEL0: UInt64 = 0
    var tpidrroEL0: UInt64 = 0
    var csselr: UInt64 = 0
    var cntkctl: UInt64 = 0
    /// CNTFRQ_EL0: QEMU's virt board runs the counter at 62.5 MHz.
    var cntfrq: UInt64 = 62_500_000
    var cntvCtl: UInt64 = 0
    var cntvCval: UInt64 = 0
    var cntpCtl: UInt64 = 0
    var cntpCval: UInt64 = 0

    // Debug (the events they generate: Debug/SelfHostedDebug.swift).
    var mdscr: UInt64 = 0
    var mdccint: UInt64 = 0
    /// OSLSR_EL1: the OS lock is set at reset (OSLM = 0b10, OSLK = 1).
    var oslsr: UInt64 = 0b1010
    var osdlr: UInt64 = 0
    var dbgprcr: UInt64 = 0
    var oseccr: UInt64 = 0
    var osdtrrx: UInt64 = 0
    var osdtrtx: UInt64 = 0
    var claim: UInt64 = 0
    var breakpointValue = [UInt64](repeating: 0, count: 16)
    var breakpointControl = [UInt64](repeating: 0, count: 16)
    var watchpointValue = [UInt64](repeating: 0, count: 16)
    var watchpointControl = [UInt64](repeating: 0, count: 16)

    /// Breakpoints and watchpoints the ID registers report (those of a Cortex-A57).
    static let breakpoints = 6
    static let watchpoints = 4
    /// Breakpoints that can also match CONTEXTIDR_EL1 (the highest-numbered two on a Cortex-A57).
    static let contextAwareBreakpoints = 2

    /// CPACR_EL1.FPEN (bits 21:20), the only field of CPACR_EL1 without SVE or trace.
    static let cpacrFPEN: UInt64 = 0x30_0000

    var mmuEnabled: Bool { sctlr & 1 != 0 }
}

/// The ID registers of the CPU model: a Cortex-A57 identity, restricted to what the interpreter
/// implements (AArch64 only, no EL2/EL3).
enum IDRegisters {
    /// The value of the ID register at `encoding` (op0 = 3, op1 = 0, CRn = 0, CRm = 0-7), or nil if
    /// the encoding is outside the ID space. Every unallocated ID register reads as zero.
    static func value(_ encoding: UInt16, features: CPUFeatures, identity: CPUIdentity) -> UInt64? {
        let f = SystemRegisterEncoding.fields(encoding)
        guard f.op0 == 3, f.op1 == 0, f.crn == 0 else { return nil }
        switch (f.crm, f.op2) {
        case (0, 0): return identity.midr
        case (0, 5): return identity.mpidr
        case (0, 6): return identity.revidr
        case (0, _): return f.op2 == 4 || f.op2 == 7 ? identity.midr : 0  // aliases of MIDR_EL1; others RAZ
        case (1...3, _): return 0  // AArch32 ID registers: AArch32 is not implemented
        case (4, 0):
            // ID_AA64PFR0_EL1: EL0 and EL1 AArch64 only (1), no EL2/EL3, FP and AdvSIMD
            // implemented (0) or not (0xF), GIC system registers if the machine provides them.
            return 0x11 | (features.floatingPoint ? 0 : 0xFF << 16) | (identity.gicSystemRegisters ? 1 << 24 : 0)
        case (5, 0):
            // ID_AA64DFR0_EL1: ARMv8.0 debug (6), PMUv3 (PMUVer, bits 11:8 = 1), 6 breakpoints,
            // 4 watchpoints, 2 context-aware breakpoints, no trace.
            return UInt64(SystemRegisterFile.breakpoints - 1) << 12 | UInt64(SystemRegisterFile.watchpoints - 1) << 20
                | UInt64(SystemRegisterFile.contextAwareBreakpoints - 1) << 28 | 1 << 8 | 0x6
        case (6, 0):
            // ID_AA64ISAR0_EL1: AES with PMULL (bits 7:4 = 2), SHA1 (11:8), SHA256 (15:12 = 1),
            // CRC32 (bits 19:16), atomics (bits 23:20 = 2 with LSE).
            let crypto: UInt64 = features.floatingPoint && features.cryptography ? 2 << 4 | 1 << 8 | 1 << 12 : 0
            return crypto | (features.crc32 ? 1 << 16 : 0) | (features.lse ? 2 << 20 : 0)
        case (7, 0):
            // ID_AA64MMFR0_EL1: 40-bit PA (2), 16-bit ASIDs (2 << 4), mixed-endian not
            // supported, 16K granule supported (1 << 20), 64K and 4K supported (fields 0).
            return 0x2 | 2 << 4 | 1 << 20
        default:
            return 0  // ID_AA64PFR1, DFR1, AFR0/1, ISAR1/2, MMFR1/2/3/4, ZFR0...: nothing advertised
        }
    }

    /// CTR_EL0 of a Cortex-A57: 64-byte lines, PIPT instruction cache.
    static let ctr: UInt64 = 0x8444_C004
    /// DCZID_EL0: DC ZVA zeroes 64 bytes (BS = 4) and is permitted (DZP = 0).
    static let dczidBlockLog2Words: UInt64 = 4
    static let dczBlockSize: UInt64 = 4 << dczidBlockLog2Words
    /// CLIDR_EL1 of a Cortex-A57: separate L1 I and D, unified L2.
    static let clidr: UInt64 = 0x0A20_0023

    /// CCSIDR_EL1 for the cache CSSELR_EL1 selects (Cortex-A57 values), 0 for absent caches.
    static func ccsidr(csselr: UInt64) -> UInt64 {
        switch csselr & 0xF {
        case 0: return 0x701F_E00A  // L1 data, 32 KiB
        case 1: return 0x201F_E012  // L1 instruction, 48 KiB
        case 2: return 0x70FF_E07A  // L2 unified, 2 MiB
        default: return 0
        }
    }
}
