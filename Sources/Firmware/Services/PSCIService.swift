import SMCCC

/// The Power State Coordination Interface, versions 0.2 and 1.0-1.3 (DEN0022F.b), with KVM's
/// semantics (arch/arm64/kvm/psci.c).
///
/// Like KVM, the implementation is layered by version: the 1.x handler answers what 1.x added
/// (PSCI_FEATURES, SYSTEM_SUSPEND, SYSTEM_RESET2 from 1.1, SYSTEM_OFF2 from 1.3) and falls back to
/// the 0.2 handler for the rest. Every vCPU-level effect goes through ``VCPUPowerControl``.
///
/// Where Conduit differs from KVM, on purpose: SYSTEM_SUSPEND is implemented here (DENIED while
/// another vCPU is on, INVALID_ADDRESS for an entry point outside RAM, otherwise the caller
/// sleeps and resumes at the entry point), where KVM hands it to the VMM.
public final class PSCIService: FirmwareService {
    public let name: String
    public let version: PSCIVersion
    public let systemSuspendEnabled: Bool
    private let power: any VCPUPowerControl
    /// `MPIDR & MPIDR.affinityMask` of each vCPU, by index.
    private let affinities: [UInt64]

    public init(version: PSCIVersion, systemSuspend: Bool, power: any VCPUPowerControl) {
        self.version = version
        self.systemSuspendEnabled = systemSuspend
        self.power = power
        self.affinities = power.mpidrs.map { $0 & MPIDR.affinityMask }
        self.name = Self.serviceName(of: version)?.description ?? "PSCI \(version.major).\(version.minor)"
    }

    /// The name calls answered here are traced with, as static text for the versions a policy
    /// can select (so routing copies no string); nil for any other.
    public static func serviceName(of version: PSCIVersion) -> StaticString? {
        switch (version.major, version.minor) {
        case (0, 2): return "PSCI 0.2"
        case (1, 0): return "PSCI 1.0"
        case (1, 1): return "PSCI 1.1"
        case (1, 2): return "PSCI 1.2"
        case (1, 3): return "PSCI 1.3"
        default: return nil
        }
    }

    public var functions: [ServiceFunctions] {
        FirmwarePolicy.psciRanges.map { ServiceFunctions($0, label: name) }
    }

    public func handle(_ call: inout FirmwareCall) -> CallOutcome {
        // The SMC64 functions do not exist for an AArch32 caller (DEN0022 §5.2.1).
        if call.functionID.convention == .smc64, call.caller.executionState == .aarch32 {
            call.setResult(PSCIReturn.notSupported)
            return .resume
        }
        guard call.caller.vcpu >= 0, call.caller.vcpu < affinities.count else {
            call.setResult(PSCIReturn.notSupported)
            return .resume
        }
        if version.major >= 1, let outcome = handle1_x(&call) { return outcome }
        return handle0_2(&call)
    }

    // MARK: - PSCI 0.2

    private func handle0_2(_ call: inout FirmwareCall) -> CallOutcome {
        switch call.functionID {
        case PSCIFunction.PSCI_VERSION:
            call.setResults(UInt64(version.rawValue))
        case PSCIFunction.CPU_SUSPEND_32, PSCIFunction.CPU_SUSPEND_64:
            // Every power state is treated as standby, as KVM does: power_state, entry point
            // and context are ignored, and the call returns SUCCESS once the vCPU wakes.
            power.standby(call.caller.vcpu)
            call.setResult(PSCIReturn.success)
        case PSCIFunction.CPU_OFF:
            // Never returns to the caller. Not DENIED even for the last vCPU on, as in KVM.
            power.powerOff(call.caller.vcpu)
            call.setResult(PSCIReturn.success)
        case PSCIFunction.CPU_ON_32, PSCIFunction.CPU_ON_64:
            call.setResult(cpuOn(target: call.x1, entry: call.x2, context: call.x3, caller: call.caller))
        case PSCIFunction.AFFINITY_INFO_32, PSCIFunction.AFFINITY_INFO_64:
            call.setResults(affinityInfo(target: call.x1, lowestLevel: call.x2))
        case PSCIFunction.MIGRATE_INFO_TYPE:
            call.setResults(MigrateInfoType.notPresentOrMultiprocessor.rawValue)
        case PSCIFunction.SYSTEM_OFF:
            return systemEvent(.systemOff, &call)
        case PSCIFunction.SYSTEM_RESET:
            return systemEvent(.systemReset, &call)
        default:
            // MIGRATE, MIGRATE_INFO_UP_CPU and anything unknown.
            call.setResult(PSCIReturn.notSupported)
        }
        return .resume
    }

    // MARK: - PSCI 1.x additions

    private func handle1_x(_ call: inout FirmwareCall) -> CallOutcome? {
        switch call.functionID {
        case PSCIFunction.PSCI_FEATURES:
            call.setResults(features(of: FunctionID(register: call.x1), caller: call.caller))
        case PSCIFunction.SYSTEM_SUSPEND_32, PSCIFunction.SYSTEM_SUSPEND_64:
            guard systemSuspendEnabled else { return nil }
            call.setResult(systemSuspend(entry: call.x1, context: call.x2, caller: call.caller))
        case PSCIFunction.SYSTEM_RESET2_32, PSCIFunction.SYSTEM_RESET2_64:
            guard version.minor >= 1 else { return nil }
            let type = UInt32(truncatingIfNeeded: call.x1)
            guard type == SystemReset2Type.SYSTEM_WARM_RESET || type >= SystemReset2Type.vendorStart else {
                call.setResult(PSCIReturn.invalidParameters)
                return .resume
            }
            // Only X0 is preloaded: X1 and X2 keep the type and cookie for the VMM, as in KVM.
            power.stopAll()
            call.setResults(PSCIReturn.internalFailure.registerValue, UInt64(type), call.x2, call.x3)
            return .systemEvent(.systemReset2(type: type, cookie: call.x2))
        case PSCIFunction.SYSTEM_OFF2_32, PSCIFunction.SYSTEM_OFF2_64:
            guard version.minor >= 3 else { return nil }
            let type = UInt32(truncatingIfNeeded: call.x1)
            // Type 0 is an alias of HIBERNATE_OFF (DEN0022F.b); the cookie must be zero.
            guard type == 0 || type == SystemOff2Type.HIBERNATE_OFF, call.x2 == 0 else {
                call.setResult(PSCIReturn.invalidParameters)
                return .resume
            }
            return systemEvent(.systemOff2(type: type), &call)
        default:
            return nil
        }
        return .resume
    }

    // MARK: - Functions

    /// CPU_ON (DEN0022 §5.1.4), with KVM's checks in KVM's order. The off-to-on flip is atomic
    /// in the power control, so ON_PENDING is never returned.
    private func cpuOn(target: UInt64, entry: UInt64, context: UInt64, caller: CallerState) -> PSCIReturn {
        guard target & ~MPIDR.affinityMask == 0 else { return .invalidParameters }
        guard let vcpu = affinities.firstIndex(of: target) else { return .invalidParameters }
        let reset = VCPUReset(entryPoint: entry, contextID: context, isBigEndian: caller.isBigEndian)
        return power.powerOn(vcpu, reset: reset) ? .success : .alreadyOn
    }

    /// AFFINITY_INFO (DEN0022 §5.1.5): ON if any vCPU in the affinity instance is not off, OFF if
    /// all are off, INVALID_PARAMETERS if none matches.
    private func affinityInfo(target: UInt64, lowestLevel: UInt64) -> UInt64 {
        guard target & ~MPIDR.affinityMask == 0, lowestLevel <= 3 else {
            return PSCIReturn.invalidParameters.registerValue
        }
        let mask = MPIDR.affinityMask(atLevel: Int(lowestLevel))
        let wanted = target & mask
        var matched = false
        for (vcpu, affinity) in affinities.enumerated() where affinity & mask == wanted {
            if power.powerState(of: vcpu) != .off { return AffinityInfoState.on.rawValue }
            matched = true
        }
        return matched ? AffinityInfoState.off.rawValue : PSCIReturn.invalidParameters.registerValue
    }

    /// PSCI_FEATURES (DEN0022 §5.1.14), answering exactly what this version implements.
    private func features(of id: FunctionID, caller: CallerState) -> UInt64 {
        let supported = PSCIReturn.success.registerValue
        let absent = PSCIReturn.notSupported.registerValue
        if id.convention == .smc64, caller.executionState == .aarch32 { return absent }
        switch id {
        case PSCIFunction.PSCI_VERSION, PSCIFunction.CPU_SUSPEND_32, PSCIFunction.CPU_SUSPEND_64,
            PSCIFunction.CPU_OFF, PSCIFunction.CPU_ON_32, PSCIFunction.CPU_ON_64,
            PSCIFunction.AFFINITY_INFO_32, PSCIFunction.AFFINITY_INFO_64, PSCIFunction.MIGRATE_INFO_TYPE,
            PSCIFunction.SYSTEM_OFF, PSCIFunction.SYSTEM_RESET, PSCIFunction.PSCI_FEATURES,
            ArmArchitectureFunction.SMCCC_VERSION:
            // For CPU_SUSPEND, 0 also says: original power_state format, no OS-initiated mode.
            return supported
        case PSCIFunction.SYSTEM_SUSPEND_32, PSCIFunction.SYSTEM_SUSPEND_64:
            return systemSuspendEnabled ? supported : absent
        case PSCIFunction.SYSTEM_RESET2_32, PSCIFunction.SYSTEM_RESET2_64:
            return version.minor >= 1 ? supported : absent
        case PSCIFunction.SYSTEM_OFF2_32, PSCIFunction.SYSTEM_OFF2_64:
            // A bit mask of the supported types: HIBERNATE_OFF.
            return version.minor >= 3 ? UInt64(SystemOff2Type.HIBERNATE_OFF) : absent
        default:
            return absent
        }
    }

    /// SYSTEM_SUSPEND (DEN0022 §5.1.19): the caller must be the only vCPU on.
    private func systemSuspend(entry: UInt64, context: UInt64, caller: CallerState) -> PSCIReturn {
        for vcpu in affinities.indices where vcpu != caller.vcpu {
            if power.powerState(of: vcpu) != .off { return .denied }
        }
        guard power.isValidEntryPoint(entry) else { return .invalidAddress }
        power.suspendSystem(caller.vcpu, resume: VCPUReset(entryPoint: entry, contextID: context, isBigEndian: caller.isBigEndian))
        return .success
    }

    /// SYSTEM_OFF, SYSTEM_OFF2, SYSTEM_RESET: every vCPU stops; X0 is preloaded with
    /// INTERNAL_FAILURE and X1-X3 with 0 in case the VMM resumes a vCPU anyway.
    private func systemEvent(_ event: SystemEvent, _ call: inout FirmwareCall) -> CallOutcome {
        power.stopAll()
        call.setResult(PSCIReturn.internalFailure)
        return .systemEvent(event)
    }
}
