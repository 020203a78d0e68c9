/// The fields of the self-hosted debug registers this CPU implements (DDI0487 D13.3: MDSCR_EL1,
/// OSLSR_EL1, OSDLR_EL1, DBGPRCR_EL1, DBGBCR<n>_EL1, DBGWCR<n>_EL1), named as the ARM ARM names
/// them.
enum DebugRegisterFields {
    /// MDSCR_EL1.
    enum MDSCR {
        /// Software step enable.
        static let SS: UInt64 = 1 << 0
        /// Local (kernel) debug enable: debug exceptions from EL1 when PSTATE.D is clear.
        static let KDE: UInt64 = 1 << 13
        /// Monitor debug events: breakpoints and watchpoints.
        static let MDE: UInt64 = 1 << 15
    }

    /// OSLSR_EL1.OSLK: the OS lock is locked (written through OSLAR_EL1.OSLK).
    static let OSLK: UInt64 = 1 << 1
    /// OSDLR_EL1.DLK: the OS double lock.
    static let DLK: UInt64 = 1 << 0
    /// DBGPRCR_EL1.CORENPDRQ: the core requests emulation of power-down; the double lock has
    /// effect only while it is clear.
    static let CORENPDRQ: UInt64 = 1 << 0

    /// DBGBCR<n>_EL1, a breakpoint's control.
    enum DBGBCR {
        static let E: UInt64 = 1 << 0
        /// Privilege mode control, bits 2:1: bit 1 matches at EL1, bit 2 at EL0.
        static let PMCShift: UInt64 = 1
        /// Byte address select, bits 8:5: for A64 instructions, all four bytes of the word.
        static let BASShift: UInt64 = 5
        static let BASMask: UInt64 = 0xF
        /// Security state control, bits 15:14.
        static let SSCShift: UInt64 = 14
        /// Linked breakpoint number, bits 19:16.
        static let LBNShift: UInt64 = 16
        /// Breakpoint type, bits 23:20.
        static let BTShift: UInt64 = 20
        /// The fields above and HMC (bit 13); every other bit is RES0.
        static let writable: UInt64 = 0x00FF_E1E7

        /// BT values for the breakpoint kinds an EL1-only AArch64 PE has (DDI0487 D2.9.2).
        static let unlinkedAddressMatch: UInt64 = 0b0000
        static let linkedAddressMatch: UInt64 = 0b0001
        static let unlinkedContextIDMatch: UInt64 = 0b0010
        static let linkedContextIDMatch: UInt64 = 0b0011
    }

    /// DBGWCR<n>_EL1, a watchpoint's control.
    enum DBGWCR {
        static let E: UInt64 = 1 << 0
        /// Privilege of access control, bits 2:1: bit 1 matches EL1 accesses, bit 2 EL0 ones.
        static let PACShift: UInt64 = 1
        /// Load/store control, bits 4:3: bit 3 matches loads, bit 4 stores.
        static let LSCShift: UInt64 = 3
        /// Byte address select, bits 12:5: which bytes of the doubleword at DBGWVR are watched.
        static let BASShift: UInt64 = 5
        static let SSCShift: UInt64 = 14
        static let LBNShift: UInt64 = 16
        /// Watchpoint type: linked to a context-matching breakpoint.
        static let WT: UInt64 = 1 << 20
        /// Address mask, bits 28:24: the number of low address bits ignored (0, or 3 to 31).
        static let MASKShift: UInt64 = 24
        /// The fields above and HMC (bit 13); every other bit is RES0.
        static let writable: UInt64 = 0x1F1F_FFFF
    }

    /// The address bits a breakpoint or watchpoint value register compares (VA[48:2]; a 48-bit
    /// VA space with bit 48 telling the TTBR1 half from the TTBR0 half).
    static let addressBits: UInt64 = 0x1_FFFF_FFFF_FFFC

    /// ESR_EL1.ISS.{I,D}FSC of every debug exception: "Debug exception" (0b100010).
    static let debugExceptionStatus: UInt32 = 0x22
}
