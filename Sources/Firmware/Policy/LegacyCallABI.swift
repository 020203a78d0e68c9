/// A board's firmware-call convention outside SMCCC: which instruction, from which register
/// width, and which register carries the service number. Highbank's Linux, for one, borrowed the
/// OMAP4 monitor API: `SMC #0` from AArch32 with the service number in r12 and the argument in r0
/// (`../shared/reference/qemu-virt-and-psci.md` §1.6).
///
/// Conduit never recognises such a call by guessing: only a board profile that declares the ABI,
/// naming the register, gets its calls. Without the declaration the policy applies as to any
/// other call (the function ID is X0/R0's low 32 bits).
public struct LegacyCallABI: Sendable {
    /// What the convention is, for traces and `policy show`.
    public let name: String
    public let conduit: Conduit
    public let executionState: ExecutionState
    /// The register holding the service number (1-17; 12 for r12).
    public let functionRegister: Int
    /// The service numbers the board answers; any other value falls through to the policy.
    public let functions: Set<UInt32>
    /// Who answers: it reads the service number from ``functionRegister`` itself.
    public let handler: any FirmwareService

    public init(name: String, conduit: Conduit, executionState: ExecutionState, functionRegister: Int,
                functions: Set<UInt32>, handler: any FirmwareService) {
        self.name = name
        self.conduit = conduit
        self.executionState = executionState
        self.functionRegister = functionRegister
        self.functions = functions
        self.handler = handler
    }

    /// The service number `call` carries under this convention, if the call uses it.
    func serviceNumber(of call: FirmwareCall) -> UInt32? {
        guard call.conduit == conduit, call.caller.executionState == executionState else { return nil }
        let number = UInt32(truncatingIfNeeded: call.argument(functionRegister))
        return functions.contains(number) ? number : nil
    }
}
