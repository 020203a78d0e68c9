// The conformance guest's view of the machine: the assembly helpers in runtime.S, the PL011
// console and output without allocation (Embedded Swift, no heap).

@_extern(c, "smccc") func smcccTrampoline(_ registers: UnsafeMutablePointer<UInt64>, _ conduit: Int32)
@_extern(c, "run_at_el0") func runAtEL0(_ registers: UnsafeMutablePointer<UInt64>, _ conduit: Int32)
@_extern(c, "mmio_read32") func mmioRead32(_ address: UInt64) -> UInt32
@_extern(c, "mmio_write32") func mmioWrite32(_ address: UInt64, _ value: UInt32)
@_extern(c, "mmio_write8") func mmioWrite8(_ address: UInt64, _ value: UInt32)
@_extern(c, "atomic_add") func atomicAdd(_ pointer: UnsafeMutablePointer<UInt64>, _ value: UInt64) -> UInt64
@_extern(c, "atomic_load") func atomicLoad(_ pointer: UnsafeMutablePointer<UInt64>) -> UInt64
@_extern(c, "atomic_store") func atomicStore(_ pointer: UnsafeMutablePointer<UInt64>, _ value: UInt64)
@_extern(c, "cpu_relax") func cpuRelax()
@_extern(c, "wait_for_event") func waitForEvent()
@_extern(c, "read_mpidr") func readMPIDR() -> UInt64
@_extern(c, "read_counter") func readCounter() -> UInt64
@_extern(c, "read_current_el") func readCurrentEL() -> UInt64
@_extern(c, "read_sctlr") func readSCTLR() -> UInt64
@_extern(c, "write_virtual_timer") func writeVirtualTimer(_ ticks: UInt64, _ control: UInt64)
@_extern(c, "gicv3_cpu_interface_enable") func gicv3CPUInterfaceEnable()
@_extern(c, "gicv3_acknowledge") func gicv3Acknowledge() -> UInt64
@_extern(c, "exception_count_now") func exceptionCount() -> UInt64
@_extern(c, "exception_esr_now") func exceptionSyndrome() -> UInt64
@_extern(c, "enable_mmu") func enableMMU()
@_extern(c, "secondary_entry") func secondaryEntry()

/// Affinity bits of MPIDR_EL1 (Aff3, Aff2, Aff1, Aff0).
let affinityMask: UInt64 = 0xFF_00FF_FFFF

/// The PL011 data and flag registers.
enum Console {
    static let data: UInt64 = 0x0900_0000
    static let flags: UInt64 = 0x0900_0018

    static func put(_ byte: UInt8) {
        while mmioRead32(flags) & (1 << 5) != 0 {}
        mmioWrite32(data, UInt32(byte))
    }

    static func write(_ text: StaticString) {
        text.withUTF8Buffer { for byte in $0 { put(byte) } }
    }

    static func write(bytes pointer: UnsafePointer<UInt8>, count: Int) {
        for index in 0..<count { put(pointer[index]) }
    }

    static func hex(_ value: UInt64) {
        write("0x")
        var started = false
        var shift = 60
        while shift >= 0 {
            let digit = UInt8((value >> UInt64(shift)) & 0xF)
            if digit != 0 || started || shift == 0 {
                put(digit < 10 ? 48 + digit : 87 + digit)
                started = true
            }
            shift -= 4
        }
    }

    static func decimal(_ value: UInt64) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = 48 + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest != 0
            while count > 0 {
                count -= 1
                put(buffer[count])
            }
        }
    }

    /// A signed SMCCC status: decimal, with its sign.
    static func status(_ value: UInt64) {
        let signed = Int64(bitPattern: value)
        if signed < 0 {
            put(45)
            decimal(UInt64(-signed))
        } else {
            decimal(value)
        }
    }
}

/// Called by the vectors for an exception no test expected: report it and power off.
@_cdecl("unexpected_exception")
func unexpectedException(_ syndrome: UInt64, _ address: UInt64) {
    Console.write("unexpected exception: ESR ")
    Console.hex(syndrome)
    Console.write(" ELR ")
    Console.hex(address)
    Console.write("\n")
    _ = SMCCCCall.make(0x8400_0008)
}
