import AArch64
import Firmware
import Machine
import TestSupport

/// Collects what the guest prints.
final class ConsoleCapture {
    var bytes: [UInt8] = []
    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Collects firmware-call trace records.
final class TraceCapture: FirmwareTraceSink {
    var records: [FirmwareTraceRecord] = []
    func record(_ record: FirmwareTraceRecord) { records.append(record) }
}

/// A `virt` machine running an assembly snippet linked at 0x40200000, with instruction-counted
/// time so that runs are deterministic.
final class MachineHarness {
    static let codeBase: UInt64 = 0x4020_0000
    /// A scratch area tests read back.
    static let scratch: UInt64 = 0x4100_0000
    let console = ConsoleCapture()
    let trace = TraceCapture()
    let machine: VirtMachine

    /// Definitions every snippet can use.
    static let prelude = """
        .equ PSCI_VERSION, 0x84000000
        .equ PSCI_CPU_OFF, 0x84000002
        .equ PSCI_CPU_ON, 0xC4000003
        .equ PSCI_AFFINITY_INFO, 0xC4000004
        .equ PSCI_SYSTEM_OFF, 0x84000008
        .equ PSCI_SYSTEM_RESET, 0x84000009
        .equ SCRATCH, 0x41000000
        .equ UART, 0x09000000
        .equ GICD, 0x08000000
        .equ GICR, 0x080A0000
        .equ GICC, 0x08010000

        // Routes the virtual timer (PPI 27) of vCPU 0 through GICv3 as Group 1 with `priority`,
        // the CPU interface's mask at `pmr`. Clobbers X1 and X2.
        .macro route_virtual_timer_gicv3 priority=0, pmr=0xff
        ldr x1, =GICD
        mov w2, #3                  // GICD_CTLR: EnableGrp0 | EnableGrp1
        str w2, [x1]
        ldr x1, =GICR
        str wzr, [x1, #0x14]        // GICR_WAKER: wake the redistributor
        ldr x1, =GICR + 0x10000     // SGI_base
        mov w2, #(1 << 27)
        str w2, [x1, #0x80]         // IGROUPR0: Group 1
        str w2, [x1, #0x100]        // ISENABLER0
        mov w2, #\\priority
        strb w2, [x1, #0x400 + 27]  // IPRIORITYR byte for INTID 27
        mov x2, #\\pmr
        msr icc_pmr_el1, x2
        mov x2, #1
        msr icc_igrpen1_el1, x2
        isb
        .endm

        """

    init(_ source: String, configure: (inout MachineConfiguration) -> Void = { _ in }) throws {
        var configuration = MachineConfiguration()
        configuration.clockMode = .instructionCounted
        configure(&configuration)
        let console = self.console
        machine = try VirtMachine(configuration) { console.bytes.append($0) }
        machine.traceSinks = [trace]
        let code = try Assembler.assemble(Self.prelude + source, base: Self.codeBase)
        try machine.boot(BootPlan(segments: [BootPlan.Segment(name: "test", address: Self.codeBase, bytes: code)],
                                  entry: Self.codeBase, x0: 0))
    }

    func run(limit: UInt64 = 5_000_000) -> MachineExit { machine.run(instructionLimit: limit) }

    /// The 64-bit word at SCRATCH + 8 * index.
    func scratch(_ index: Int) -> UInt64 {
        machine.memory.readValue(at: Self.scratch + UInt64(index * 8), size: 8) ?? 0xDEAD
    }

    /// The 32-bit word `index` of the scratch area.
    func scratch32(_ index: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: machine.memory.readValue(at: Self.scratch + UInt64(index * 4), size: 4) ?? 0xDEAD)
    }
}
