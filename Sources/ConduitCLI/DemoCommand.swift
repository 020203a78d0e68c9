import ArgumentParser
import Firmware
import Foundation
import Machine
import SMCCC

/// `conduit demo`: Conduit's main job on a built-in guest, with no files needed.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Boot the built-in demo guest: PSCI CPU_ON on every CPU, a forwarded board call, a denied call, a trace.",
        discussion: """
            The guest (Guests/demo, built from source and embedded in conduit) reads the device tree, \
            starts every CPU through PSCI CPU_ON, prints from each, calls the SiP function 0x82000001 \
            (forwarded to a board handler in the VMM) and the OEM function 0x83000000 (denied by the \
            policy), and powers off. The firmware trace is on. Without --policy, the demo policy is:
              0x82000000-0x8200ffff forward to demo-board; 0x83000000-0x8300ffff deny.
            """)

    @OptionGroup var machine: MachineOptions
    @OptionGroup var session: SessionOptions

    func run() throws {
        let machine = self.machine
        var session = self.session
        if session.trace == nil { session.trace = "firmware" }
        let boot = try BootOptions.parse(["--kernel", "<built-in demo guest>"])
        let usesDemoPolicy = try machine.policy == nil && machine.board().board == "virt"
        let status = try session.run(machine: machine, boot: boot, kernelBytes: EmbeddedGuests.demo,
                                     policyOverride: usesDemoPolicy ? Self.policy() : nil, defaultCPUs: 4)
        throw ExitCode(status)
    }

    /// The demo's policy: the default one plus a forwarded SiP range and a denied OEM range.
    static func policy() throws -> FirmwarePolicy {
        var policy = FirmwarePolicy()
        do {
            try policy.addRange(FunctionIDRange(first: 0x8200_0000, last: 0x8200_FFFF), action: .forward,
                                handler: DemoBoardService.serviceName, origin: "demo policy")
            try policy.addRange(FunctionIDRange(first: 0x8300_0000, last: 0x8300_FFFF), action: .deny, origin: "demo policy")
        } catch { throw CommandError("demo policy: \(error)") }
        return policy
    }
}
