/// System register and system instruction encodings (op0, op1, CRn, CRm, op2) as one 16-bit
/// value, named as the ARM ARM names them (DDI0487 D24 and C5.3).
public enum SystemRegisterEncoding {
    @inline(__always)
    static func e(_ op0: UInt32, _ op1: UInt32, _ crn: UInt32, _ crm: UInt32, _ op2: UInt32) -> UInt16 {
        A64Decoder.systemRegisterEncoding(op0: op0, op1: op1, crn: crn, crm: crm, op2: op2)
    }

    // Identification.
    public static let MIDR_EL1 = e(3, 0, 0, 0, 0)
    public static let MPIDR_EL1 = e(3, 0, 0, 0, 5)
    public static let REVIDR_EL1 = e(3, 0, 0, 0, 6)
    public static let CCSIDR_EL1 = e(3, 1, 0, 0, 0)
    public static let CLIDR_EL1 = e(3, 1, 0, 0, 1)
    public static let AIDR_EL1 = e(3, 1, 0, 0, 7)
    public static let CSSELR_EL1 = e(3, 2, 0, 0, 0)
    public static let CTR_EL0 = e(3, 3, 0, 0, 1)
    public static let DCZID_EL0 = e(3, 3, 0, 0, 7)
    public static let ID_AA64PFR0_EL1 = e(3, 0, 0, 4, 0)
    public static let ID_AA64DFR0_EL1 = e(3, 0, 0, 5, 0)
    public static let ID_AA64ISAR0_EL1 = e(3, 0, 0, 6, 0)
    public static let ID_AA64MMFR0_EL1 = e(3, 0, 0, 7, 0)
    public static let ID_AA64MMFR1_EL1 = e(3, 0, 0, 7, 1)

    // Memory system and exceptions.
    public static let SCTLR_EL1 = e(3, 0, 1, 0, 0)
    public static let ACTLR_EL1 = e(3, 0, 1, 0, 1)
    public static let CPACR_EL1 = e(3, 0, 1, 0, 2)
    public static let TTBR0_EL1 = e(3, 0, 2, 0, 0)
    public static let TTBR1_EL1 = e(3, 0, 2, 0, 1)
    public static let TCR_EL1 = e(3, 0, 2, 0, 2)
    public static let SPSR_EL1 = e(3, 0, 4, 0, 0)
    public static let ELR_EL1 = e(3, 0, 4, 0, 1)
    public static let SP_EL0 = e(3, 0, 4, 1, 0)
    public static let SPSel = e(3, 0, 4, 2, 0)
    public static let CurrentEL = e(3, 0, 4, 2, 2)
    public static let PAN = e(3, 0, 4, 2, 3)
    public static let UAO = e(3, 0, 4, 2, 4)
    public static let NZCV = e(3, 3, 4, 2, 0)
    public static let DAIF = e(3, 3, 4, 2, 1)
    public static let FPCR = e(3, 3, 4, 4, 0)
    public static let FPSR = e(3, 3, 4, 4, 1)
    public static let AFSR0_EL1 = e(3, 0, 5, 1, 0)
    public static let AFSR1_EL1 = e(3, 0, 5, 1, 1)
    public static let ESR_EL1 = e(3, 0, 5, 2, 0)
    public static let FAR_EL1 = e(3, 0, 6, 0, 0)
    public static let PAR_EL1 = e(3, 0, 7, 4, 0)
    public static let MAIR_EL1 = e(3, 0, 10, 2, 0)
    public static let AMAIR_EL1 = e(3, 0, 10, 3, 0)
    public static let VBAR_EL1 = e(3, 0, 12, 0, 0)
    public static let RVBAR_EL1 = e(3, 0, 12, 0, 1)
    public static let ISR_EL1 = e(3, 0, 12, 1, 0)
    public static let CONTEXTIDR_EL1 = e(3, 0, 13, 0, 1)
    public static let TPIDR_EL1 = e(3, 0, 13, 0, 4)
    public static let TPIDR_EL0 = e(3, 3, 13, 0, 2)
    public static let TPIDRRO_EL0 = e(3, 3, 13, 0, 3)

    // Generic timer.
    public static let CNTKCTL_EL1 = e(3, 0, 14, 1, 0)
    public static let CNTFRQ_EL0 = e(3, 3, 14, 0, 0)
    public static let CNTPCT_EL0 = e(3, 3, 14, 0, 1)
    public static let CNTVCT_EL0 = e(3, 3, 14, 0, 2)
    public static let CNTP_TVAL_EL0 = e(3, 3, 14, 2, 0)
    public static let CNTP_CTL_EL0 = e(3, 3, 14, 2, 1)
    public static let CNTP_CVAL_EL0 = e(3, 3, 14, 2, 2)
    public static let CNTV_TVAL_EL0 = e(3, 3, 14, 3, 0)
    public static let CNTV_CTL_EL0 = e(3, 3, 14, 3, 1)
    public static let CNTV_CVAL_EL0 = e(3, 3, 14, 3, 2)

    // Debug (op0 = 2).
    public static let OSDTRRX_EL1 = e(2, 0, 0, 0, 2)
    public static let MDCCINT_EL1 = e(2, 0, 0, 2, 0)
    public static let MDSCR_EL1 = e(2, 0, 0, 2, 2)
    public static let OSDTRTX_EL1 = e(2, 0, 0, 3, 2)
    public static let OSECCR_EL1 = e(2, 0, 0, 6, 2)
    public static let MDRAR_EL1 = e(2, 0, 1, 0, 0)
    public static let OSLAR_EL1 = e(2, 0, 1, 0, 4)
    public static let OSLSR_EL1 = e(2, 0, 1, 1, 4)
    public static let OSDLR_EL1 = e(2, 0, 1, 3, 4)
    public static let DBGPRCR_EL1 = e(2, 0, 1, 4, 4)
    public static let DBGCLAIMSET_EL1 = e(2, 0, 7, 8, 6)
    public static let DBGCLAIMCLR_EL1 = e(2, 0, 7, 9, 6)
    public static let DBGAUTHSTATUS_EL1 = e(2, 0, 7, 14, 6)
    public static let MDCCSR_EL0 = e(2, 3, 0, 1, 0)
    public static let DBGDTR_EL0 = e(2, 3, 0, 4, 0)
    public static let DBGDTRRX_EL0 = e(2, 3, 0, 5, 0)

    // System instructions (op0 = 1): cache maintenance, address translation, TLB maintenance.
    public static let IC_IALLUIS = e(1, 0, 7, 1, 0)
    public static let IC_IALLU = e(1, 0, 7, 5, 0)
    public static let IC_IVAU = e(1, 3, 7, 5, 1)
    public static let DC_IVAC = e(1, 0, 7, 6, 1)
    public static let DC_ISW = e(1, 0, 7, 6, 2)
    public static let DC_CSW = e(1, 0, 7, 10, 2)
    public static let DC_CISW = e(1, 0, 7, 14, 2)
    public static let DC_ZVA = e(1, 3, 7, 4, 1)
    public static let DC_CVAC = e(1, 3, 7, 10, 1)
    public static let DC_CVAU = e(1, 3, 7, 11, 1)
    public static let DC_CIVAC = e(1, 3, 7, 14, 1)
    public static let AT_S1E1R = e(1, 0, 7, 8, 0)
    public static let AT_S1E1W = e(1, 0, 7, 8, 1)
    public static let AT_S1E0R = e(1, 0, 7, 8, 2)
    public static let AT_S1E0W = e(1, 0, 7, 8, 3)
    public static let TLBI_VMALLE1IS = e(1, 0, 8, 3, 0)
    public static let TLBI_VAE1IS = e(1, 0, 8, 3, 1)
    public static let TLBI_ASIDE1IS = e(1, 0, 8, 3, 2)
    public static let TLBI_VAAE1IS = e(1, 0, 8, 3, 3)
    public static let TLBI_VALE1IS = e(1, 0, 8, 3, 5)
    public static let TLBI_VAALE1IS = e(1, 0, 8, 3, 7)
    public static let TLBI_VMALLE1 = e(1, 0, 8, 7, 0)
    public static let TLBI_VAE1 = e(1, 0, 8, 7, 1)
    public static let TLBI_ASIDE1 = e(1, 0, 8, 7, 2)
    public static let TLBI_VAAE1 = e(1, 0, 8, 7, 3)
    public static let TLBI_VALE1 = e(1, 0, 8, 7, 5)
    public static let TLBI_VAALE1 = e(1, 0, 8, 7, 7)

    /// The fields of an encoding.
    public static func fields(_ encoding: UInt16) -> (op0: Int, op1: Int, crn: Int, crm: Int, op2: Int) {
        let v = Int(encoding)
        return (v >> 14, (v >> 11) & 7, (v >> 7) & 15, (v >> 3) & 15, v & 7)
    }

    /// `S3_0_C1_C0_0`, the assembler's generic spelling.
    public static func genericName(_ encoding: UInt16) -> String {
        let f = fields(encoding)
        return "S\(f.op0)_\(f.op1)_C\(f.crn)_C\(f.crm)_\(f.op2)"
    }
}
