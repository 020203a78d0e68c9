import AArch64

/// The registers gdb sees, in the order and sizes of the target description Conduit sends
/// (`qXfer:features:read:target.xml`): gdb's AArch64 core and FP/SIMD features, then the EL1
/// system registers a kernel debugger wants, in a feature of Conduit's own (gdb's
/// `info registers system` group).
enum AArch64RegisterMap {
    enum Register: Equatable {
        case x(Int), sp, pc, cpsr
        case v(Int), fpsr, fpcr
        /// A system register read and written as MRS and MSR at EL1 would.
        case system(String, UInt16)
        /// SP_EL0 and SP_EL1, whichever SP is selected.
        case spEL0, spEL1

        /// Bytes in a `g` packet.
        var size: Int {
            switch self {
            case .cpsr, .fpsr, .fpcr: return 4
            case .v: return 16
            default: return 8
            }
        }

        var name: String {
            switch self {
            case .x(let n): return "x\(n)"
            case .sp: return "sp"
            case .pc: return "pc"
            case .cpsr: return "cpsr"
            case .v(let n): return "v\(n)"
            case .fpsr: return "fpsr"
            case .fpcr: return "fpcr"
            case .system(let name, _): return name
            case .spEL0: return "SP_EL0"
            case .spEL1: return "SP_EL1"
            }
        }
    }

    typealias R = SystemRegisterEncoding
    static let systemRegisters: [Register] = [
        .system("SCTLR_EL1", R.SCTLR_EL1), .system("CPACR_EL1", R.CPACR_EL1),
        .system("TTBR0_EL1", R.TTBR0_EL1), .system("TTBR1_EL1", R.TTBR1_EL1), .system("TCR_EL1", R.TCR_EL1),
        .system("MAIR_EL1", R.MAIR_EL1), .system("VBAR_EL1", R.VBAR_EL1),
        .system("ESR_EL1", R.ESR_EL1), .system("FAR_EL1", R.FAR_EL1), .system("PAR_EL1", R.PAR_EL1),
        .system("ELR_EL1", R.ELR_EL1), .system("SPSR_EL1", R.SPSR_EL1), .spEL0, .spEL1,
        .system("CurrentEL", R.CurrentEL), .system("DAIF", R.DAIF),
        .system("TPIDR_EL0", R.TPIDR_EL0), .system("TPIDRRO_EL0", R.TPIDRRO_EL0), .system("TPIDR_EL1", R.TPIDR_EL1),
        .system("CONTEXTIDR_EL1", R.CONTEXTIDR_EL1), .system("MIDR_EL1", R.MIDR_EL1), .system("MPIDR_EL1", R.MPIDR_EL1),
        .system("MDSCR_EL1", R.MDSCR_EL1), .system("ISR_EL1", R.ISR_EL1),
        .system("CNTFRQ_EL0", R.CNTFRQ_EL0), .system("CNTVCT_EL0", R.CNTVCT_EL0), .system("CNTKCTL_EL1", R.CNTKCTL_EL1),
        .system("CNTV_CTL_EL0", R.CNTV_CTL_EL0), .system("CNTV_CVAL_EL0", R.CNTV_CVAL_EL0),
        .system("CNTP_CTL_EL0", R.CNTP_CTL_EL0), .system("CNTP_CVAL_EL0", R.CNTP_CVAL_EL0),
    ]

    /// Every register, by gdb register number.
    static let registers: [Register] = (0..<31).map { .x($0) } + [.sp, .pc, .cpsr]
        + (0..<32).map { .v($0) } + [.fpsr, .fpcr] + systemRegisters

    /// The register's value as the `g`/`p` packets carry it (little-endian hex).
    static func read(_ register: Register, of cpu: AArch64CPU) -> String {
        switch register {
        case .x(let n): return GDBHex.littleEndian(cpu.register(n), size: 8)
        case .sp: return GDBHex.littleEndian(cpu.sp, size: 8)
        case .pc: return GDBHex.littleEndian(cpu.pc, size: 8)
        case .cpsr: return GDBHex.littleEndian(cpu.pstate, size: 4)
        case .v(let n):
            let value = cpu.vector(n)
            return GDBHex.littleEndian(value.low, size: 8) + GDBHex.littleEndian(value.high, size: 8)
        case .fpsr: return GDBHex.littleEndian(cpu.fpsr, size: 4)
        case .fpcr: return GDBHex.littleEndian(cpu.fpcr, size: 4)
        case .system(_, let encoding): return GDBHex.littleEndian(cpu.systemRegister(encoding) ?? 0, size: 8)
        case .spEL0: return GDBHex.littleEndian(cpu.stackPointerEL0, size: 8)
        case .spEL1: return GDBHex.littleEndian(cpu.stackPointerEL1, size: 8)
        }
    }

    /// Writes `bytes` (the register's size, little-endian) to the register; false if it cannot
    /// be written (a read-only system register).
    static func write(_ register: Register, _ bytes: ArraySlice<UInt8>, to cpu: AArch64CPU) -> Bool {
        guard bytes.count == register.size else { return false }
        let value = GDBHex.value(littleEndian: bytes.prefix(8))
        switch register {
        case .x(let n): cpu.setRegister(n, value)
        case .sp: cpu.sp = value
        case .pc: cpu.setPC(value)
        case .cpsr: cpu.setPSTATE(value)
        case .v(let n): cpu.setVector(n, low: value, high: GDBHex.value(littleEndian: bytes.dropFirst(8)))
        case .fpsr: cpu.fpsr = value
        case .fpcr: cpu.fpcr = value
        case .system(_, let encoding): return cpu.setSystemRegister(encoding, value)
        case .spEL0: cpu.stackPointerEL0 = value
        case .spEL1: cpu.stackPointerEL1 = value
        }
        return true
    }

    /// The target description: gdb's `org.gnu.gdb.aarch64.core` and `.fpu` features (register
    /// names, sizes and the vector union gdb's AArch64 support expects), and the system
    /// registers.
    static let targetXML: String = {
        var xml = """
            <?xml version="1.0"?>
            <!DOCTYPE target SYSTEM "gdb-target.dtd">
            <target version="1.0">
            <architecture>aarch64</architecture>
            <feature name="org.gnu.gdb.aarch64.core">

            """
        for n in 0..<31 { xml += "<reg name=\"x\(n)\" bitsize=\"64\" type=\"int\" regnum=\"\(n)\"/>\n" }
        xml += """
            <reg name="sp" bitsize="64" type="data_ptr"/>
            <reg name="pc" bitsize="64" type="code_ptr"/>
            <flags id="cpsr_flags" size="4">
              <field name="SP" start="0" end="0"/><field name="EL" start="2" end="3"/>
              <field name="F" start="6" end="6"/><field name="I" start="7" end="7"/>
              <field name="A" start="8" end="8"/><field name="D" start="9" end="9"/>
              <field name="IL" start="20" end="20"/><field name="SS" start="21" end="21"/>
              <field name="V" start="28" end="28"/><field name="C" start="29" end="29"/>
              <field name="Z" start="30" end="30"/><field name="N" start="31" end="31"/>
            </flags>
            <reg name="cpsr" bitsize="32" type="cpsr_flags"/>
            </feature>
            <feature name="org.gnu.gdb.aarch64.fpu">
            <vector id="v2d" type="ieee_double" count="2"/><vector id="v2u" type="uint64" count="2"/>
            <vector id="v2i" type="int64" count="2"/><vector id="v4f" type="ieee_single" count="4"/>
            <vector id="v4u" type="uint32" count="4"/><vector id="v4i" type="int32" count="4"/>
            <vector id="v8f" type="ieee_half" count="8"/><vector id="v8u" type="uint16" count="8"/>
            <vector id="v8i" type="int16" count="8"/><vector id="v16u" type="uint8" count="16"/>
            <vector id="v16i" type="int8" count="16"/><vector id="v1u" type="uint128" count="1"/>
            <vector id="v1i" type="int128" count="1"/>
            <union id="vnd"><field name="f" type="v2d"/><field name="u" type="v2u"/><field name="s" type="v2i"/></union>
            <union id="vns"><field name="f" type="v4f"/><field name="u" type="v4u"/><field name="s" type="v4i"/></union>
            <union id="vnh"><field name="f" type="v8f"/><field name="u" type="v8u"/><field name="s" type="v8i"/></union>
            <union id="vnb"><field name="u" type="v16u"/><field name="s" type="v16i"/></union>
            <union id="vnq"><field name="u" type="v1u"/><field name="s" type="v1i"/></union>
            <union id="aarch64v"><field name="d" type="vnd"/><field name="s" type="vns"/><field name="h" type="vnh"/>
            <field name="b" type="vnb"/><field name="q" type="vnq"/></union>

            """
        for n in 0..<32 { xml += "<reg name=\"v\(n)\" bitsize=\"128\" type=\"aarch64v\"/>\n" }
        xml += """
            <reg name="fpsr" bitsize="32"/>
            <reg name="fpcr" bitsize="32"/>
            </feature>
            <feature name="org.conduit.aarch64.system">

            """
        for register in systemRegisters { xml += "<reg name=\"\(register.name)\" bitsize=\"64\" type=\"uint64\" group=\"system\"/>\n" }
        xml += "</feature>\n</target>\n"
        return xml
    }()
}
