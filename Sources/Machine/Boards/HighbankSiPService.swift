import Firmware
import SMCCC

/// The Highbank/OMAP4-style board services of `--machine highbank64`, as VMM code: an L2 cache
/// controller (PL310) enable bit, its auxiliary control register, a debug register and a SoC
/// query, with state the guest can read back.
///
/// SiP functions (owner 2; the function number decides, either convention):
///
/// | n | function | arguments | results |
/// |---|---|---|---|
/// | 1 | L2X0_CTRL | X1 = 0 or 1 | SUCCESS; INVALID_PARAMETER for any other value |
/// | 2 | L2X0_AUXCTRL | X1 = value | SUCCESS; INVALID_PARAMETER if reserved bits 31 or 9:1 are set, or the L2 is enabled (the PL310 ignores the write then) |
/// | 3 | DEBUG_CTRL | X1 = value | SUCCESS; INVALID_PARAMETER unless only bits 2:0 (DCL, DWB, SPNIDEN) are set |
/// | 4 | SOC_QUERY | - | SUCCESS, X1 = SoC ID 0xC1DA, X2 = revision 2 |
/// | 5 | READ_STATE | - | SUCCESS, X1 = L2 control, X2 = auxiliary control, X3 = debug control |
/// | 0xFF00-0xFF03 | the SMCCC general queries | | CALL_COUNT 5, CALL_UID, REVISION 1.0 |
///
/// Through the OMAP4 monitor convention (declared by the profile: `SMC #0` from AArch32, service
/// number in r12, argument in r0): 0x102 L2X0 control, 0x109 auxiliary control, 0x100 debug
/// control. That ABI has no return value, so r0-r3 come back unchanged.
public final class HighbankSiPService: FirmwareService, @unchecked Sendable {
    public static let serviceName = "highbank-sip"
    public let name = HighbankSiPService.serviceName
    public let functions: [ServiceFunctions]

    /// The board's state. One lock-free owner: the default scheduler runs vCPUs on one thread.
    public private(set) var l2Control: UInt64 = 0
    public private(set) var auxiliaryControl: UInt64 = 0x0202_0000
    public private(set) var debugControl: UInt64 = 0

    static let auxiliaryReserved: UInt64 = 0x8000_03FE
    public static let socID: UInt64 = 0xC1DA
    public static let revision: UInt64 = 2
    /// A UUID for CALL_UID: 6f3a4e2c-0b1d-4c5e-9a7f-1e2d3c4b5a69.
    static let uid: (UInt64, UInt64, UInt64, UInt64) = (0x2C4E_3A6F, 0x5E4C_1D0B, 0x2D1E_7F9A, 0x695A_4B3C)

    /// OMAP4 monitor API service numbers (arch/arm/mach-omap2/omap44xx.h).
    public static let omapDebugControl: UInt32 = 0x100
    public static let omapL2Control: UInt32 = 0x102
    public static let omapAuxiliaryControl: UInt32 = 0x109

    /// Answers SiP functions in `range` (the profile decides which conventions reach it).
    public init(range: FunctionIDRange) {
        functions = [ServiceFunctions(range, label: "Highbank SiP services (VMM)")]
    }

    public func handle(_ call: inout FirmwareCall) -> CallOutcome {
        if call.caller.executionState == .aarch32, let legacy = legacyNumber(call) {
            let value = call.x0 & 0xFFFF_FFFF
            switch legacy {
            case Self.omapL2Control: _ = setL2(value)
            case Self.omapAuxiliaryControl: _ = setAuxiliary(value)
            case Self.omapDebugControl: _ = setDebug(value)
            default: break
            }
            call.setResults(call.x0, call.x1, call.x2, call.x3)
            return .resume
        }
        switch call.functionID.number {
        case 1: call.setResults(setL2(call.x1).registerValue)
        case 2: call.setResults(setAuxiliary(call.x1).registerValue)
        case 3: call.setResults(setDebug(call.x1).registerValue)
        case 4: call.setResults(SMCCCReturn.success.registerValue, Self.socID, Self.revision)
        case 5: call.setResults(SMCCCReturn.success.registerValue, l2Control, auxiliaryControl, debugControl)
        case 0xFF00: call.setResults(5)
        case 0xFF01: call.setResults(Self.uid.0, Self.uid.1, Self.uid.2, Self.uid.3)
        case 0xFF03: call.setResults(1, 0)
        default: break  // NOT_SUPPORTED
        }
        return .resume
    }

    private func legacyNumber(_ call: FirmwareCall) -> UInt32? {
        let number = UInt32(truncatingIfNeeded: call.argument(12))
        return [Self.omapL2Control, Self.omapAuxiliaryControl, Self.omapDebugControl].contains(number) ? number : nil
    }

    func setL2(_ value: UInt64) -> SMCCCReturn {
        guard value <= 1 else { return .invalidParameter }
        l2Control = value
        return .success
    }

    func setAuxiliary(_ value: UInt64) -> SMCCCReturn {
        guard value & ~0xFFFF_FFFF == 0, value & Self.auxiliaryReserved == 0, l2Control & 1 == 0 else { return .invalidParameter }
        auxiliaryControl = value
        return .success
    }

    func setDebug(_ value: UInt64) -> SMCCCReturn {
        guard value & ~7 == 0 else { return .invalidParameter }
        debugControl = value
        return .success
    }

    /// The OMAP4 convention, for the profile to declare.
    public func omapMonitorABI() -> LegacyCallABI {
        LegacyCallABI(name: "OMAP4 monitor API (service number in r12)", conduit: .smc, executionState: .aarch32,
                      functionRegister: 12, functions: [Self.omapL2Control, Self.omapAuxiliaryControl, Self.omapDebugControl],
                      handler: self)
    }
}
