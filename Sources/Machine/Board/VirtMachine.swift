import AArch64
import Firmware
import Foundation
import SMCCC

/// Why a machine stopped running.
public enum MachineExit: Equatable, Sendable {
    /// PSCI SYSTEM_OFF or SYSTEM_OFF2.
    case systemOff
    /// PSCI SYSTEM_RESET or SYSTEM_RESET2 with rebooting turned off (`--no-reboot`).
    case reset
    /// The guest cannot make progress: an exception loop, say. The text says what happened.
    case guestCrashed(String)
    /// Every vCPU is off, or asleep with nothing that could wake it.
    case halted(String)
    /// The wall-clock limit passed.
    case timeout
    /// The instruction limit passed.
    case instructionLimit
    /// The user quit from the console (`Ctrl-A x`).
    case quit
    /// ``VirtMachine/betweenRounds`` asked the machine to stop (a signal, an output that failed).
    case stopRequested
    /// The attached debugger killed the guest (gdb's `kill`).
    case killedByDebugger
}

/// QEMU's `virt` board in Conduit: RAM, a GIC, a PL011 console, a PL031 clock, the generic
/// timers, and vCPUs whose firmware calls go through the VM's `FirmwareRouter` (Firmware).
///
/// The default scheduler runs the vCPUs round robin on the calling thread, a fixed quantum of
/// instructions each, so the same inputs under ``ClockMode/instructionCounted`` give the same run.
public final class VirtMachine: FirmwareCallHandler, GenericTimerObserver, PerformanceMonitorsObserver {
    public let configuration: MachineConfiguration
    public let memory = PhysicalMemory()
    public let cpus: [AArch64CPU]
    public let clock: MachineClock
    public let uart: PL011
    public let rtc: PL031
    /// Where device and timer lines go: the GIC's state machine.
    public let interruptController: InterruptController
    /// The GIC's register front end (its MMIO devices refer to it without owning it).
    let gic: GICFrontEnd
    public let router: FirmwareRouter
    let power: MachinePowerControl

    /// Where firmware calls are reported; empty unless tracing.
    public var traceSinks: [FirmwareTraceSink] = [] {
        didSet { isTracing = !traceSinks.isEmpty }
    }
    /// Whether any sink listens: one flag for the firmware-call path to test.
    @exclusivity(unchecked) private var isTracing = false
    /// Bytes for the console's receive side, polled by the scheduler; nil when there is none.
    public var consoleInput: ConsoleInput?

    /// The guest-side firmware's world, when the profile has a blob.
    @exclusivity(unchecked) private(set) var firmwareWorld: FirmwareWorld?
    /// One-line reports of things the guest should not have done (a firmware blob that faulted).
    public var diagnostics: ((String) -> Void)?
    /// Called on the machine's thread after every scheduler round (a quantum of each runnable
    /// vCPU) and before the host sleeps: where the host flushes its outputs and looks for
    /// signals. Returning false ends the run with ``MachineExit/stopRequested``.
    /// The machine is passed in, so a hook that reads it (where the vCPUs are) need not
    /// capture it: a strong capture would be a cycle, and an unowned one a runtime check per call.
    public var betweenRounds: ((VirtMachine) -> Bool)?

    /// The debugger attached, if any (`MachineDebugger.swift`): polled before every scheduler
    /// round, told of host breakpoints, watchpoints, steps and caught firmware calls.
    public var debugger: MachineDebugger?
    /// vCPUs the debugger keeps stopped while the others run (a step of one thread); they
    /// neither run nor count as able to wake.
    public var heldVCPUs: Set<Int> = []
    /// The firmware calls that stop the machine for ``debugger``, before and after their answer.
    public var firmwareCallCatches = FirmwareCallCatches() {
        didSet { catchesFirmwareCalls = !firmwareCallCatches.isEmpty }
    }
    /// Whether any call is caught: one flag for the firmware-call path to test.
    @exclusivity(unchecked) private var catchesFirmwareCalls = false
    /// The call ``handleFirmwareCall(_:immediate:cpu:)`` left for the run loop to stop at.
    @exclusivity(unchecked) private var caughtCall: (instruction: FirmwareCallInstruction, immediate: UInt16)?
    /// Set while a caught call is answered: ``firmwareCall(_:immediate:from:inFirmwareWorld:)``
    /// keeps its record in ``caughtRecord`` for the debugger.
    @exclusivity(unchecked) private var recordsCaughtCall = false
    @exclusivity(unchecked) private var caughtRecord: FirmwareTraceRecord?

    /// What ``boot(_:)`` loaded, replayed on SYSTEM_RESET as QEMU restores its ROM blobs.
    public private(set) var bootPlan: BootPlan?
    /// The wall time spent in ``run(timeout:instructionLimit:)``.
    public private(set) var runSeconds: Double = 0
    /// How many SYSTEM_RESETs restarted the machine.
    public private(set) var resets = 0

    /// Builds the board. Fails with a one-line reason if the configuration or policy is invalid.
    public init(_ configuration: MachineConfiguration, transmit: @escaping (UInt8) -> Void) throws(MachineError) {
        try configuration.validate()
        self.configuration = configuration
        let clock = MachineClock(mode: configuration.clockMode)
        self.clock = clock
        let clusterSize = VirtMemoryMap.clusterSize(gicVersion: configuration.gicVersion)
        let mpidrs = (0..<configuration.cpuCount).map { MPIDR.qemuVirt(index: $0, clusterSize: clusterSize) }
        do {
            try memory.addRAM(base: VirtMemoryMap.ramBase, size: configuration.ramSize)
        } catch {
            throw .invalid("-m", "cannot allocate \(configuration.ramSize >> 20) MiB of guest RAM (\(error))")
        }
        let memory = self.memory
        cpus = mpidrs.enumerated().map { index, mpidr in
            let cpu = AArch64CPU(index: index, memory: memory, features: configuration.cpuFeatures,
                                 identity: CPUIdentity(mpidr: mpidr, gicSystemRegisters: configuration.gicVersion == 3),
                                 counter: clock)
            cpu.engine = configuration.engine
            cpu.translatorSettings = configuration.translator
            return cpu
        }
        power = MachinePowerControl(mpidrs: mpidrs, memory: memory)

        uart = PL011(transmit: transmit)
        rtc = PL031(now: { [unowned clock] in clock.wallSeconds })
        gic = configuration.gicVersion == 3 ? GICv3(cpus: cpus) : GICv2(cpus: cpus)
        interruptController = gic.core
        do {
            try gic.map(into: memory)
            try memory.addMMIO(base: VirtMemoryMap.uart, size: VirtMemoryMap.primeCellSize, device: uart)
            try memory.addMMIO(base: VirtMemoryMap.rtc, size: VirtMemoryMap.primeCellSize, device: rtc)
            try memory.addMMIO(base: VirtMemoryMap.virtioTransports,
                               size: VirtMemoryMap.virtioTransportSize * UInt64(VirtMemoryMap.virtioTransportCount),
                               device: VirtioMMIOTransports())
        } catch {
            throw .invalid("memory map", "\(error)")
        }
        let lines = interruptController
        uart.interrupt = InterruptLine { [unowned lines] in lines.setSharedInterrupt(VirtMemoryMap.uartSPI, level: $0) }
        rtc.interrupt = InterruptLine { [unowned lines] in lines.setSharedInterrupt(VirtMemoryMap.rtcSPI, level: $0) }


        let profile = configuration.profile
        var policy = configuration.policy
        try profile.apply(to: &policy)
        var setup = FirmwareSetup(policy: policy,
                                  host: FirmwareHost(power: power, clock: clock, memory: FirmwareMemoryView(memory)))
        for handler in configuration.forwardHandlers + profile.forwardHandlers { setup.addForwardHandler(handler) }
        do {
            for abi in profile.legacyABIs { try setup.addLegacyABI(abi) }
            setup.hasFirmwareBlob = profile.firmwareBlob != nil
            router = try FirmwareRouter(setup)
        } catch {
            throw .firmware("\(error)")
        }
        if let blob = profile.firmwareBlob {
            firmwareWorld = try FirmwareWorld(blob: blob, normalWorld: memory, cpus: cpus, clock: clock)
        }
        super.init()
        for cpu in cpus {
            cpu.firmwareCallHandler = self
            cpu.timerObserver = self
            cpu.performanceMonitorsObserver = self
        }
        // TLBI ...IS and IC IALLUIS reach every vCPU. The closures hold the machine
        // unowned(unsafe), as the handlers above do: a strong capture would be a cycle (a CPU
        // holding its siblings keeps the whole machine alive), and a weak one gives the machine a
        // side table, after which every retain and release of it (one per firmware call) takes
        // the runtime's slow path: 14% of an HVC loop's samples. `deinit` unhooks
        // them.
        for cpu in cpus {
            cpu.broadcast = { [unowned(unsafe) self, unowned(unsafe) cpu] operation in
                for other in self.cpus where other !== cpu { other.perform(operation) }
            }
        }
    }

    /// The vCPUs reach the machine through unowned(unsafe) references (firmware calls, timer
    /// and PMU observers, broadcasts); a vCPU that outlives its machine (someone kept a
    /// reference to it) must find them gone.
    deinit {
        for cpu in cpus {
            cpu.broadcast = nil
            cpu.firmwareCallHandler = nil
            cpu.timerObserver = nil
            cpu.performanceMonitorsObserver = nil
        }
    }

    // MARK: - Boot

    /// Loads `plan` into RAM and points the boot vCPU at it; the others stay off until CPU_ON.
    public func boot(_ plan: BootPlan) throws(MachineError) {
        for segment in plan.segments {
            guard memory.write(segment.bytes, at: segment.address) else {
                throw .image(segment.name, "does not fit in RAM at \(hex64(segment.address)) (\(segment.bytes.count) bytes; RAM is \(hex64(VirtMemoryMap.ramBase))-\(hex64(VirtMemoryMap.ramBase + configuration.ramSize - 1)))")
            }
        }
        bootPlan = plan
        power.resetAll()
        for cpu in cpus { cpu.reset(entry: 0) }
        cpus[0].reset(entry: plan.entry, x0: plan.x0)
    }

    /// Restarts after SYSTEM_RESET as a power-on reset would: the GIC, UART and RTC back in
    /// their reset state, images reloaded, the boot vCPU at the entry, the rest off. RAM keeps
    /// its contents, as QEMU's does.
    private func restart() {
        resets += 1
        crashedCPU = nil
        gic.reset()
        uart.reset()
        rtc.reset()
        firmwareWorld?.reload()
        if let plan = bootPlan {
            for segment in plan.segments { _ = memory.write(segment.bytes, at: segment.address) }
            power.resetAll()
            for cpu in cpus { cpu.reset(entry: 0) }
            cpus[0].reset(entry: plan.entry, x0: plan.x0)
        }
    }

    // MARK: - Running

    /// vCPU `index`'s PSCI power state.
    public func power(of index: Int) -> VCPUPowerState { power.powerState(of: index) }

    /// Instructions retired by every vCPU.
    public var instructionsRetired: UInt64 { cpus.reduce(0) { $0 &+ $1.instructionsRetired } }

    /// A synchronous exception taken this many times in a row at its own vector is a crash.
    static let exceptionLoopLimit = 1_000

    /// The vCPU whose exception loop ended the run as ``MachineExit/guestCrashed(_:)``.
    public private(set) var crashedCPU: Int?

    /// What an exception loop looks like, from where it started to the vector that keeps faulting.
    static func describeExceptionLoop(_ cpu: AArch64CPU) -> String {
        let esr = hex64(cpu.systemRegister(SystemRegisterEncoding.ESR_EL1) ?? 0)
        let far = hex64(cpu.systemRegister(SystemRegisterEncoding.FAR_EL1) ?? 0)
        var text = "vCPU \(cpu.index) is in an exception loop at \(hex64(cpu.pc)): every exception handler entry faults again (ESR_EL1 \(esr), FAR_EL1 \(far))"
        if let origin = cpu.exceptionLoopOrigin {
            text += "; it began with the exception taken at \(hex64(origin.returnAddress)) (ESR_EL1 \(hex64(origin.syndrome))), VBAR_EL1 \(hex64(origin.vectorBase))"
        }
        return text
    }

    /// `seconds` as nanoseconds, saturating: NaN and anything not positive is 0, anything past
    /// UInt64's range is UInt64.max (a timeout that never comes).
    static func nanoseconds(seconds: Double) -> UInt64 {
        guard seconds > 0 else { return 0 }
        let nanoseconds = seconds * 1e9
        return nanoseconds < 18_446_744_073_709_549_568 ? UInt64(nanoseconds) : .max
    }

    /// Runs until the guest powers off, resets (without reboot), crashes, halts, or a limit passes.
    /// The timeout and ``runSeconds`` leave out the time spent stopped for the debugger.
    public func run(timeout: Double? = nil, instructionLimit: UInt64? = nil) -> MachineExit {
        let runStart = DispatchTime.now().uptimeNanoseconds
        let pausedBefore = clock.pausedNanoseconds
        // The run's start, moved later by every debugger stop (the clock is paused through
        // each): now - start is the time it ran.
        var start: UInt64 { runStart &+ (clock.pausedNanoseconds &- pausedBefore) }
        defer { runSeconds += Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9 }
        let timeoutNanoseconds = timeout.map(Self.nanoseconds(seconds:))
        let quantum = configuration.quantum

        while true {
            if let debugger, debugger.shouldInterrupt(self), let stop = stopForDebugger(.interrupted) { return stop }
            var anyRan = false
            for (index, cpu) in cpus.enumerated() {
                if !heldVCPUs.isEmpty && heldVCPUs.contains(index) { continue }
                guard isRunnable(index) else { continue }
                anyRan = true
                let slice = slice(for: cpu, quantum: quantum)
                let sliceStart = clock.mode == .realTime ? DispatchTime.now().uptimeNanoseconds : 0
                let retiredBefore = cpu.instructionsRetired
                clock.beginQuantum(cpu)
                runningIndex = index
                // Firmware calls are answered inside the run loop (``handleFirmwareCall``);
                // the CPU stops only when one ends, suspends or powers off its caller.
                let pausedBeforeSlice = clock.pausedNanoseconds
                let stop = handle(cpu.run(maxInstructions: slice), of: cpu)
                runningIndex = nil
                clock.endQuantum()
                // A slice that stopped for the debugger says nothing about the guest's speed.
                if clock.mode == .realTime && clock.pausedNanoseconds == pausedBeforeSlice {
                    noteSpeed(instructions: cpu.instructionsRetired &- retiredBefore,
                              nanoseconds: DispatchTime.now().uptimeNanoseconds &- sliceStart)
                }
                if let stop {
                    if case .reset = stop, configuration.rebootOnReset {
                        restart()
                        break
                    }
                    return stop
                }
                if cpu.recursiveExceptions > Self.exceptionLoopLimit {
                    crashedCPU = index
                    return .guestCrashed(Self.describeExceptionLoop(cpu))
                }
            }
            updateTimers()
            rtc.poll()
            pollConsole()
            if consoleInput?.quitRequested == true { return .quit }

            if let betweenRounds, !betweenRounds(self) { return .stopRequested }
            if let limit = instructionLimit, instructionsRetired >= limit { return .instructionLimit }
            if let timeoutNanoseconds, DispatchTime.now().uptimeNanoseconds - start >= timeoutNanoseconds { return .timeout }
            if !anyRan, let stop = idle(until: timeoutNanoseconds.map { start.addingReportingOverflow($0).overflow ? .max : start + $0 }) {
                return stop
            }
        }
    }

    /// Instructions per host nanosecond, as recent slices ran (real time only), for turning a
    /// timer deadline into a slice length. Starts at 0.1 (100 MIPS).
    private var instructionsPerNanosecond = 0.1

    private func noteSpeed(instructions: UInt64, nanoseconds: UInt64) {
        guard instructions >= 1_000, nanoseconds > 0 else { return }
        let measured = Double(instructions) / Double(nanoseconds)
        instructionsPerNanosecond += (measured - instructionsPerNanosecond) / 8
    }

    /// How many instructions `cpu` runs before the scheduler looks at the machine again: the
    /// quantum, or less when one of its own timers' deadlines falls inside it, so that the slice
    /// ends there and the timer's line rises on time instead of a quantum late. Counting
    /// instructions, a nanosecond is an instruction and the slice ends exactly at the deadline;
    /// in real time the deadline is turned into instructions at the speed recent slices ran.
    /// Other vCPUs' deadlines do not shorten it: their lines matter only to them, and they are
    /// raised before those vCPUs run again.
    private func slice(for cpu: AArch64CPU, quantum: Int) -> Int {
        guard let count = cpu.nextTimerDeadline else { return quantum }
        let deadline = MachineClock.nanoseconds(atCount: count)
        let now = clock.nanoseconds
        // A deadline already passed has raised its line; if the interrupt is masked, slicing
        // short would only slow the guest down.
        guard deadline > now else { return quantum }
        let remaining = deadline - now
        switch clock.mode {
        case .instructionCounted:
            return remaining < UInt64(quantum) ? Int(remaining) : quantum
        case .realTime:
            let estimate = Double(remaining) * instructionsPerNanosecond
            return estimate < Double(quantum) ? max(Int(estimate), 1) : quantum
        }
    }

    /// Whether vCPU `index` should run now; wakes it if its wait is over, and applies a pending
    /// CPU_ON or resume reset.
    private func isRunnable(_ index: Int) -> Bool {
        guard power.table.state(of: index) == .on else { return false }
        let cpu = cpus[index]
        guard wakes(index) else { return false }
        if power.activity[index] == .waitingForEvent {
            // The WFE completes by consuming the event (DDI0487 D1.16.1).
            cpu.clearEventRegister()
        }
        power.activity[index] = .running
        if let reset = power.table.takePendingReset(index) {
            cpu.reset(entry: reset.entryPoint, x0: reset.contextID)
        }
        return true
    }

    /// Whether powered-on vCPU `index` can run: it is running, or what it waits for arrived
    /// (an interrupt line for WFI, an event or an interrupt line for WFE).
    private func wakes(_ index: Int) -> Bool {
        switch power.activity[index] {
        case .running, .off: return true
        case .waitingForInterrupt: return cpus[index].interruptPending
        case .waitingForEvent: return cpus[index].eventRegister || cpus[index].interruptPending
        }
    }

    /// Acts on why a vCPU stopped; returns a reason to stop the machine, if any.
    private func handle(_ exit: CPUExit, of cpu: AArch64CPU) -> MachineExit? {
        switch exit {
        case .budgetExhausted, .exitRequested:
            // A host watchpoint or step the slice ended before its boundary could report.
            if debugger != nil, let stop = cpu.takePendingHostStop() { return stopForDebugger(.vcpu(cpu.index, stop)) }
            return nil
        case .firmwareCall(let instruction, let immediate):
            if isCaught(cpu) {
                return caughtFirmwareCall(instruction, immediate: immediate, from: cpu)
            }
            return firmwareCall(instruction == .hvc ? .hvc : .smc, immediate: immediate, from: cpu)
        case .firmwareCallHandled:
            if let caught = caughtCall {
                caughtCall = nil
                return caughtFirmwareCall(caught.instruction, immediate: caught.immediate, from: cpu)
            }
            defer { pendingStop = nil }
            return pendingStop ?? hostStepEnded(cpu)
        case .hostDebugStop(let reason):
            return stopForDebugger(.vcpu(cpu.index, reason))
        case .waitForInterrupt:
            power.activity[cpu.index] = .waitingForInterrupt
            return hostStepEnded(cpu)
        case .waitForEvent:
            power.activity[cpu.index] = .waitingForEvent
            return hostStepEnded(cpu)
        case .sendEvent:
            for other in cpus where other !== cpu { other.signalEvent() }
        }
        return nil
    }

    /// What the last firmware call answered in the run loop asked the machine to do.
    ///
    /// This and the other state the firmware-call path touches skip Swift's dynamic
    /// exclusivity checks: the machine's run loop is their only user, and the checks were about
    /// 5% of an HVC loop's samples.
    @exclusivity(unchecked) private var pendingStop: MachineExit?

    /// Answers a firmware call without leaving the vCPU's run loop; stops it when the call ends
    /// the run or takes the caller out of the running state (CPU_OFF, CPU_SUSPEND).
    override public func handleFirmwareCall(_ instruction: FirmwareCallInstruction, immediate: UInt16, cpu: AArch64CPU) -> Bool {
        if isCaught(cpu) {
            // Out of the run loop, unanswered: the machine's loop stops for the debugger first.
            caughtCall = (instruction, immediate)
            return false
        }
        pendingStop = firmwareCall(instruction == .hvc ? .hvc : .smc, immediate: immediate, from: cpu)
        return pendingStop == nil && power.activity[cpu.index] == .running
    }

    /// Whether the call `cpu` is making (W0) is one the debugger catches.
    @inline(__always)
    private func isCaught(_ cpu: AArch64CPU) -> Bool {
        catchesFirmwareCalls && firmwareCallCatches.contains(UInt32(truncatingIfNeeded: cpu.generalRegisters[0]))
    }

    /// A stepped instruction that put its vCPU to sleep or off (WFI, WFE, CPU_OFF, CPU_SUSPEND)
    /// completed: the step ends there, or the debugger would wait for a vCPU that may never run.
    private func hostStepEnded(_ cpu: AArch64CPU) -> MachineExit? {
        guard debugger != nil, cpu.hostStepPending else { return nil }
        cpu.cancelHostStep()
        return stopForDebugger(.vcpu(cpu.index, .stepped))
    }

    /// Stops for the debugger with everything still: guest time does not pass while it looks.
    /// Returns ``MachineExit/killedByDebugger`` if it killed the guest.
    private func stopForDebugger(_ event: DebugStopEvent) -> MachineExit? {
        guard let debugger else { return nil }
        clock.pause()
        defer { clock.resume() }
        return debugger.machineStopped(self, event) == .kill ? .killedByDebugger : nil
    }

    /// A caught firmware call: the debugger sees it decoded, then it is answered as any call is,
    /// then the debugger sees the answer.
    private func caughtFirmwareCall(_ instruction: FirmwareCallInstruction, immediate: UInt16, from cpu: AArch64CPU) -> MachineExit? {
        let conduit: Conduit = instruction == .hvc ? .hvc : .smc
        let functionID = UInt32(truncatingIfNeeded: cpu.generalRegisters[0])
        if let kill = stopForDebugger(.firmwareCall(vcpu: cpu.index, conduit: conduit, functionID: functionID)) { return kill }
        recordsCaughtCall = true
        let stop = firmwareCall(conduit, immediate: immediate, from: cpu)
        recordsCaughtCall = false
        if let record = caughtRecord {
            caughtRecord = nil
            if let kill = stopForDebugger(.firmwareCallAnswered(record)) { return kill }
        }
        return stop
    }

    /// Routes one `HVC`/`SMC` through the policy and applies the answer to the caller.
    func firmwareCall(_ conduit: Conduit, immediate: UInt16, from cpu: AArch64CPU, inFirmwareWorld: Bool = false) -> MachineExit? {
        let caller = CallerState(vcpu: cpu.index, executionState: .aarch64, exceptionLevel: cpu.el,
                                 isBigEndian: cpu.isBigEndianAtEL1, isInFirmwareWorld: inFirmwareWorld)
        var call = FirmwareCall(conduit: conduit, immediate: immediate, caller: caller,
                                registerFile: UnsafePointer(cpu.generalRegisters))
        let keepsRecord = recordsCaughtCall && !inFirmwareWorld
        let tracing = isTracing || keepsRecord
        let started = tracing ? DispatchTime.now().uptimeNanoseconds : 0
        let disposition = router.dispatch(&call)

        var stop: MachineExit?
        var note: String?
        switch disposition.outcome {
        case .resume:
            write(call, to: cpu)
        case .enterFirmware:
            // The router refuses `firmware` ranges without a blob, so the world exists.
            if let world = firmwareWorld {
                let result = world.enter(&call, from: cpu, machine: self)
                if case .stopped(let exit) = result { stop = exit }
                if let failure = result.failure {
                    note = "firmware blob \(failure); the caller gets NOT_SUPPORTED"
                    diagnostics?("cpu\(cpu.index) \(FirmwareTraceRecord.name(of: call.functionID)): \(note!)")
                }
            }
            write(call, to: cpu)
        case .undefinedInstruction:
            cpu.injectUndefinedAtFirmwareCall()
        case .systemEvent(let event):
            write(call, to: cpu)
            stop = event.isShutdown ? .systemOff : .reset
        }
        if tracing {
            let cost = DispatchTime.now().uptimeNanoseconds - started
            let record = FirmwareTraceRecord(
                time: clock.nanoseconds, vcpu: cpu.index, conduit: conduit, x0: call.x0, functionID: call.functionID,
                arguments: (1...6).map { call.argument($0) },
                results: disposition.outcome == .undefinedInstruction ? [] : (0..<call.resultCount).map { call.results[$0] },
                disposition: disposition, hostStart: started, hostNanoseconds: cost, note: note)
            for sink in traceSinks { sink.record(record) }
            if keepsRecord { caughtRecord = record }
        }
        return stop
    }

    /// Writes a call's result registers, X0 upwards.
    @inline(__always)
    private func write(_ call: FirmwareCall, to cpu: AArch64CPU) {
        let x = cpu.generalRegisters
        for n in 0..<min(call.resultCount, 18) { x[n] = call.results[n] }
    }

    /// Feeds each vCPU's timer outputs to its private interrupts (virtual timer PPI 27,
    /// physical timer PPI 30).
    private func updateTimers() {
        for cpu in cpus { driveTimerLines(cpu) }
    }

    private func driveTimerLines(_ cpu: AArch64CPU) {
        interruptController.setPrivateInterrupt(VirtMemoryMap.virtualTimerPPI, cpu: cpu.index, level: cpu.virtualTimerInterrupt)
        interruptController.setPrivateInterrupt(VirtMemoryMap.physicalTimerPPI, cpu: cpu.index, level: cpu.physicalTimerInterrupt)
    }

    /// The vCPU whose slice is running, if any.
    @exclusivity(unchecked) private var runningIndex: Int?

    /// A timer register was written: its lines follow at once, and a deadline the running vCPU
    /// just armed inside its slice ends the slice, so that the next one is cut to the deadline
    /// (`slice(for:quantum:)`).
    public func timerOutputsChanged(_ cpu: AArch64CPU) {
        driveTimerLines(cpu)
        guard cpu.index == runningIndex else { return }
        let quantum = configuration.quantum
        if slice(for: cpu, quantum: quantum) < quantum { cpu.requestExit() }
    }

    /// A vCPU's PMU overflow interrupt request changed: its PPI follows at once.
    public func performanceMonitorsInterruptChanged(_ cpu: AArch64CPU) {
        interruptController.setPrivateInterrupt(VirtMemoryMap.pmuPPI, cpu: cpu.index, level: cpu.performanceMonitorsInterrupt)
    }

    private func pollConsole() {
        guard let input = consoleInput else { return }
        while uart.canReceive, let byte = input.nextByte() { uart.receive(byte) }
    }

    /// No vCPU can run: sleep (or, counting instructions, jump) to the next timer deadline, or
    /// until console input arrives. Returns a reason to stop when nothing could ever wake a vCPU.
    private func idle(until timeoutDeadline: UInt64?) -> MachineExit? {
        let sleeping = cpus.indices.filter { power.table.state(of: $0) == .on && !heldVCPUs.contains($0) }
        // A timer or device may have raised an interrupt since the vCPUs were looked at.
        for index in sleeping where wakes(index) { return nil }
        // Deadlines already passed have raised their interrupt; if that did not wake the vCPU
        // (masked at the GIC, say), waiting on them would spin.
        let now = clock.nanoseconds
        var deadline: UInt64?
        for index in sleeping {
            if let count = cpus[index].nextTimerDeadline {
                let at = MachineClock.nanoseconds(atCount: count)
                if at > now { deadline = min(deadline ?? .max, at) }
            }
        }
        let waitsForInput = consoleInput?.isOpen ?? false
        if deadline == nil && !waitsForInput && !heldVCPUs.isEmpty {
            // The debugger holds vCPUs that could run: not a halt, but a wait for Ctrl-C.
            Thread.sleep(forTimeInterval: 0.01)
            return nil
        }
        if deadline == nil && !waitsForInput {
            if sleeping.isEmpty { return .halted("every vCPU is off") }
            return .halted("every vCPU waits (WFI/WFE) with no timer armed and no console input to wake it")
        }
        switch clock.mode {
        case .instructionCounted:
            if let deadline { clock.skip(to: deadline) } else { consoleInput?.wait(nanoseconds: 10_000_000) }
        case .realTime:
            var wait = deadline.map { $0 > now ? $0 - now : 0 } ?? 10_000_000
            if let timeoutDeadline {
                let host = DispatchTime.now().uptimeNanoseconds
                wait = min(wait, timeoutDeadline > host ? timeoutDeadline - host : 0)
            }
            wait = min(wait, 10_000_000)
            if wait > 0 {
                if let input = consoleInput, input.isOpen { input.wait(nanoseconds: wait) } else { Thread.sleep(forTimeInterval: Double(wait) / 1e9) }
            }
        }
        return nil
    }
}
