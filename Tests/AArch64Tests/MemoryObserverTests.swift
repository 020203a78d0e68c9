@testable import AArch64
import Testing

/// How the physical memory tells its observers about writes to watched pages: only the
/// observers whose published reservation granule a write touches hear of it, and an observer
/// that has gone is never called.
@Suite struct MemoryObserverTests {
    /// Records every call.
    final class Recorder: MemoryObserver {
        var granulesWritten: [UInt64] = []
        var codePagesWritten: [UInt64] = []
        func invalidateCode(physicalPage page: UInt64) { codePagesWritten.append(page) }
        func stopFastWrites(physicalPage page: UInt64) {}
        func exclusiveGranuleWritten(_ granule: UInt64, by writer: Int) { granulesWritten.append(granule) }
    }

    static let base: UInt64 = 0x4000_0000
    /// Two granules of one page.
    static let first = base + 0x1000
    static let second = base + 0x1040

    static func memory() throws -> PhysicalMemory {
        let memory = PhysicalMemory()
        try memory.addRAM(base: base, size: 0x10000)
        let region = try #require(memory.ramRegion(containing: first))
        memory.watch(first, in: region, flag: PhysicalMemory.exclusivePage)
        return memory
    }

    @Test func onlyTheObserverHoldingTheGranuleHearsTheWrite() throws {
        let memory = try Self.memory()
        let a = Recorder(), b = Recorder()
        memory.addObserver(a).hold(Self.first)
        memory.addObserver(b).hold(Self.second)
        #expect(memory.write([1, 2, 3, 4], at: Self.first))
        #expect(a.granulesWritten == [Self.first])
        #expect(b.granulesWritten.isEmpty)
        // The write cleared A's reservation: a second write has no one to tell.
        #expect(memory.write([5], at: Self.first + 8))
        #expect(a.granulesWritten == [Self.first])
        // A write across the granule boundary touches both granules.
        #expect(memory.write([0, 0], at: Self.second - 1))
        #expect(b.granulesWritten == [Self.second])
        memory.removeObserver(a)
        memory.removeObserver(b)
    }

    @Test func aRemovedObserverHearsNothing() throws {
        let memory = try Self.memory()
        let a = Recorder(), b = Recorder(), c = Recorder()
        memory.addObserver(a).hold(Self.first)
        memory.addObserver(b).hold(Self.first)
        memory.addObserver(c).hold(Self.first)
        memory.removeObserver(b)
        memory.removeObserver(c)
        #expect(memory.write([1], at: Self.first))
        #expect(a.granulesWritten == [Self.first])
        #expect(b.granulesWritten.isEmpty && c.granulesWritten.isEmpty)
        memory.removeObserver(a)
    }

    /// The memory holds its observers unowned(unsafe): a vCPU leaves it in its deinit, so a
    /// write after the vCPU has gone reaches no freed object (the sanitizer run would see it).
    @Test func aFreedVCPULeavesTheMemory() throws {
        let memory = try Self.memory()
        do {
            let cpu = AArch64CPU(memory: memory, counter: ManualCounter())
            cpu.reservationCell?.hold(Self.first)
        }
        let survivor = Recorder()
        memory.addObserver(survivor).hold(Self.first)
        #expect(memory.write([1], at: Self.first))
        #expect(survivor.granulesWritten == [Self.first])
        memory.removeObserver(survivor)
    }
}
