import CUnicorn

/// An AArch64 CPU in Unicorn (QEMU's TCG CPU as a library): the independent implementation the
/// differential tests hold Conduit's interpreter against.
final class UnicornCPU {
    private var engine: OpaquePointer?
    private var hook: uc_hook = 0
    /// Range removals since the engine opened (`invalidateCode`).
    private var removals = 0
    /// The QEMU exception number of the last exception the instruction raised, if any
    /// (EXCP_UDEF 1, EXCP_SWI 2, EXCP_PREFETCH_ABORT 3, EXCP_DATA_ABORT 4, EXCP_BKPT 7,
    /// EXCP_HVC 11, EXCP_SMC 13). Unicorn reports the exception instead of taking it.
    var lastInterrupt: UInt32?

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(lse: Bool) throws {
        var uc: OpaquePointer?
        try check(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc), "uc_open")
        engine = uc
        // MAX has LSE; the Cortex-A57 model does not.
        try check(conduit_uc_set_cpu_model(uc, Int32(lse ? UC_CPU_ARM64_MAX.rawValue : UC_CPU_ARM64_A57.rawValue)), "cpu model")
        let context = Unmanaged.passUnretained(self).toOpaque()
        try check(conduit_uc_hook_interrupts(uc, &hook, { _, number, user in
            let cpu = Unmanaged<UnicornCPU>.fromOpaque(user!).takeUnretainedValue()
            cpu.lastInterrupt = number
            uc_emu_stop(cpu.engine)
        }, context), "hook")
    }

    deinit {
        if let engine { uc_close(engine) }
    }

    private func check(_ error: uc_err, _ what: String) throws {
        guard error == UC_ERR_OK else {
            throw Failure(description: "unicorn \(what): \(String(cString: uc_strerror(error)))")
        }
    }

    func map(_ address: UInt64, size: Int) throws {
        try check(uc_mem_map(engine, address, size, UInt32(UC_PROT_ALL.rawValue)), "mem_map")
    }

    func write(_ bytes: [UInt8], at address: UInt64) throws {
        try check(bytes.withUnsafeBytes { uc_mem_write(engine, address, $0.baseAddress, $0.count) }, "mem_write")
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, at address: UInt64) throws {
        try check(uc_mem_read(engine, address, buffer.baseAddress, buffer.count), "mem_read")
    }

    func read(count: Int, at address: UInt64) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        try check(bytes.withUnsafeMutableBytes { uc_mem_read(engine, address, $0.baseAddress, count) }, "mem_read")
        return bytes
    }

    /// Forgets translated code for a range whose bytes changed.
    ///
    /// Every `Self.removalsPerFlush` removals the whole cache goes too: Unicorn 2.0.1's range
    /// removal (`UC_CTL_TB_REMOVE_CACHE`) can leave a page's list of translation blocks corrupt
    /// after millions of removals at one address, and the next removal then follows a wild pointer
    /// in `page_collection_lock` (seed 20261203, `--only point`: SIGSEGV in the host at the
    /// 3,063,908th case; unicorn-engine/unicorn#1946 reports the same crash, cured by flushing).
    /// A flush costs about 27 ms, so flushing every case would make a run 600 times slower.
    func invalidateCode(_ address: UInt64, size: UInt64) throws {
        removals += 1
        if removals % Self.removalsPerFlush == 0 {
            try check(conduit_uc_flush_tb(engine), "flush translation blocks")
        } else {
            try check(conduit_uc_remove_cache(engine, address, address + size), "remove cache")
        }
    }

    /// Range removals between two flushes of the whole translation cache.
    static let removalsPerFlush = 16_384

    // MARK: Registers

    static let xRegisters: [uc_arm64_reg] = [
        UC_ARM64_REG_X0, UC_ARM64_REG_X1, UC_ARM64_REG_X2, UC_ARM64_REG_X3, UC_ARM64_REG_X4, UC_ARM64_REG_X5,
        UC_ARM64_REG_X6, UC_ARM64_REG_X7, UC_ARM64_REG_X8, UC_ARM64_REG_X9, UC_ARM64_REG_X10, UC_ARM64_REG_X11,
        UC_ARM64_REG_X12, UC_ARM64_REG_X13, UC_ARM64_REG_X14, UC_ARM64_REG_X15, UC_ARM64_REG_X16, UC_ARM64_REG_X17,
        UC_ARM64_REG_X18, UC_ARM64_REG_X19, UC_ARM64_REG_X20, UC_ARM64_REG_X21, UC_ARM64_REG_X22, UC_ARM64_REG_X23,
        UC_ARM64_REG_X24, UC_ARM64_REG_X25, UC_ARM64_REG_X26, UC_ARM64_REG_X27, UC_ARM64_REG_X28, UC_ARM64_REG_X29,
        UC_ARM64_REG_X30,
    ]

    func register(_ id: uc_arm64_reg) -> UInt64 {
        var value: UInt64 = 0
        uc_reg_read(engine, Int32(id.rawValue), &value)
        return value
    }

    func setRegister(_ id: uc_arm64_reg, _ value: UInt64) {
        var v = value
        uc_reg_write(engine, Int32(id.rawValue), &v)
    }

    func x(_ n: Int) -> UInt64 { register(Self.xRegisters[n]) }
    func setX(_ n: Int, _ value: UInt64) { setRegister(Self.xRegisters[n], value) }

    var pc: UInt64 {
        get { register(UC_ARM64_REG_PC) }
        set { setRegister(UC_ARM64_REG_PC, newValue) }
    }

    var sp: UInt64 {
        get { register(UC_ARM64_REG_SP) }
        set { setRegister(UC_ARM64_REG_SP, newValue) }
    }

    /// NZCV in bits 31:28.
    var nzcv: UInt64 {
        get { register(UC_ARM64_REG_NZCV) }
        set { setRegister(UC_ARM64_REG_NZCV, newValue) }
    }

    /// Qn as (low, high) halves.
    func vector(_ n: Int) -> (low: UInt64, high: UInt64) {
        var value: (UInt64, UInt64) = (0, 0)
        uc_reg_read(engine, Int32(UC_ARM64_REG_Q0.rawValue) + Int32(n), &value)
        return value
    }

    /// Sets all 128 bits of Qn (a D, S, H or B write would keep the rest).
    func setVector(_ n: Int, low: UInt64, high: UInt64) {
        var value = (low, high)
        uc_reg_write(engine, Int32(UC_ARM64_REG_Q0.rawValue) + Int32(n), &value)
    }

    var fpcr: UInt64 {
        get { register(UC_ARM64_REG_FPCR) }
        set { setRegister(UC_ARM64_REG_FPCR, newValue) }
    }

    var fpsr: UInt64 {
        get { register(UC_ARM64_REG_FPSR) }
        set { setRegister(UC_ARM64_REG_FPSR, newValue) }
    }

    /// A system register by its encoding fields (only registers QEMU backs with a field).
    func systemRegister(op0: UInt32, op1: UInt32, crn: UInt32, crm: UInt32, op2: UInt32) -> UInt64 {
        var reg = uc_arm64_cp_reg(crn: crn, crm: crm, op0: op0, op1: op1, op2: op2, val: 0)
        uc_reg_read(engine, Int32(UC_ARM64_REG_CP_REG.rawValue), &reg)
        return reg.val
    }

    func setSystemRegister(op0: UInt32, op1: UInt32, crn: UInt32, crm: UInt32, op2: UInt32, value: UInt64) {
        var reg = uc_arm64_cp_reg(crn: crn, crm: crm, op0: op0, op1: op1, op2: op2, val: value)
        uc_reg_write(engine, Int32(UC_ARM64_REG_CP_REG.rawValue), &reg)
    }

    // MARK: Running

    /// Runs `count` instructions from `address`. Returns the Unicorn error, if emulation stopped
    /// on one (an access to unmapped memory).
    func run(from address: UInt64, count: Int) -> uc_err {
        lastInterrupt = nil
        return uc_emu_start(engine, address, 0, 0, count)
    }
}
