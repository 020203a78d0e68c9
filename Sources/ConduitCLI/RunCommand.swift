import AArch64
import ArgumentParser
import Firmware
import Foundation
import GDBStub
import Machine

/// `conduit run`: boot a guest on the `virt` machine.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Boot a kernel (Linux Image, ELF or raw binary) on Conduit's virt machine.",
        discussion: """
            The console is the PL011 UART on standard input and output (Ctrl-A x quits).
            Exit status: 0 after PSCI SYSTEM_OFF (or Ctrl-A x), 1 bad input, 2 guest crashed, \
            3 SYSTEM_RESET under --no-reboot, 4 timeout, 5 every vCPU halted, 6 instruction limit, \
            7 an output could not be written, 8 stopped by SIGTERM, SIGINT or SIGHUP, \
            9 killed from gdb.
            """)

    @OptionGroup var machine: MachineOptions
    @OptionGroup var boot: BootOptions
    @OptionGroup var session: SessionOptions

    func run() throws {
        let status = try session.run(machine: machine, boot: boot)
        throw ExitCode(status)
    }
}

/// How a run is watched and ended: tracing, statistics, limits.
struct SessionOptions: ParsableArguments {
    @Option(name: .long, help: "What to trace: firmware (one line per SMC/HVC on standard error, a summary at exit).")
    var trace: String?

    @Option(name: .customLong("trace-file"), help: "Also write every firmware call as a JSON line to this file (- for standard output).")
    var traceFile: String?

    @Option(name: .customLong("trace-format"),
            help: "The --trace-file format: jsonl (one JSON object a call, the default) or chrome (a timeline for Perfetto and chrome://tracing).")
    var traceFormat: String?

    @Flag(name: [.customLong("no-reboot"), .customLong("no-reboot", withSingleDash: true)],
          help: "End the run on SYSTEM_RESET (exit status 3) instead of restarting.")
    var noReboot = false

    @Flag(name: [.customLong("nographic"), .customLong("nographic", withSingleDash: true)],
          help: "QEMU's -nographic: accepted; Conduit has no display, and the console is on standard input and output.")
    var noGraphic = false

    @Option(name: [.customLong("display"), .customLong("display", withSingleDash: true)], parsing: .unconditional,
            help: "QEMU's -display: only none, which is what Conduit has.")
    var display: String?

    @Option(name: [.customLong("serial"), .customLong("serial", withSingleDash: true)], parsing: .unconditional,
            help: "QEMU's -serial for the PL011: stdio or mon:stdio (the default), or file:PATH (as --console-file PATH).")
    var serial: String?

    @Option(name: .long, parsing: .unconditional, help: "Stop after this many seconds of wall time (exit status 4).")
    var timeout: String?

    @Option(name: .customLong("max-instructions"), parsing: .unconditional,
            help: "Stop after this many guest instructions (exit status 6).")
    var maxInstructions: UInt64?

    @Option(name: [.customLong("gdb"), .customLong("gdb", withSingleDash: true)], parsing: .unconditional,
            help: "Serve gdb's remote protocol on tcp::PORT (loopback), tcp:HOST:PORT or unix:PATH.")
    var gdb: String?

    @Flag(name: .customShort("s"), help: "QEMU's -s: -gdb tcp::1234.")
    var gdbDefault = false

    @Flag(name: .customShort("S"), help: "QEMU's -S: wait for gdb to connect, stopped before the first instruction.")
    var waitForDebugger = false

    @Flag(name: .long, help: "Print guest instructions retired, wall time and guest MIPS at exit.")
    var stats = false

    @Option(name: .customLong("console-file"), help: "Write the console to this file instead of standard output.")
    var consoleFile: String?

    /// Builds, boots and runs the machine; returns the exit status.
    func run(machine options: MachineOptions, boot: BootOptions, forwardHandlers: [any FirmwareService] = [],
             kernelBytes: [UInt8]? = nil, policyOverride: FirmwarePolicy? = nil, defaultCPUs: Int = 1) throws -> Int32 {
        if let trace, trace != "firmware" { throw CommandError("--trace: '\(trace)' is not traceable (firmware)") }
        if let traceFormat {
            guard traceFormat == "jsonl" || traceFormat == "chrome" else {
                throw CommandError("--trace-format: '\(traceFormat)' is not a trace format (jsonl or chrome)")
            }
            guard traceFile != nil else { throw CommandError("--trace-format: needs --trace-file, the file to write") }
        }
        if let display, display != "none" {
            throw CommandError("-display: '\(display)' is not available: Conduit has no display (-display none)")
        }
        var consolePath = consoleFile
        if let serial, case .file(let path) = try QEMUSpellings.serial(serial) {
            if let consoleFile, consoleFile != path {
                throw CommandError("-serial: file:\(path) contradicts --console-file \(consoleFile)")
            }
            consolePath = path
        }
        var gdbAddress: GDBListenAddress? = gdbDefault ? .qemuDefault : nil
        if let gdb {
            do { gdbAddress = try GDBListenAddress(parsing: gdb) } catch { throw CommandError(error.description) }
        }
        if waitForDebugger && gdbAddress == nil { throw CommandError("-S: waits for gdb, so it needs -s or -gdb ADDRESS") }
        let timeoutSeconds = try timeout.map { try CommandLineValues.seconds($0, flag: "--timeout") }
        if maxInstructions == 0 { throw CommandError("--max-instructions: must be at least 1") }
        var configuration = try options.configuration(forwardHandlers: forwardHandlers, basePolicy: policyOverride,
                                                      defaultCPUs: defaultCPUs)
        configuration.rebootOnReset = !noReboot

        // Every input is read, bounded by what the machine could hold, before anything is opened
        // for writing: a bad file leaves the outputs alone.
        let ram = Int(clamping: configuration.ramSize)
        let ramReason = "the machine's \(byteCount(configuration.ramSize)) of RAM (-m)"
        let kernel = try kernelBytes ?? readFile(boot.kernel, what: "kernel", limit: ram, limitReason: ramReason)
        let initrd = try boot.initrd.map { try readFile($0, what: "initrd", limit: ram, limitReason: ramReason) }
        let userDTB = try boot.dtb.map {
            (path: $0, bytes: try readFile($0, what: "device tree", limit: FlattenedDeviceTree.maximumSize,
                                           limitReason: "\(byteCount(UInt64(FlattenedDeviceTree.maximumSize))), the most Linux maps"))
        }

        let console = try ConsoleWriter(path: consolePath)
        let vm: VirtMachine
        do { vm = try VirtMachine(configuration, transmit: console.write) } catch { throw CommandError(error.description) }

        let loader = KernelLoader(ramSize: configuration.ramSize)
        var treeError: Error?
        let plan: BootPlan
        do {
            plan = try loader.plan(kernel: kernel, kernelName: boot.kernel, initrd: initrd, initrdName: boot.initrd ?? "initrd") { range in
                do { return try deviceTree(for: vm, userBlob: userDTB, append: boot.append, initrd: range) } catch {
                    treeError = error
                    return []
                }
            }
        } catch { throw CommandError(error.description) }
        if let treeError { throw treeError }
        do { try vm.boot(plan) } catch { throw CommandError(error.description) }

        let counter = FirmwareCallCounter()
        let printer = FirmwareTracePrinter()
        var outputs = [console.output, OutputFile.standardError]
        if trace != nil {
            vm.traceSinks.append(counter)
            vm.traceSinks.append(printer)
        }
        var timeline: FirmwareTraceChromeWriter?
        if let traceFile {
            if traceFormat == "chrome" {
                let name = "Conduit \(configuration.profile.name), \(vm.cpus.count) vCPU\(vm.cpus.count == 1 ? "" : "s")"
                let writer = try FirmwareTraceChromeWriter(path: traceFile, machineName: name) { [unowned vm] in
                    vm.cpus.indices.map { vm.power(of: $0) }
                }
                vm.traceSinks.append(writer)
                outputs.append(writer.output)
                timeline = writer
            } else {
                let writer = try FirmwareTraceJSONWriter(path: traceFile)
                vm.traceSinks.append(writer)
                outputs.append(writer.output)
            }
        }
        if trace == nil { vm.diagnostics = { OutputFile.report($0) } }

        TerminationSignals.install()
        StatusSignal.install()
        var debugger: GDBServer?
        if let gdbAddress {
            let server: GDBServer
            do { server = try GDBServer(address: gdbAddress) } catch { throw CommandError(error.description) }
            server.policyText = { vm in (try? PolicyReport(policy: vm.router.policy, machineRouter: vm.router).text) ?? "" }
            server.firmwareTraceSink = FirmwareTracePrinter()
            server.commandLineTraces = trace != nil
            server.isCancelled = { TerminationSignals.received != nil }
            server.log = { OutputFile.report("gdbstub: \($0)") }
            OutputFile.report("gdbstub: listening on \(gdbAddress)")
            if waitForDebugger {
                OutputFile.report("gdbstub: waiting for gdb (-S): target remote \(Self.gdbTarget(gdbAddress))")
                // Guest time starts when gdb lets the machine go, as QEMU's does under -S.
                vm.clock.pause()
                defer { vm.clock.resume() }
                guard server.waitForConnection() else {
                    OutputFile.report("terminated by \(TerminationSignals.name(TerminationSignals.received ?? SIGINT)) while waiting for gdb")
                    return ExitStatus.signalled.rawValue
                }
            }
            vm.debugger = server
            debugger = server
        }
        vm.betweenRounds = { vm in
            StatusSignal.reportIfRequested(vm)
            return TerminationSignals.received == nil && !outputs.contains(where: \.failed)
        }
        let input = TerminalConsole()
        vm.consoleInput = input
        let exit = vm.run(timeout: timeoutSeconds, instructionLimit: maxInstructions)
        debugger?.machineExited(exit, reason: Self.describe(exit))
        input.close()
        timeline?.finish()

        var status = Self.status(of: exit)
        if case .stopRequested = exit {
            if let signal = TerminationSignals.received {
                OutputFile.report("terminated by \(TerminationSignals.name(signal))")
                status = ExitStatus.signalled.rawValue
            } else {
                for output in outputs { if let failure = output.failureDescription { OutputFile.report(failure) } }
                status = ExitStatus.outputFailed.rawValue
            }
        } else if let badKernel = Self.unbootableImage(exit, vm: vm, kernelName: kernelBytes == nil ? boot.kernel : nil) {
            OutputFile.report(badKernel)
            status = ExitStatus.badInput.rawValue
        } else if exit != .systemOff && exit != .quit {
            OutputFile.report(Self.describe(exit))
        }
        if trace != nil { OutputFile.standardError.write(counter.table() + "\n") }
        if stats {
            let instructions = vm.instructionsRetired
            let mips = vm.runSeconds > 0 ? Double(instructions) / vm.runSeconds / 1e6 : 0
            let line = String(format: "stats: %llu guest instructions in %.3f s, %.1f MIPS, %d vCPUs, %d resets",
                              instructions, vm.runSeconds, mips, vm.cpus.count, vm.resets)
            OutputFile.standardError.write(line + "\n")
            // Where each vCPU stopped: the first thing to know about a guest that hangs.
            for (index, cpu) in vm.cpus.enumerated() {
                let translator = cpu.engine == .translator
                    ? ", \(cpu.translatedBlocks) blocks translated, code cache emptied \(cpu.codeCacheFlushes) times" : ""
                OutputFile.standardError.write("stats vCPU \(index): stopped at \(hex(cpu.pc)) (EL\(cpu.el))\(translator)\n")
            }
        }
        // An output that failed after the guest finished still fails the run.
        if status != ExitStatus.outputFailed.rawValue, let failed = outputs.first(where: \.failed) {
            OutputFile.report(failed.failureDescription ?? "an output failed")
            status = ExitStatus.outputFailed.rawValue
        }
        return status
    }

    /// A kernel file that is not a bootable image: the boot vCPU's first exception went to
    /// vectors it never installed (VBAR_EL1 still 0, where `virt` has no memory), so the file's
    /// bytes were not an AArch64 program that got as far as setting up its exception handling.
    /// That is bad input (random bytes, an empty file, a 32-bit kernel), not a crashed guest.
    static func unbootableImage(_ exit: MachineExit, vm: VirtMachine, kernelName: String?) -> String? {
        guard case .guestCrashed = exit, let kernelName, let index = vm.crashedCPU, index == 0, vm.resets == 0,
            let origin = vm.cpus[index].exceptionLoopOrigin, origin.vectorBase == 0
        else { return nil }
        return "\(kernelName): not a bootable AArch64 image: its code faulted at \(hex(origin.returnAddress)) "
            + "(ESR_EL1 \(hex(origin.syndrome)), \(ExceptionClassName.of(syndrome: origin.syndrome))) before it installed exception vectors (VBAR_EL1 is 0)"
    }

    static func status(of exit: MachineExit) -> Int32 {
        let status: ExitStatus
        switch exit {
        case .systemOff, .quit: status = .success
        case .guestCrashed: status = .guestCrashed
        case .reset: status = .reset
        case .timeout: status = .timeout
        case .halted: status = .halted
        case .instructionLimit: status = .instructionLimit
        case .stopRequested: status = .signalled
        case .killedByDebugger: status = .killedByDebugger
        }
        return status.rawValue
    }

    static func describe(_ exit: MachineExit) -> String {
        switch exit {
        case .systemOff: return "the guest powered off"
        case .quit: return "quit from the console"
        case .guestCrashed(let why): return "guest crashed: \(why)"
        case .reset: return "the guest reset the machine (--no-reboot)"
        case .timeout: return "timeout: the guest was still running"
        case .halted(let why): return "the guest halted: \(why)"
        case .instructionLimit: return "instruction limit reached"
        case .stopRequested: return "stopped"
        case .killedByDebugger: return "killed from gdb"
        }
    }

    /// What to give gdb's `target remote` for `address`.
    static func gdbTarget(_ address: GDBListenAddress) -> String {
        switch address {
        case .tcp(let host, let port): return "\(host):\(port)"
        case .unix(let path): return path
        }
    }
}

/// The console's output: standard output or a file, each byte written as the guest writes it
/// (as QEMU's PL011 does), so a shell prompt appears before its newline.
final class ConsoleWriter {
    let output: OutputFile

    init(path: String?) throws {
        output = try path.map { try OutputFile.open($0, flag: "--console-file") } ?? .standardOutput
    }

    func write(_ byte: UInt8) {
        withUnsafeBytes(of: byte) { output.write($0) }
    }
}

/// What an exception class means, in words, for messages.
enum ExceptionClassName {
    static func of(syndrome: UInt64) -> String {
        switch ExceptionClass(rawValue: UInt32(truncatingIfNeeded: syndrome >> 26) & 0x3F) {
        case .unknown?: return "an undefined instruction"
        case .instructionAbortSameEL?, .instructionAbortLowerEL?: return "an instruction abort"
        case .dataAbortSameEL?, .dataAbortLowerEL?: return "a data abort"
        case .pcAlignment?: return "a misaligned PC"
        case .spAlignment?: return "a misaligned SP"
        case .illegalExecutionState?: return "an illegal execution state"
        case .svc64?: return "an SVC"
        case .breakpointInstruction?: return "a BRK"
        default: return "exception class \(hex(syndrome >> 26 & 0x3F))"
        }
    }
}
