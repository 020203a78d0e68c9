import Firmware
import SMCCC

/// A board on top of `virt` (`--machine NAME`): the firmware its guests expect, declared rather
/// than guessed. A profile adds policy ranges routed to its own handlers, board conventions
/// outside SMCCC, a guest-side firmware blob, and the `/firmware` device-tree nodes that tell
/// the guest what exists.
public struct MachineProfile: Sendable {
    /// A policy range the profile adds, with the origin errors name.
    public struct Range: Sendable {
        public let range: FunctionIDRange
        public let action: PolicyAction
        public let handler: String?
    }

    public let name: String
    public var forwardHandlers: [any FirmwareService] = []
    public var ranges: [Range] = []
    public var legacyABIs: [LegacyCallABI] = []
    /// The conduits the board's firmware needs enabled (added to the policy's).
    public var conduits: ConduitSet = []
    public var firmwareBlob: FirmwareBlob?
    /// `/firmware` children: a compatible string and the function ID whose conduit the node's
    /// `method` names (the node is left out when no conduit answers it).
    public var firmwareNodes: [(name: String, compatible: [String], probe: UInt32)] = []

    public init(name: String) { self.name = name }

    /// Plain QEMU `virt`: no board firmware.
    public static let virt = MachineProfile(name: "virt")

    /// Applies the profile's ranges and conduits to `policy`. A clash with the user's own ranges
    /// is an error naming the profile.
    func apply(to policy: inout FirmwarePolicy) throws(MachineError) {
        policy.conduits = ConduitSet(rawValue: policy.conduits.rawValue | conduits.rawValue)
        if conduits.contains(.smc), policy.smcPreset == .undefined { policy.apply(.psci) }
        for range in ranges {
            do {
                try policy.addRange(range.range, action: range.action, handler: range.handler, origin: "machine \(name)")
            } catch {
                throw .firmware("--machine \(name): \(error)")
            }
        }
    }
}

/// A guest-side firmware image and where the firmware world finds it.
public struct FirmwareBlob: Sendable {
    /// The ELF or raw image.
    public var image: [UInt8]
    /// The firmware region: RAM that exists only in the firmware world (QEMU `virt`'s secure
    /// RAM window, 0x0E00_0000, 16 MiB).
    public var regionBase: UInt64 = 0x0E00_0000
    public var regionSize: UInt64 = 0x0100_0000
    /// The monitor vector base (MVBAR's role): calls enter at `vectorBase + 0x400`, the
    /// "synchronous, lower EL, AArch64" slot of an A64 vector table.
    public var vectorBase: UInt64 = 0x0E00_0000
    /// Each vCPU's firmware stack starts at `stackTop - index * stackSize`.
    public var stackTop: UInt64 = 0x0F00_0000
    public var stackSize: UInt64 = 0x4000
    /// Instructions one call may run before the VMM gives up on it.
    public var budget: Int = 1_000_000

    public init(image: [UInt8]) { self.image = image }

    /// The offset of the call entry from the vector base.
    public static let entryOffset: UInt64 = 0x400
    /// `HVC #0xFFFF` from the firmware world ends the call; X0-X17 are its results.
    public static let returnImmediate: UInt16 = 0xFFFF
}
