// Just enough of the flattened device tree (DTSpec 0.4, chapter 5) to learn what the VMM
// promises: the CPUs' MPIDRs, the PSCI method and version, and the interrupt controller.

struct MachineDescription {
    var cpuCount = 0
    var mpidrs: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                 UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var hasPSCI = false
    var psciUsesSMC = false
    var psci1 = false
    var gicVersion = 0
    /// `/firmware/highbank-sip`: board services in the VMM, and their `method`.
    var hasBoardServices = false
    /// `/firmware/monitor`: a guest-side firmware blob.
    var hasFirmwareBlob = false

    static let maximumCPUs = 16

    func mpidr(_ index: Int) -> UInt64 {
        withUnsafeBytes(of: mpidrs) { $0.load(fromByteOffset: index * 8, as: UInt64.self) }
    }

    mutating func addCPU(_ mpidr: UInt64) {
        guard cpuCount < Self.maximumCPUs else { return }
        withUnsafeMutableBytes(of: &mpidrs) { $0.storeBytes(of: mpidr, toByteOffset: cpuCount * 8, as: UInt64.self) }
        cpuCount += 1
    }

    /// Reads the blob at `address`; nil if there is none.
    static func read(at address: UInt64) -> MachineDescription? {
        guard let base = UnsafePointer<UInt8>(bitPattern: UInt(address)) else { return nil }
        func be32(_ p: UnsafePointer<UInt8>) -> UInt32 {
            UInt32(p[0]) << 24 | UInt32(p[1]) << 16 | UInt32(p[2]) << 8 | UInt32(p[3])
        }
        guard be32(base) == 0xD00D_FEED else { return nil }
        let strings = base + Int(be32(base + 12))
        var p = base + Int(be32(base + 8))
        var description = MachineDescription()
        var depth = 0
        var nodeName = base  // the innermost node's name
        var parentIsCPUs = false
        var inCPUs = false
        var inFirmware = false
        func align(_ pointer: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
            UnsafePointer(bitPattern: (UInt(bitPattern: pointer) + 3) & ~3)!
        }
        func equals(_ s: UnsafePointer<UInt8>, _ literal: StaticString) -> Bool {
            literal.withUTF8Buffer { buffer in
                for index in 0..<buffer.count where s[index] != buffer[index] { return false }
                return s[buffer.count] == 0
            }
        }
        func startsWith(_ s: UnsafePointer<UInt8>, _ literal: StaticString) -> Bool {
            literal.withUTF8Buffer { buffer in
                for index in 0..<buffer.count where s[index] != buffer[index] { return false }
                return true
            }
        }
        func listContains(_ value: UnsafePointer<UInt8>, length: Int, _ literal: StaticString) -> Bool {
            var offset = 0
            while offset < length {
                if equals(value + offset, literal) { return true }
                while offset < length && value[offset] != 0 { offset += 1 }
                offset += 1
            }
            return false
        }
        while true {
            let token = be32(p)
            p += 4
            switch token {
            case 1:  // FDT_BEGIN_NODE
                depth += 1
                nodeName = p
                if depth == 2 {
                    inCPUs = equals(p, "cpus")
                    inFirmware = equals(p, "firmware")
                }
                if depth == 3 && inFirmware {
                    if equals(p, "highbank-sip") { description.hasBoardServices = true }
                    if equals(p, "monitor") { description.hasFirmwareBlob = true }
                }
                parentIsCPUs = depth == 3 && inCPUs
                while p.pointee != 0 { p += 1 }
                p = align(p + 1)
            case 2:  // FDT_END_NODE
                depth -= 1
                parentIsCPUs = false
            case 3:  // FDT_PROP
                let length = Int(be32(p))
                let name = strings + Int(be32(p + 4))
                let value = p + 8
                if parentIsCPUs && startsWith(nodeName, "cpu@") && equals(name, "reg") {
                    var mpidr = UInt64(be32(value))
                    if length == 8 { mpidr = mpidr << 32 | UInt64(be32(value + 4)) }
                    description.addCPU(mpidr)
                }
                if depth == 2 && equals(nodeName, "psci") {
                    description.hasPSCI = true
                    if equals(name, "method") { description.psciUsesSMC = equals(value, "smc") }
                    if equals(name, "compatible") { description.psci1 = listContains(value, length: length, "arm,psci-1.0") }
                }
                if depth == 2 && startsWith(nodeName, "intc@") && equals(name, "compatible") {
                    if listContains(value, length: length, "arm,gic-v3") { description.gicVersion = 3 }
                    if listContains(value, length: length, "arm,cortex-a15-gic") { description.gicVersion = 2 }
                }
                p = align(value + length)
            case 4:  // FDT_NOP
                continue
            default:  // FDT_END
                return description
            }
        }
    }
}
