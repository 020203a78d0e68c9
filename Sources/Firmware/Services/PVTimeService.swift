import SMCCC

/// Paravirtualised time for Arm-based systems (DEN0057A), the Standard Hypervisor Service:
/// each vCPU may have a 64-byte stolen-time record in guest memory, whose address the VMM sets
/// before the VM starts (KVM's `KVM_ARM_VCPU_PVTIME_IPA` attribute).
///
/// The record is `{ le32 revision = 0; le32 attributes = 0; le64 stolen_time; pad[48] }`; a VMM
/// that sets records adds the time a runnable vCPU waited for a host thread with
/// ``addStolenTime(_:nanoseconds:)``. Conduit's own virt board sets none, so there PV_TIME_ST
/// answers NOT_SUPPORTED and the guest reads no steal time rather than a record that stays 0.
public final class PVTimeService: FirmwareService {
    /// The name calls answered here are traced with (static, so routing copies no string).
    public static let serviceName: StaticString = "PV time"
    public let name = PVTimeService.serviceName.description
    public let isEnabled: Bool
    /// Stolen-time record address of each vCPU, or nil where none is configured.
    public let recordAddresses: [UInt64?]
    private let memory: (any GuestPhysicalMemory)?

    /// The size of a stolen-time record, which is also its required alignment.
    public static let recordSize: UInt64 = 64

    public init(isEnabled: Bool, recordAddresses: [UInt64?], memory: (any GuestPhysicalMemory)?) {
        self.isEnabled = isEnabled
        self.recordAddresses = recordAddresses
        self.memory = memory
    }

    public var functions: [ServiceFunctions] {
        [ServiceFunctions(FunctionIDRange(first: 0xC500_0020, last: 0xC500_0021), label: "PV time (DEN0057A)", isEnabled: isEnabled)]
    }

    public func handle(_ call: inout FirmwareCall) -> CallOutcome {
        let address = recordAddress(of: call.caller.vcpu)
        switch call.functionID {
        case PVTimeFunction.PV_TIME_FEATURES:
            // KVM reads the queried ID as 32 bits.
            switch FunctionID(register: call.x1) {
            case PVTimeFunction.PV_TIME_FEATURES, PVTimeFunction.PV_TIME_ST:
                call.setResult(address == nil ? SMCCCReturn.notSupported : SMCCCReturn.success)
            default:
                call.setResult(SMCCCReturn.notSupported)
            }
        case PVTimeFunction.PV_TIME_ST:
            guard let address, let memory,
                memory.write([UInt8](repeating: 0, count: Int(Self.recordSize)), at: address)
            else {
                call.setResult(SMCCCReturn.notSupported)
                return .resume
            }
            call.setResults(address)
        default:
            call.setResult(SMCCCReturn.notSupported)
        }
        return .resume
    }

    /// Adds `nanoseconds` to `vcpu`'s stolen time, if it has a record. Call it from the thread
    /// that runs the vCPU, so that two read-modify-writes of one record never race.
    public func addStolenTime(_ vcpu: Int, nanoseconds: UInt64) {
        guard let address = recordAddress(of: vcpu), let memory,
            let bytes = memory.read(count: 8, at: address + 8)
        else { return }
        let current = bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        let total = current &+ nanoseconds
        _ = memory.write((0..<8).map { UInt8(truncatingIfNeeded: total >> (8 * $0)) }, at: address + 8)
    }

    private func recordAddress(of vcpu: Int) -> UInt64? {
        guard vcpu >= 0, vcpu < recordAddresses.count else { return nil }
        return recordAddresses[vcpu]
    }
}
