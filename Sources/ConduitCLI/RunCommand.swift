import ArgumentParser
import Firmware
import Foundation
import Machine

/// `conduit run`: boot a guest on the `virt` machine.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Boot a kernel (Linux Image, ELF or raw binary) on Conduit's virt machine.",
        discussion: """
            The console is the PL011 UART on standard input and output (Ctrl-A x quits).
            Exit status: 0 after PSCI SYSTEM_OFF (or Ctrl-A x), 1 bad input, 2 guest crashed, \
            3 SYSTEM_RESET under --no-reboot, 4 timeout, 5 every vCPU halted, 6 instruction limit.
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

    @Option(name: .customLong("trace-file"), help: "Also write every firmware call as a JSON line to this file.")
    var traceFile: String?

    @Flag(name: .customLong("no-reboot"), help: "End the run on SYSTEM_RESET (exit status 3) instead of restarting.")
    var noReboot = false

    @Option(name: .long, help: "Stop after this many seconds of wall time (exit status 4).")
    var timeout: Double?

    @Option(name: .customLong("max-instructions"), help: "Stop after this many guest instructions (exit status 6).")
    var maxInstructions: UInt64?

    @Flag(name: .long, help: "Print guest instructions retired, wall time and guest MIPS at exit.")
    var stats = false

    @Option(name: .customLong("console-file"), help: "Write the console to this file instead of standard output.")
    var consoleFile: String?

    /// Builds, boots and runs the machine; returns the exit status.
    func run(machine options: MachineOptions, boot: BootOptions, forwardHandlers: [any FirmwareService] = [],
             kernelBytes: [UInt8]? = nil, policyOverride: FirmwarePolicy? = nil) throws -> Int32 {
        if let trace, trace != "firmware" { throw CommandError("--trace: '\(trace)' is not traceable (firmware)") }
        var configuration = try options.configuration(forwardHandlers: forwardHandlers, basePolicy: policyOverride)
        configuration.rebootOnReset = !noReboot

        let console = try ConsoleWriter(path: consoleFile)
        let vm: VirtMachine
        do { vm = try VirtMachine(configuration, transmit: console.write) } catch { throw CommandError(error.description) }

        let kernel = try kernelBytes ?? readFile(boot.kernel, what: "kernel")
        let initrd = try boot.initrd.map { try readFile($0, what: "initrd") }
        let userDTB = try boot.dtb.map { (path: $0, bytes: try readFile($0, what: "device tree")) }
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
        if trace != nil { vm.traceSinks.append(counter) }
        if trace != nil { vm.traceSinks.append(FirmwareTracePrinter()) }
        if let traceFile { vm.traceSinks.append(try FirmwareTraceJSONWriter(path: traceFile)) }

        if trace == nil {
            vm.diagnostics = { FileHandle.standardError.write(Data("conduit: \($0)\n".utf8)) }
        }
        let input = TerminalConsole()
        vm.consoleInput = input
        let exit = vm.run(timeout: timeout, instructionLimit: maxInstructions)
        input.close()
        console.flush()

        let status = Self.status(of: exit)
        if exit != .systemOff && exit != .quit {
            FileHandle.standardError.write(Data("conduit: \(Self.describe(exit))\n".utf8))
        }
        if trace != nil {
            FileHandle.standardError.write(Data((counter.table() + "\n").utf8))
        }
        if stats {
            let instructions = vm.instructionsRetired
            let mips = vm.runSeconds > 0 ? Double(instructions) / vm.runSeconds / 1e6 : 0
            let line = String(format: "stats: %llu guest instructions in %.3f s, %.1f MIPS, %d vCPUs, %d resets",
                              instructions, vm.runSeconds, mips, vm.cpus.count, vm.resets)
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        return status
    }

    static func status(of exit: MachineExit) -> Int32 {
        switch exit {
        case .systemOff, .quit: return 0
        case .guestCrashed: return 2
        case .reset: return 3
        case .timeout: return 4
        case .halted: return 5
        case .instructionLimit: return 6
        }
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
        }
    }
}

/// The console's output: standard output or a file, flushed at each newline.
final class ConsoleWriter {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(path: String?) throws {
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                throw CommandError("--console-file: cannot create \(path)")
            }
            self.handle = handle
        } else {
            handle = .standardOutput
        }
    }

    func write(_ byte: UInt8) {
        buffer.append(byte)
        if byte == 0x0A || buffer.count >= 4096 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
