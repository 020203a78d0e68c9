import SMCCC

/// Why a call was routed the way it was: the part of the policy that decided.
public enum DispositionReason: String, Sendable {
    /// A built-in service implements the function and the VM enables it.
    case builtInService = "built-in service"
    /// A filter range chose the action.
    case filter = "filter range"
    /// No built-in service implements the function.
    case noService = "no service implements it"
    /// A feature bitmap switched the function off.
    case featureDisabled = "feature disabled"
    /// The conduit is not enabled: the instruction is undefined, as without that exception level.
    case conduitDisabled = "conduit disabled"
    /// `HVC` and `SMC` are UNDEFINED at EL0 (DDI0487, C6.2 "HVC" and "SMC").
    case calledFromEL0 = "called from EL0"
    /// An `SMC` with a non-zero immediate is not an SMCCC call: X0 = ~0, as KVM answers.
    case nonZeroImmediate = "SMC immediate is not 0"
    /// An SMC64/HVC64 function called from AArch32, where that convention does not exist.
    case smc64FromAArch32 = "SMC64 function from AArch32"
    /// `smc: forward-all` sent it to the forward handlers.
    case smcForwardAll = "smc: forward-all"
    /// A `forward` call that no registered handler claims.
    case unclaimedForward = "no forward handler claims it"
    /// The guest-side firmware made an `SMC`: there is no monitor above it.
    case smcFromFirmware = "SMC from the firmware world"
    /// The guest-side firmware called a function routed back to itself.
    case firmwareReentry = "firmware range called from the firmware world"
    /// A board convention the machine profile declared answered the call (``LegacyCallABI``).
    case legacyABI = "board ABI declared by the machine profile"
}

/// What the router did with one call: the action taken, why, who answered, and what the machine
/// must do next. Tracing prints it.
public struct CallDisposition: Sendable, Equatable {
    public let action: PolicyAction
    public let reason: DispositionReason
    public let outcome: CallOutcome
    /// Who answered, kept so that routing a call copies no string (a built-in service's name is
    /// static text); ``handler`` spells it.
    let answerer: Answerer

    /// The service or forward handler that answered, if any.
    public var handler: String? { answerer.name }

    public init(action: PolicyAction, reason: DispositionReason, outcome: CallOutcome, handler: String?) {
        self.init(action: action, reason: reason, outcome: outcome, answerer: handler.map(Answerer.named) ?? .nobody)
    }

    init(action: PolicyAction, reason: DispositionReason, outcome: CallOutcome, answerer: Answerer) {
        self.action = action
        self.reason = reason
        self.outcome = outcome
        self.answerer = answerer
    }
}

/// Who answered a call: nobody, a built-in service (its name a static string, which copies
/// without reference counting), or a handler the VMM or a board registered, by name.
enum Answerer: Sendable, Equatable {
    case nobody
    case builtIn(StaticString)
    case named(String)

    var name: String? {
        switch self {
        case .nobody: return nil
        case .builtIn(let name): return name.description
        case .named(let name): return name
        }
    }

    static func == (a: Answerer, b: Answerer) -> Bool { a.name == b.name }
}

/// The firmware of one started VM: it takes each `SMC`/`HVC` the vCPUs make and decides, from
/// the frozen policy, who answers it.
///
/// Resolution follows KVM's `kvm_smccc_call_handler`, with Conduit's additions:
/// 1. Conduit checks: EL0 callers and disabled conduits get an undefined instruction; an `SMC`
///    with a non-zero immediate gets X0 = ~0 without consulting the filter (KVM's behaviour);
///    `smc: forward-all` forwards every SMC outside the reserved Arm Architecture ranges.
/// 2. The filter: a range with any action other than `handle` wins.
/// 3. Otherwise a built-in service answers if it implements the function and its feature is
///    enabled; anything else is denied with NOT_SUPPORTED.
///
/// The router is immutable once built and safe to call from every vCPU's thread at once.
public final class FirmwareRouter: Sendable {
    /// The policy the VM started with.
    public let policy: FirmwarePolicy
    /// The filter in force: the policy's ranges plus PSCI's when PSCI is forwarded.
    public let filter: SMCCCFilter
    /// The built-in services, in the order they were registered.
    public let services: [any FirmwareService]
    /// The same services by type, for dispatch: a direct call on a `let` of the router costs no
    /// reference counting, where a call through `services`' existentials retained and released
    /// the service and copied its name (5% of an HVC loop's host time).
    private let architecture: ArmArchitectureService
    /// Made even when PSCI is forwarded (it is then in neither `services` nor the table): an
    /// optional here cost a retain and a release per PSCI call to unwrap.
    private let psci: PSCIService
    private let trng: TRNGService
    private let kvmVendor: KVMVendorService
    /// Which of them each entry of `services` is, and the name a call answered by it reports.
    private let builtIns: [(kind: BuiltIn, answerer: Answerer)]

    private enum BuiltIn { case architecture, psci, trng, pvTime, kvmVendor }
    /// The VMM's forward handlers.
    public let forwardHandlers: [any FirmwareService]
    /// The PV-time service, which the machine updates with stolen time.
    public let pvTime: PVTimeService
    /// Board conventions outside SMCCC, checked before the function ID is read from X0.
    public let legacyABIs: [LegacyCallABI]
    /// Whether any of them applies to callers in each execution state (AArch64, AArch32): a
    /// flag test keeps the common call from walking the list.
    private let legacyABIStates: (aarch64: Bool, aarch32: Bool)

    /// Which built-in service answers which IDs: (service index, enabled).
    private let serviceTable: RangeTable<ServiceSlot>
    /// Which forward handler answers which IDs, for `forward` ranges that name none.
    private let forwardTable: RangeTable<ServiceSlot>
    /// For each filter entry, the forward handler it names, if any.
    private let namedForwardTargets: [Int?]

    /// Where a claimed range leads: the service, and which of its claims it is.
    struct ServiceSlot: Sendable, Equatable {
        let index: Int
        let claim: Int
        let isEnabled: Bool
    }

    /// Validates the setup and starts the VM's firmware.
    public init(_ setup: FirmwareSetup) throws(PolicyError) {
        let policy = setup.policy
        let filter = try policy.effectiveFilter()
        let features = policy.features

        // The built-in services, registered like TF-A's runtime services: each declares the
        // IDs it answers, and the router builds its lookup table from those declarations.
        let pvTime = PVTimeService(
            isEnabled: features.standardHypervisor & FeatureBitmaps.PV_TIME != 0,
            recordAddresses: setup.stolenTimeAddresses, memory: setup.host.memory)
        let architecture = ArmArchitectureService(version: policy.smcccVersion, socIdentity: policy.socIdentity,
                                                  pvTimeEnabled: pvTime.isEnabled)
        let psci = PSCIService(version: policy.psciVersion, systemSuspend: policy.systemSuspend, power: setup.host.power)
        let trng = TRNGService(entropy: policy.entropy, isEnabled: features.standard & FeatureBitmaps.TRNG_V1_0 != 0)
        let kvmVendor = KVMVendorService(bitmap: features.vendorHypervisor, bitmap2: features.vendorHypervisor2,
                                         clock: setup.host.clock)
        var services: [any FirmwareService] = [architecture]
        var builtIns: [(kind: BuiltIn, answerer: Answerer)] = [(.architecture, .builtIn(ArmArchitectureService.serviceName))]
        if policy.psciMode == .builtIn {
            services.append(psci)
            builtIns.append((.psci, PSCIService.serviceName(of: psci.version).map(Answerer.builtIn) ?? .named(psci.name)))
        }
        services += [trng, pvTime, kvmVendor] as [any FirmwareService]
        builtIns += [(.trng, .builtIn(TRNGService.serviceName)), (.pvTime, .builtIn(PVTimeService.serviceName)),
                     (.kvmVendor, .builtIn(KVMVendorService.serviceName))]
        self.architecture = architecture
        self.psci = psci
        self.trng = trng
        self.kvmVendor = kvmVendor
        self.builtIns = builtIns

        self.policy = policy
        self.filter = filter
        self.services = services
        self.forwardHandlers = setup.forwardHandlers
        self.legacyABIs = setup.legacyABIs
        self.legacyABIStates = (setup.legacyABIs.contains { $0.executionState == .aarch64 },
                                setup.legacyABIs.contains { $0.executionState == .aarch32 })
        self.pvTime = pvTime
        self.serviceTable = try Self.table(of: services, kind: "built-in service")
        self.forwardTable = try Self.table(of: setup.forwardHandlers, kind: "forward handler")

        // Bind the forward ranges that name their handler, and check that `firmware` ranges
        // have a blob to go to.
        let names = setup.forwardHandlers.map(\.name)
        var targets: [Int?] = []
        for entry in filter.entries {
            var target: Int?
            if entry.action == .forward, let name = entry.handler {
                guard let index = names.firstIndex(of: name) else {
                    throw .unknownForwardHandler(entry.range, origin: entry.origin, name: name, known: names)
                }
                target = index
            }
            if entry.action == .firmware, !setup.hasFirmwareBlob {
                throw .firmwareWithoutBlob(entry.range, origin: entry.origin)
            }
            targets.append(target)
        }
        self.namedForwardTargets = targets
    }

    private static func table(of services: [any FirmwareService], kind: String) throws(PolicyError) -> RangeTable<ServiceSlot> {
        var table = RangeTable<ServiceSlot>()
        for (index, service) in services.enumerated() {
            for (claimIndex, claim) in service.functions.enumerated() {
                let slot = ServiceSlot(index: index, claim: claimIndex, isEnabled: claim.isEnabled)
                if let clash = table.insert(claim.range, slot) {
                    let other = services[table.elements[clash].value.index]
                    throw .conflictingSettings(
                        "\(kind) '\(service.name)' claims \(claim.range), which '\(other.name)' already answers")
                }
            }
        }
        return table
    }

    // MARK: - Dispatch

    /// Routes one call: runs whoever answers it, clamps the result registers to what SMCCC
    /// allows, and says what the machine must do next.
    public func dispatch(_ call: inout FirmwareCall) -> CallDisposition {
        let limit = FirmwareCall.maximumResultCount(
            convention: call.functionID.convention, executionState: call.caller.executionState,
            smcccVersion: policy.smcccVersion)
        let disposition = route(&call)
        if call.resultCount > limit { call.resultCount = limit }
        return disposition
    }

    private func route(_ call: inout FirmwareCall) -> CallDisposition {
        let caller = call.caller
        guard caller.exceptionLevel > 0 else {
            return CallDisposition(action: .undefined, reason: .calledFromEL0, outcome: .undefinedInstruction, handler: nil)
        }
        if call.conduit == .smc, caller.isInFirmwareWorld {
            return deny(&call, .smcFromFirmware)
        }
        if caller.executionState == .aarch64 ? legacyABIStates.aarch64 : legacyABIStates.aarch32,
           policy.conduits.contains(call.conduit) {
            for abi in legacyABIs where abi.conduit == call.conduit && abi.executionState == caller.executionState
                && abi.serviceNumber(of: call) != nil {
                let outcome = abi.handler.handle(&call)
                return CallDisposition(action: .forward, reason: .legacyABI, outcome: outcome, answerer: .named(abi.handler.name))
            }
        }
        if call.conduit == .smc, call.immediate != 0, policy.conduits.contains(.smc) {
            // KVM: x0 = ~0 and nothing else changes; the filter is not consulted.
            call.results[0] = ~0
            call.resultCount = 1
            return CallDisposition(action: .deny, reason: .nonZeroImmediate, outcome: .resume, handler: nil)
        }

        let resolution = resolve(call.functionID.rawValue, conduit: call.conduit)
        switch resolution.target {
        case .nobody:
            return deny(&call, resolution.reason)
        case .undefinedInstruction:
            return CallDisposition(action: .undefined, reason: resolution.reason, outcome: .undefinedInstruction, handler: nil)
        case .firmwareBlob:
            if caller.isInFirmwareWorld { return deny(&call, .firmwareReentry) }
            return CallDisposition(action: .firmware, reason: resolution.reason, outcome: .enterFirmware, handler: nil)
        case .forwardHandler(let named):
            return forward(&call, handler: named, reason: resolution.reason)
        case .service(let slot):
            if call.functionID.convention == .smc64, caller.executionState == .aarch32 {
                return deny(&call, .smc64FromAArch32)
            }
            let builtIn = builtIns[slot.index]
            let outcome: CallOutcome
            switch builtIn.kind {
            case .architecture: outcome = architecture.handle(&call)
            case .psci: outcome = psci.handle(&call)
            case .trng: outcome = trng.handle(&call)
            case .pvTime: outcome = pvTime.handle(&call)
            case .kvmVendor: outcome = kvmVendor.handle(&call)
            }
            return CallDisposition(action: .handle, reason: resolution.reason, outcome: outcome, answerer: builtIn.answerer)
        }
    }

    /// Who answers `id` through `conduit`, from the policy alone: the filter first, then the
    /// built-in services. Calls and `policy show` both come here, so the table printed is the
    /// table obeyed.
    func resolve(_ id: UInt32, conduit: Conduit) -> Resolution {
        guard policy.conduits.contains(conduit) else {
            return Resolution(action: .undefined, reason: .conduitDisabled, target: .undefinedInstruction)
        }
        if conduit == .smc, policy.smcRouting == .forwardAll, !Self.isReservedArchitectureID(id) {
            return Resolution(action: .forward, reason: .smcForwardAll, target: .forwardHandler(named: nil))
        }
        if let index = filter.index(containing: id) {
            switch filter.entry(at: index).action {
            case .handle: break
            case .deny: return Resolution(action: .deny, reason: .filter, target: .nobody)
            case .forward:
                return Resolution(action: .forward, reason: .filter, target: .forwardHandler(named: namedForwardTargets[index]))
            case .undefined: return Resolution(action: .undefined, reason: .filter, target: .undefinedInstruction)
            case .firmware: return Resolution(action: .firmware, reason: .filter, target: .firmwareBlob)
            }
        }
        guard let slot = serviceTable.value(containing: id) else {
            return Resolution(action: .deny, reason: .noService, target: .nobody)
        }
        guard slot.isEnabled else { return Resolution(action: .deny, reason: .featureDisabled, target: .nobody) }
        return Resolution(action: .handle, reason: .builtInService, target: .service(slot))
    }

    /// The decision for one function ID, before any handler runs.
    struct Resolution {
        enum Target {
            case nobody
            case undefinedInstruction
            case firmwareBlob
            case forwardHandler(named: Int?)
            case service(ServiceSlot)
        }
        let action: PolicyAction
        let reason: DispositionReason
        let target: Target
    }

    private func deny(_ call: inout FirmwareCall, _ reason: DispositionReason) -> CallDisposition {
        call.setResult(SMCCCReturn.notSupported)
        return CallDisposition(action: .deny, reason: reason, outcome: .resume, handler: nil)
    }

    private func forward(_ call: inout FirmwareCall, handler named: Int?, reason: DispositionReason) -> CallDisposition {
        let index = named ?? forwardTable.value(containing: call.functionID.rawValue)?.index
        guard let index else {
            call.setResult(SMCCCReturn.notSupported)
            return CallDisposition(action: .forward, reason: .unclaimedForward, outcome: .resume, handler: nil)
        }
        let handler = forwardHandlers[index]
        let outcome = handler.handle(&call)
        return CallDisposition(action: .forward, reason: reason, outcome: outcome, answerer: .named(handler.name))
    }

    /// True inside 0x80000000-0x8000ffff and 0xc0000000-0xc000ffff.
    static func isReservedArchitectureID(_ id: UInt32) -> Bool { id & 0xBFFF_0000 == 0x8000_0000 }

    // MARK: - Firmware registers after start

    /// Reads a firmware pseudo-register (the VM's frozen value).
    public func value(ofRegister id: UInt64) throws(PolicyError) -> UInt64 {
        try policy.value(ofRegister: id)
    }

    /// Writes a firmware pseudo-register after the VM has started: the value is validated as
    /// before start, and then must equal the current one (EBUSY otherwise). KVM lets the PSCI
    /// version change under a running guest; Conduit freezes it with the rest.
    public func setRegister(_ id: UInt64, to value: UInt64) throws(PolicyError) {
        guard let register = FirmwareRegister(rawValue: id) else { throw .unknownRegister(id) }
        let current = policy.value(of: register)
        let requested = try register.validated(value, current: current)
        guard requested == current else { throw .registerBusy(register, current: current, requested: value) }
    }

    /// Adding a range once the VM runs is refused (KVM: EBUSY).
    public func addRange(_ range: FunctionIDRange, action: PolicyAction) throws(PolicyError) {
        throw .vmStarted("add range \(range) (\(action))")
    }
}
