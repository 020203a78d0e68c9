import Dispatch
import Firmware
import SMCCC
import Synchronization
import Testing

/// Many vCPUs race to start one target: exactly one CPU_ON returns SUCCESS, every other one
/// ALREADY_ON, every time (QEMU checks and sets in two steps and can let two through).
@Suite struct CPUOnRaceTests {
    @Test func exactlyOneSuccessAmongManyThreads() throws {
        let callers = 16
        let rounds = 500
        let vm = try TestVM(vcpus: callers + 1, on: Set(0..<callers))
        let target = vm.power.mpidrs[callers] & MPIDR.affinityMask

        for round in 0..<rounds {
            let successes = Atomic<Int>(0)
            let alreadyOn = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: callers) { caller in
                var call = FirmwareCall(
                    conduit: .hvc, caller: CallerState(vcpu: caller),
                    registers: [PSCIFunction.CPU_ON_64.x0, target, 0x4000_0000 + UInt64(caller) * 4, UInt64(caller)])
                _ = vm.router.dispatch(&call)
                switch call.results[0] {
                case 0: successes.add(1, ordering: .relaxed)
                case ALREADY_ON: alreadyOn.add(1, ordering: .relaxed)
                default: Issue.record("round \(round): unexpected result \(call.results[0])")
                }
            }
            #expect(successes.load(ordering: .relaxed) == 1, "round \(round)")
            #expect(alreadyOn.load(ordering: .relaxed) == callers - 1, "round \(round)")
            // The winner's entry point is the one recorded.
            let reset = try #require(vm.power.table.takePendingReset(callers))
            #expect(reset.entryPoint == 0x4000_0000 + reset.contextID * 4)
            vm.power.table.powerOff(callers)
        }
    }
}
