import Firmware
import SMCCC

extension MachineProfile {
    /// `--machine highbank64`: `virt` plus the Highbank SiP services two ways, so they can be
    /// compared result for result:
    /// - SMC32 SiP calls (0x82000000-0x820000ff) are forwarded to ``HighbankSiPService`` in the
    ///   VMM, and the OMAP4 r12 convention from AArch32 reaches it too (declared, never guessed);
    /// - SMC64 SiP calls (0xC2000000-0xC20000ff) go to the guest-side firmware blob (`firmware`
    ///   action) when one is given: Guests/firmware, which implements the same functions.
    /// SMC is enabled (Highbank's firmware is reached with SMC); `/firmware` describes both.
    public static func highbank64(blob: [UInt8]?) -> MachineProfile {
        var profile = MachineProfile(name: "highbank64")
        let service = HighbankSiPService(range: FunctionIDRange(first: 0x8200_0000, last: 0x8200_00FF))
        profile.forwardHandlers = [service]
        profile.conduits = .smc
        profile.ranges = [Range(range: FunctionIDRange(first: 0x8200_0000, last: 0x8200_00FF), action: .forward,
                                handler: HighbankSiPService.serviceName)]
        profile.legacyABIs = [service.omapMonitorABI()]
        profile.firmwareNodes = [(name: "highbank-sip", compatible: ["conduit,highbank64-sip"], probe: 0x8200_0004)]
        if let blob {
            profile.firmwareBlob = FirmwareBlob(image: blob)
            profile.ranges.append(Range(range: FunctionIDRange(first: 0xC200_0000, last: 0xC200_00FF), action: .firmware, handler: nil))
            profile.firmwareNodes.append((name: "monitor", compatible: ["conduit,firmware-blob", "conduit,highbank64-sip"],
                                          probe: 0xC200_0004))
        }
        return profile
    }

    /// The profiles `--machine` knows.
    public static let names = ["virt", "highbank64"]
}
