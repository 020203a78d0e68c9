import SMCCC

/// What an `SMC` means in a VM: the three answers from the original design discussion.
public enum SMCPreset: String, Sendable, CaseIterable {
    /// `SMC` is an undefined instruction: there is no EL3 (QEMU's and old KVM's behaviour).
    case undefined
    /// `SMC` reaches the same firmware as `HVC`: PSCI and every other built-in service, through
    /// the same filter.
    case psci
    /// Every `SMC` goes to the VMM's forward handlers ("forward all of them to me"), except the
    /// reserved Arm Architecture Calls, which Conduit always answers.
    case forwardAll = "forward-all"
}

/// How calls made through the SMC conduit are routed once SMC is enabled.
public enum SMCRouting: Sendable, Equatable {
    /// Through the filter and the built-in services, exactly like HVC.
    case filtered
    /// To the forward handlers, outside the reserved Arm Architecture ranges.
    case forwardAll
}

/// Whether PSCI is answered by Conduit or by the VMM.
public enum PSCIMode: String, Sendable, CaseIterable {
    /// Conduit's PSCI implementation answers.
    case builtIn = "builtin"
    /// PSCI's function numbers (0x00-0x1f, both conventions) are forwarded like any other
    /// `forward` range, and the device tree gets no `/psci` node unless the VMM provides PSCI.
    case forward
}

/// A VM's firmware policy: every decision about who answers a firmware call, as one value.
///
/// Build it in code or decode it from a policy file (the `PolicyFile` module), then hand it to
/// ``FirmwareRouter``. Everything here can change until the router is built; the router is the
/// started VM, and from then on the policy is frozen.
public struct FirmwarePolicy: Sendable, Equatable {
    /// Which instructions reach the firmware. Default: HVC only. A call through a conduit not
    /// in the set is an undefined instruction, as it is on hardware without that exception level.
    public var conduits: ConduitSet = .hvc
    /// How SMC calls are routed when `conduits` contains SMC.
    public var smcRouting: SMCRouting = .filtered
    /// Built-in PSCI, or forwarded.
    public var psciMode: PSCIMode = .builtIn
    /// Whether built-in PSCI offers SYSTEM_SUSPEND (PSCI 1.0 and later).
    public var systemSuspend = true
    /// SoC identity reported by SMCCC_ARCH_SOC_ID; nil makes the call NOT_SUPPORTED, as in KVM.
    public var socIdentity: SoCIdentity? = .conduitDefault
    /// TRNG's entropy.
    public var entropy: EntropySource = .system

    /// The PSCI version built-in PSCI implements: 0.2 or 1.0-1.3. Default 1.3, as KVM.
    public private(set) var psciVersion: PSCIVersion = .v1_3
    /// The SMCCC version SMCCC_VERSION reports: 1.1 (KVM's) or 1.2. Default 1.1.
    public private(set) var smcccVersion: SMCCCVersion = .v1_1
    /// The optional hypervisor services; see ``FeatureBitmaps`` and ``setFeatures(_:)``.
    public private(set) var features: FeatureBitmaps = .defaults
    /// The explicit ranges.
    public private(set) var filter = SMCCCFilter()

    /// The SMCCC versions Conduit can offer.
    public static let selectableSMCCCVersions: [SMCCCVersion] = [.v1_1, .v1_2]

    public init() {}

    /// Selects the PSCI version.
    public mutating func setPSCIVersion(_ version: PSCIVersion) throws(PolicyError) {
        _ = try FirmwareRegister.psciVersion.validated(UInt64(version.rawValue), current: UInt64(psciVersion.rawValue))
        psciVersion = version
    }

    /// Selects the SMCCC version.
    public mutating func setSMCCCVersion(_ version: SMCCCVersion) throws(PolicyError) {
        guard Self.selectableSMCCCVersions.contains(version) else {
            throw .conflictingSettings("SMCCC version \(version.major).\(version.minor) is not offered (1.1 or 1.2)")
        }
        smcccVersion = version
    }

    /// Narrows (or restores) the optional hypervisor services; bits that name no feature are EINVAL.
    public mutating func setFeatures(_ bitmaps: FeatureBitmaps) throws(PolicyError) {
        var updated = self
        try updated.setRegister(FirmwareRegister.standardBitmap.rawValue, to: bitmaps.standard)
        try updated.setRegister(FirmwareRegister.standardHypervisorBitmap.rawValue, to: bitmaps.standardHypervisor)
        try updated.setRegister(FirmwareRegister.vendorHypervisorBitmap.rawValue, to: bitmaps.vendorHypervisor)
        try updated.setRegister(FirmwareRegister.vendorHypervisorBitmap2.rawValue, to: bitmaps.vendorHypervisor2)
        self = updated
    }

    /// Adds a range to the filter; see ``SMCCCFilter/insert(_:action:handler:origin:)``.
    public mutating func addRange(
        _ range: FunctionIDRange, action: PolicyAction, handler: String? = nil, origin: String? = nil
    ) throws(PolicyError) {
        try filter.insert(range, action: action, handler: handler, origin: origin)
    }

    /// Adds a range from KVM's binary `struct kvm_smccc_filter`.
    public mutating func addRange(kvmFilter bytes: [UInt8]) throws(PolicyError) {
        try filter.insert(kvmFilter: bytes)
    }

    /// Sets conduits and SMC routing as the preset says.
    public mutating func apply(_ preset: SMCPreset) {
        switch preset {
        case .undefined:
            conduits.remove(.smc)
            smcRouting = .filtered
        case .psci:
            conduits.insert(.smc)
            smcRouting = .filtered
        case .forwardAll:
            conduits.insert(.smc)
            smcRouting = .forwardAll
        }
    }

    /// The preset that describes the current SMC settings.
    public var smcPreset: SMCPreset {
        guard conduits.contains(.smc) else { return .undefined }
        return smcRouting == .forwardAll ? .forwardAll : .psci
    }

    /// The PSCI function-number blocks, SMC32 and SMC64, that `psci: forward` forwards.
    public static let psciRanges = [
        FunctionIDRange(first: 0x8400_0000, last: 0x8400_001F),
        FunctionIDRange(first: 0xC400_0000, last: 0xC400_001F),
    ]

    /// The filter the VM runs with: the explicit ranges, plus the PSCI ranges as `forward` when
    /// built-in PSCI is switched off. Fails if those PSCI ranges collide with an explicit range.
    public func effectiveFilter() throws(PolicyError) -> SMCCCFilter {
        var effective = filter
        if psciMode == .forward {
            for range in Self.psciRanges {
                try effective.insert(range, action: .forward, origin: "psci: forward")
            }
        }
        return effective
    }

    /// Reads a firmware pseudo-register.
    public func value(of register: FirmwareRegister) -> UInt64 {
        switch register {
        case .psciVersion: return UInt64(psciVersion.rawValue)
        case .workaround1, .workaround3: return FirmwareRegister.workaround1Or3NotRequired
        case .workaround2: return FirmwareRegister.workaround2NotRequired
        case .standardBitmap: return features.standard
        case .standardHypervisorBitmap: return features.standardHypervisor
        case .vendorHypervisorBitmap: return features.vendorHypervisor
        case .vendorHypervisorBitmap2: return features.vendorHypervisor2
        }
    }

    /// Reads a firmware pseudo-register by KVM ID; unknown IDs are ENOENT.
    public func value(ofRegister id: UInt64) throws(PolicyError) -> UInt64 {
        guard let register = FirmwareRegister(rawValue: id) else { throw .unknownRegister(id) }
        return value(of: register)
    }

    /// Writes a firmware pseudo-register before the VM starts, with KVM's validation.
    public mutating func setRegister(_ id: UInt64, to value: UInt64) throws(PolicyError) {
        guard let register = FirmwareRegister(rawValue: id) else { throw .unknownRegister(id) }
        let newValue = try register.validated(value, current: self.value(of: register))
        switch register {
        case .psciVersion: psciVersion = PSCIVersion(rawValue: UInt32(newValue))
        case .workaround1, .workaround2, .workaround3: break
        case .standardBitmap: features.standard = newValue
        case .standardHypervisorBitmap: features.standardHypervisor = newValue
        case .vendorHypervisorBitmap: features.vendorHypervisor = newValue
        case .vendorHypervisorBitmap2: features.vendorHypervisor2 = newValue
        }
    }
}
