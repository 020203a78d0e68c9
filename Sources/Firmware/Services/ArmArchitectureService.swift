import SMCCC

/// The Arm Architecture Calls (DEN0028 §7): SMCCC_VERSION, SMCCC_ARCH_FEATURES,
/// SMCCC_ARCH_SOC_ID and the Spectre workarounds.
///
/// Conduit is an emulator: no guest speculation reaches the host, so every workaround is
/// reported "not required", as KVM reports it on an unaffected host, and calling one does nothing.
///
/// Where Conduit differs from KVM, on purpose:
/// - SMCCC_ARCH_FEATURES(SMCCC_VERSION) and (SMCCC_ARCH_FEATURES) return 0, as DEN0028 §7.3.2
///   requires; KVM returns NOT_SUPPORTED.
/// - SMCCC_ARCH_SOC_ID is implemented; KVM denies it.
/// - The WORKAROUND_n calls return 0 through SMC as through HVC. KVM answers them only on its
///   HVC fast path and denies them through SMC.
public final class ArmArchitectureService: FirmwareService {
    /// The name calls answered here are traced with (static, so routing copies no string).
    public static let serviceName: StaticString = "SMCCC Arm Architecture Calls"
    public let name = ArmArchitectureService.serviceName.description
    public let version: SMCCCVersion
    public let socIdentity: SoCIdentity?
    /// Whether the Standard Hypervisor Service offers PV time (ARCH_FEATURES reports it).
    public let pvTimeEnabled: Bool

    public init(version: SMCCCVersion, socIdentity: SoCIdentity?, pvTimeEnabled: Bool) {
        self.version = version
        self.socIdentity = socIdentity
        self.pvTimeEnabled = pvTimeEnabled
    }

    public var functions: [ServiceFunctions] {
        SMCCCFilter.reservedRanges.map { ServiceFunctions($0, label: "SMCCC \(version.major).\(version.minor) architecture calls") }
    }

    public func handle(_ call: inout FirmwareCall) -> CallOutcome {
        switch call.functionID {
        case ArmArchitectureFunction.SMCCC_VERSION:
            call.setResults(UInt64(version.rawValue))
        case ArmArchitectureFunction.SMCCC_ARCH_FEATURES:
            call.setResults(features(of: FunctionID(register: call.x1)))
        case ArmArchitectureFunction.SMCCC_ARCH_SOC_ID_32:
            call.setResults(socID(type: call.x1))
        case ArmArchitectureFunction.SMCCC_ARCH_WORKAROUND_1,
            ArmArchitectureFunction.SMCCC_ARCH_WORKAROUND_2,
            ArmArchitectureFunction.SMCCC_ARCH_WORKAROUND_3:
            call.setResults(0)
        default:
            break  // NOT_SUPPORTED, already in the results.
        }
        return .resume
    }

    /// SMCCC_ARCH_FEATURES: 0 or a positive value when `id` is implemented, negative when not.
    func features(of id: FunctionID) -> UInt64 {
        switch id {
        case ArmArchitectureFunction.SMCCC_VERSION, ArmArchitectureFunction.SMCCC_ARCH_FEATURES:
            return SMCCCReturn.success.registerValue
        case ArmArchitectureFunction.SMCCC_ARCH_SOC_ID_32:
            return socIdentity == nil ? SMCCCReturn.notSupported.registerValue : SMCCCReturn.success.registerValue
        case ArmArchitectureFunction.SMCCC_ARCH_WORKAROUND_1, ArmArchitectureFunction.SMCCC_ARCH_WORKAROUND_3:
            return SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED
        case ArmArchitectureFunction.SMCCC_ARCH_WORKAROUND_2:
            return SMCCCReturn.notRequired.registerValue
        case PVTimeFunction.PV_TIME_FEATURES:
            return pvTimeEnabled ? SMCCCReturn.success.registerValue : SMCCCReturn.notSupported.registerValue
        default:
            return SMCCCReturn.notSupported.registerValue
        }
    }

    /// SMCCC_ARCH_SOC_ID (SMC32): type 0 is the version word, type 1 the revision; anything else
    /// is INVALID_PARAMETER (the name, type 2, exists only in the SMC64 form from SMCCC v1.4).
    func socID(type: UInt64) -> UInt64 {
        guard let identity = socIdentity else { return SMCCCReturn.notSupported.registerValue }
        switch SoCIDType(rawValue: UInt32(truncatingIfNeeded: type)) {
        case .version: return UInt64(identity.versionWord)
        case .revision: return UInt64(identity.revision)
        case .name, nil: return SMCCCReturn.invalidParameter.registerValue
        }
    }
}
