import AArch64
import Foundation
import Machine
import Synchronization

/// SIGUSR1 during a run prints where every vCPU is, without stopping the guest: the line
/// `--stats` prints at exit, on demand, for a guest that seems to hang (`kill -USR1 PID`).
enum StatusSignal {
    private static let requested = Atomic<Bool>(false)

    /// Installs the handler. Idempotent.
    static func install() {
        signal(SIGUSR1) { _ in StatusSignal.requested.store(true, ordering: .relaxed) }
    }

    /// Prints the snapshot if one was asked for since the last call; the machine calls it
    /// between scheduler rounds.
    static func reportIfRequested(_ vm: VirtMachine) {
        guard requested.exchange(false, ordering: .relaxed) else { return }
        var text = "status: \(vm.instructionsRetired) guest instructions\n"
        for (index, cpu) in vm.cpus.enumerated() {
            // The last exception's registers: a guest that loops on a fault shows it here.
            let esr = cpu.systemRegister(SystemRegisterEncoding.ESR_EL1) ?? 0
            let far = cpu.systemRegister(SystemRegisterEncoding.FAR_EL1) ?? 0
            let elr = cpu.systemRegister(SystemRegisterEncoding.ELR_EL1) ?? 0
            text += "status vCPU \(index): at \(hex(cpu.pc)) (EL\(cpu.el)), \(vm.power(of: index)); "
                + "ESR_EL1 \(hex(esr)), FAR_EL1 \(hex(far)), ELR_EL1 \(hex(elr))\n"
        }
        OutputFile.standardError.write(text)
    }
}
