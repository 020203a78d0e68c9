import AArch64
@testable import Machine
import Testing

/// The interrupt state machine both GICs share (IHI0069H chapter 4; IHI0048B chapter 3):
/// pending and active states, triggering, priority masking and preemption, end of interrupt.
struct GICCoreTests {
    final class Counter: CounterSource { var counter: UInt64 = 0 }

    /// A core over `count` CPUs with both groups and Group 1 interfaces enabled, PMR open.
    func core(cpus count: Int = 1) -> (GICCore, [AArch64CPU]) {
        let memory = PhysicalMemory()
        let cpus = (0..<count).map { AArch64CPU(index: $0, memory: memory, counter: Counter()) }
        let core = GICCore(cpus: cpus, sharedCount: 64)
        core.distributorGroup0Enabled = true
        core.distributorGroup1Enabled = true
        for cpu in 0..<count {
            core.interfaces[cpu].group1Enabled = true
            core.interfaces[cpu].priorityMask = 0xF8
        }
        return (core, cpus)
    }

    func enable(_ core: GICCore, _ intid: Int, cpu: Int = 0, priority: UInt8 = 0x80, edge: Bool = false) {
        core.withInterrupt(intid, cpu: cpu) {
            $0.enabled = true
            $0.group1 = true
            $0.priority = priority
            $0.edgeTriggered = edge
        }
    }

    @Test func levelInterruptsArePendingWhileTheLineIsHigh() {
        let (core, cpus) = core()
        enable(core, 40)
        core.setLevel(40, cpu: 0, level: true)
        #expect(cpus[0].irqLine)
        core.setLevel(40, cpu: 0, level: false)
        #expect(!cpus[0].irqLine)  // nothing latched for a level-sensitive input
    }

    @Test func edgeInterruptsLatchUntilAcknowledged() {
        let (core, cpus) = core()
        enable(core, 41, edge: true)
        core.setLevel(41, cpu: 0, level: true)
        core.setLevel(41, cpu: 0, level: false)
        #expect(cpus[0].irqLine)
        #expect(core.acknowledge(cpu: 0, group1: true).intid == 41)
        #expect(!cpus[0].irqLine)                      // active, no longer pending
        #expect(core.interfaces[0].runningPriority == 0x80)  // BPR1 3: bits 7:3, all of a 5-bit priority
        core.endOfInterrupt(cpu: 0, intid: 41)
        #expect(core.interfaces[0].runningPriority == 0xFF)
        #expect(!core.interrupt(41, cpu: 0).active)
    }

    @Test func onlyAHigherGroupPriorityPreempts() {
        let (core, cpus) = core()
        core.interfaces[0].binaryPoint1 = 4        // Group 1: group priority in bits 7:4
        enable(core, 42, priority: 0x88)
        enable(core, 43, priority: 0x80)           // higher priority, same group priority (0x80)
        enable(core, 44, priority: 0x70)           // a higher group priority
        core.setLevel(42, cpu: 0, level: true)
        #expect(core.acknowledge(cpu: 0, group1: true).intid == 42)
        #expect(core.interfaces[0].runningPriority == 0x80)  // the group priority of 0x88
        core.setLevel(43, cpu: 0, level: true)
        #expect(!cpus[0].irqLine)
        core.setLevel(44, cpu: 0, level: true)
        #expect(cpus[0].irqLine)
        #expect(core.acknowledge(cpu: 0, group1: true).intid == 44)
        #expect(core.interfaces[0].runningPriority == 0x70)
        core.setLevel(44, cpu: 0, level: false)
        core.endOfInterrupt(cpu: 0, intid: 44)
        core.setLevel(42, cpu: 0, level: false)
        core.endOfInterrupt(cpu: 0, intid: 42)
        #expect(core.acknowledge(cpu: 0, group1: true).intid == 43)  // now it is taken
    }

    @Test func thePriorityMaskHoldsInterruptsBack() {
        let (core, cpus) = core()
        enable(core, 45, priority: 0xA0)
        core.interfaces[0].priorityMask = 0xA0
        core.setLevel(45, cpu: 0, level: true)
        #expect(!cpus[0].irqLine)
        #expect(core.acknowledge(cpu: 0, group1: true).intid == GICCore.spurious)
        core.interfaces[0].priorityMask = 0xA8
        core.update(cpu: 0)
        #expect(cpus[0].irqLine)
    }

    @Test func splitEOIDropsPriorityAndLeavesTheInterruptActiveUntilDIR() {
        let (core, _) = core()
        core.interfaces[0].splitEOI = true
        enable(core, 46, edge: true)
        core.setLevel(46, cpu: 0, level: true)
        #expect(core.acknowledge(cpu: 0, group1: true).intid == 46)
        core.endOfInterrupt(cpu: 0, intid: 46)
        #expect(core.interfaces[0].runningPriority == 0xFF)
        #expect(core.interrupt(46, cpu: 0).active)
        core.deactivate(cpu: 0, intid: 46)
        #expect(!core.interrupt(46, cpu: 0).active)
    }

    @Test func oneOfNRoutingGoesToWhicheverCPUTakesItFirst() {
        let (core, cpus) = core(cpus: 2)
        enable(core, 47)
        core.routes[47 - 32] = .any
        core.setLevel(47, cpu: 0, level: true)
        #expect(cpus[0].irqLine && cpus[1].irqLine)
        #expect(core.acknowledge(cpu: 1, group1: true).intid == 47)
        #expect(!cpus[0].irqLine)                      // active now: no longer offered to vCPU 0
    }

    @Test func gicv2SGIsQueueOnePerSourceCPU() {
        let (core, _) = core(cpus: 3)
        enable(core, 5, cpu: 2)
        core.raiseSGI(5, target: 2, source: 0)
        core.raiseSGI(5, target: 2, source: 1)
        let first = core.acknowledge(cpu: 2, group1: true)
        #expect(first.intid == 5 && first.source == 0)
        core.endOfInterrupt(cpu: 2, intid: 5)
        let second = core.acknowledge(cpu: 2, group1: true)
        #expect(second.intid == 5 && second.source == 1)
        core.endOfInterrupt(cpu: 2, intid: 5)
        #expect(core.acknowledge(cpu: 2, group1: true).intid == GICCore.spurious)
    }

    @Test func group0IsSignalledAsFIQ() {
        let (core, cpus) = core()
        core.interfaces[0].group0Enabled = true
        core.withInterrupt(48, cpu: 0) {
            $0.enabled = true
            $0.group1 = false
            $0.priority = 0x10
        }
        core.setLevel(48, cpu: 0, level: true)
        #expect(cpus[0].fiqLine)
        #expect(!cpus[0].irqLine)
    }
}
