import SMCCC

/// One firmware call, as the CPU stopped on it: the record every handler receives.
///
/// It carries what KVM gives a VMM on `KVM_EXIT_HYPERCALL` and a little more: the conduit and
/// its immediate, the caller's state, the function ID (low 32 bits of X0), the arguments X1-X17
/// and the results X0-X17. Results start as SMCCC's "unknown function" answer: X0 = NOT_SUPPORTED
/// (sign-extended), X1-X3 = 0, so a handler that does nothing answers correctly.
public struct FirmwareCall: Sendable {
    /// The instruction that made the call.
    public let conduit: Conduit
    /// The 16-bit immediate of the `HVC`/`SMC`. SMCCC-compliant callers use 0 (DEN0028 §2.10).
    public let immediate: UInt16
    /// Who made the call.
    public let caller: CallerState
    /// True when the instruction was a 16-bit T32 encoding (ESR_ELx.IL == 0). A64 and A32
    /// instructions are 32 bits; KVM reports this as `KVM_HYPERCALL_EXIT_16BIT`.
    public let is16BitInstruction: Bool
    /// X0 exactly as the caller left it; bits 63:32 take no part in identifying the function.
    public let x0: UInt64
    /// The function identifier: the low 32 bits of X0 (DEN0028 §2.5).
    public let functionID: FunctionID
    /// X1-X17. For an SMC32/HVC32 function (bit 30 clear) only W1-W7 carry arguments, so every
    /// argument is zero-extended from its low 32 bits (DEN0028 §2.6), as KVM narrows PSCI's
    /// 32-bit calls.
    public let arguments: InlineArray<17, UInt64>
    /// The values to write back to X0-X17; see ``resultCount``.
    public var results: InlineArray<18, UInt64>
    /// How many result registers, from X0 up, the caller will see. Four by default, because
    /// SMCCC v1.0/v1.1 return in X0-X3 and KVM always writes all four. The router lowers it
    /// to what SMCCC allows for the call's convention and the VM's SMCCC version.
    public var resultCount: Int

    /// Builds the record for a call whose caller left `registers` in X0-X17 (missing ones read as 0).
    public init(
        conduit: Conduit,
        immediate: UInt16 = 0,
        caller: CallerState = CallerState(),
        is16BitInstruction: Bool = false,
        registers: some Collection<UInt64>
    ) {
        var x = InlineArray<18, UInt64>(repeating: 0)
        for (index, value) in zip(0..<18, registers) { x[index] = value }
        self.init(conduit: conduit, immediate: immediate, caller: caller, is16BitInstruction: is16BitInstruction, x: x)
    }

    /// Builds the record from the caller's X0-X17.
    @inlinable
    public init(
        conduit: Conduit,
        immediate: UInt16 = 0,
        caller: CallerState = CallerState(),
        is16BitInstruction: Bool = false,
        x: InlineArray<18, UInt64>
    ) {
        self.init(conduit: conduit, immediate: immediate, caller: caller, is16BitInstruction: is16BitInstruction) { x[$0] }
    }

    /// Builds the record from X0-X17 in the caller's register file (a machine's fast path: no
    /// intermediate copy of the registers).
    @inlinable
    public init(
        conduit: Conduit,
        immediate: UInt16 = 0,
        caller: CallerState = CallerState(),
        is16BitInstruction: Bool = false,
        registerFile: UnsafePointer<UInt64>
    ) {
        self.init(conduit: conduit, immediate: immediate, caller: caller, is16BitInstruction: is16BitInstruction) { registerFile[$0] }
    }

    @inlinable @inline(__always)
    init(conduit: Conduit, immediate: UInt16, caller: CallerState, is16BitInstruction: Bool, register: (Int) -> UInt64) {
        self.conduit = conduit
        self.immediate = immediate
        self.caller = caller
        self.is16BitInstruction = is16BitInstruction
        let x0 = register(0)
        self.x0 = x0
        let id = FunctionID(register: x0)
        self.functionID = id
        let narrow = id.convention == .smc32 || caller.executionState == .aarch32
        let mask: UInt64 = narrow ? 0xFFFF_FFFF : ~0
        self.arguments = InlineArray<17, UInt64> { register($0 + 1) & mask }
        self.results = InlineArray<18, UInt64> { $0 == 0 ? SMCCCReturn.notSupported.registerValue : 0 }
        self.resultCount = 4
    }

    /// Argument register Xn, n in 1...17; any other n reads as 0.
    @inlinable
    public func argument(_ n: Int) -> UInt64 {
        guard n >= 1, n <= 17 else { return 0 }
        return arguments[n - 1]
    }

    /// X1.
    @inlinable public var x1: UInt64 { arguments[0] }
    /// X2.
    @inlinable public var x2: UInt64 { arguments[1] }
    /// X3.
    @inlinable public var x3: UInt64 { arguments[2] }

    /// Writes X0-X3 and makes them the only result registers (KVM's `smccc_set_retval`).
    @inlinable
    public mutating func setResults(_ r0: UInt64, _ r1: UInt64 = 0, _ r2: UInt64 = 0, _ r3: UInt64 = 0) {
        results[0] = r0
        results[1] = r1
        results[2] = r2
        results[3] = r3
        resultCount = 4
    }

    /// Answers with an SMCCC status in X0 and zero in X1-X3.
    @inlinable
    public mutating func setResult(_ status: SMCCCReturn) { setResults(status.registerValue) }

    /// Answers with a PSCI status in X0 and zero in X1-X3.
    @inlinable
    public mutating func setResult(_ status: PSCIReturn) { setResults(status.registerValue) }

    /// Answers with a TRNG status in X0 and zero in X1-X3.
    @inlinable
    public mutating func setResult(_ status: TRNGReturn) { setResults(status.registerValue) }

    /// The result registers the caller will see, X0 first.
    public var visibleResults: [UInt64] { (0..<resultCount).map { results[$0] } }

    /// The flags KVM puts in `kvm_run.hypercall.flags` for this call: bit 0 when the conduit
    /// was SMC, bit 1 for a 16-bit instruction.
    public var kvmHypercallExitFlags: UInt64 {
        (conduit == .smc ? 1 : 0) | (is16BitInstruction ? 2 : 0)
    }

    /// The most result registers SMCCC lets a call of this convention return, for the VM's
    /// SMCCC version (DEN0028 §2.6, §2.7; v1.0 and v1.1 return in X0-X3 only).
    public func maximumResultCount(smcccVersion: SMCCCVersion) -> Int {
        Self.maximumResultCount(convention: functionID.convention, executionState: caller.executionState,
                                smcccVersion: smcccVersion)
    }

    /// The most result registers SMCCC allows for a call of `convention` from `executionState`.
    @inlinable
    public static func maximumResultCount(
        convention: CallingConvention, executionState: ExecutionState, smcccVersion: SMCCCVersion
    ) -> Int {
        if smcccVersion < .v1_2 { return 4 }
        return convention == .smc64 && executionState == .aarch64 ? 18 : 8
    }
}
