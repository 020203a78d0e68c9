/// Why `AArch64CPU.run` returned.
public enum CPUExit: Equatable, Sendable {
    /// The instruction budget ran out (checked at block boundaries, so a little may be overrun).
    case budgetExhausted
    /// `HVC` or `SMC` executed at EL1: a firmware call. The PC is already past the instruction.
    case firmwareCall(FirmwareCallInstruction, immediate: UInt16)
    /// The ``AArch64CPU/firmwareCallHandler`` answered a call and asked the CPU to stop (the
    /// caller powered off, went to sleep, or the system is going down).
    case firmwareCallHandled
    /// `WFI` with no interrupt pending: the vCPU may sleep until an interrupt line rises.
    case waitForInterrupt
    /// `WFE` with the event register clear: the vCPU may sleep until an event or interrupt.
    case waitForEvent
    /// `SEV`: every other vCPU's event register must be set.
    case sendEvent
    /// ``AArch64CPU/requestExit()`` was called.
    case exitRequested
    /// A host breakpoint, watchpoint or step stopped the vCPU (`HostDebug.swift`).
    case hostDebugStop(HostDebugStop)
}

/// Answers `HVC` and `SMC` without leaving the run loop. Set by the machine; without one, the
/// CPU stops with ``CPUExit/firmwareCall(_:immediate:)`` instead.
///
/// A class to subclass rather than a protocol: the run loop calls it through an unretained
/// reference (`Unmanaged`'s guaranteed reference), which a protocol existential cannot give;
/// through the existential every call paid a retain and a release (3% of an HVC loop).
open class FirmwareCallHandler {
    public init() {}

    /// Handles the call `cpu` just made (its PC is already past the instruction). Returns true
    /// to carry on running, false to stop with ``CPUExit/firmwareCallHandled``. Subclasses
    /// override it; this one answers nothing and stops the CPU.
    open func handleFirmwareCall(_ instruction: FirmwareCallInstruction, immediate: UInt16, cpu: AArch64CPU) -> Bool {
        false
    }
}

/// The two firmware-call instructions.
public enum FirmwareCallInstruction: Sendable, Equatable {
    case hvc
    case smc
}

/// Exception classes, ESR_ELx.EC (DDI0487 D24.2.40).
public enum ExceptionClass: UInt32, Sendable {
    case unknown = 0x00
    case wfxTrap = 0x01
    /// Access to SIMD&FP functionality trapped by CPACR_EL1.FPEN.
    case floatingPointAccess = 0x07
    case illegalExecutionState = 0x0E
    case svc64 = 0x15
    case hvc64 = 0x16
    case smc64 = 0x17
    case systemRegisterTrap = 0x18
    case instructionAbortLowerEL = 0x20
    case instructionAbortSameEL = 0x21
    case pcAlignment = 0x22
    case dataAbortLowerEL = 0x24
    case dataAbortSameEL = 0x25
    case spAlignment = 0x26
    case serror = 0x2F
    /// Debug exceptions (DDI0487 D2): a hardware breakpoint, software step and a watchpoint,
    /// each from EL0 ("lower EL") or EL1 ("same EL").
    case breakpointLowerEL = 0x30
    case breakpointSameEL = 0x31
    case softwareStepLowerEL = 0x32
    case softwareStepSameEL = 0x33
    case watchpointLowerEL = 0x34
    case watchpointSameEL = 0x35
    case breakpointInstruction = 0x3C
}

/// Fault status codes of instruction and data aborts, ESR_ELx.ISS.{I,D}FSC.
public enum FaultStatus: Equatable, Sendable {
    case addressSize(level: Int)
    case translation(level: Int)
    case accessFlag(level: Int)
    case permission(level: Int)
    case synchronousExternalAbort
    case synchronousExternalAbortOnWalk(level: Int)
    case alignment

    /// The 6-bit code.
    public var code: UInt32 {
        switch self {
        case .addressSize(let level): return 0x00 | UInt32(level & 3)
        case .translation(let level): return 0x04 | UInt32(level & 3)
        case .accessFlag(let level): return 0x08 | UInt32(level & 3)
        case .permission(let level): return 0x0C | UInt32(level & 3)
        case .synchronousExternalAbort: return 0x10
        case .synchronousExternalAbortOnWalk(let level): return 0x14 | UInt32(level & 3)
        case .alignment: return 0x21
        }
    }
}

/// The counter the generic timer counts with: the physical count (CNTPCT_EL0).
public protocol CounterSource: AnyObject {
    var counter: UInt64 { get }
}

/// Handles system registers the CPU does not implement itself, such as the GICv3 CPU interface
/// (ICC_*). Returning nil (read) or false (write) makes the access UNDEFINED.
public protocol SystemRegisterHandler: AnyObject {
    func readSystemRegister(_ encoding: UInt16, cpu: AArch64CPU) -> UInt64?
    func writeSystemRegister(_ encoding: UInt16, value: UInt64, cpu: AArch64CPU) -> Bool
}

/// The identity a CPU reports in its ID registers.
public struct CPUIdentity: Sendable, Equatable {
    public var midr: UInt64
    public var mpidr: UInt64
    public var revidr: UInt64
    /// Whether ID_AA64PFR0_EL1.GIC reports the GICv3 system register interface.
    public var gicSystemRegisters: Bool

    public init(midr: UInt64 = 0x411F_D070, mpidr: UInt64 = 0x8000_0000, revidr: UInt64 = 0, gicSystemRegisters: Bool = false) {
        self.midr = midr
        self.mpidr = mpidr
        self.revidr = revidr
        self.gicSystemRegisters = gicSystemRegisters
    }
}

/// An exception a CPU took while ``AArch64CPU/stopsOnExceptions`` was set.
public struct TakenException: Sendable, Equatable {
    /// ESR_EL1 (unchanged for interrupts).
    public let syndrome: UInt64
    /// FAR_EL1 (meaningful for aborts).
    public let faultAddress: UInt64
    /// ELR_EL1: the instruction that faulted, or where an interrupt was taken.
    public let returnAddress: UInt64
    public let isInterrupt: Bool
}

/// The exception that led into an exception loop: the first one taken at a vector whose handler
/// then faulted at once, again and again.
public struct ExceptionLoopOrigin: Sendable, Equatable {
    /// ESR_EL1 of that exception.
    public let syndrome: UInt64
    /// ELR_EL1: the instruction that took it.
    public let returnAddress: UInt64
    /// VBAR_EL1 at the time: 0 means the guest never installed its vectors.
    public let vectorBase: UInt64
    /// The vector entry it went to.
    public let vector: UInt64
}
