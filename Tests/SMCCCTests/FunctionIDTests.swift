import SMCCC
import Testing

/// DEN0028 Table 2-1: the fields of a function identifier.
@Suite struct FunctionIDFieldTests {
    @Test func psciCPUOn64() {
        let id = FunctionID(0xC400_0003)
        #expect(id.callType == .fast)
        #expect(id.convention == .smc64)
        #expect(id.owner == .standardSecure)
        #expect(id.owner.rawValue == 4)
        #expect(id.number == 0x0003)
        #expect(id.isWellFormed)
        #expect(!id.hasSVEHint)
        #expect(id.name.text == "CPU_ON")
        #expect(id.interface == .psci)
    }

    @Test func sipCall() {
        let id = FunctionID(0x8200_0102)
        #expect(id.callType == .fast)
        #expect(id.convention == .smc32)
        #expect(id.owner == .sip)
        #expect(id.owner.name.text == "SiP Service")
        #expect(id.number == 0x102)
        #expect(id.name == nil)
        #expect(id.interface == nil)
    }

    @Test func yieldingCall() {
        let id = FunctionID(0x3200_0001)
        #expect(id.callType == .yielding)
        #expect(id.convention == .smc32)
        #expect(id.owner.rawValue == 50)
        #expect(id.owner.name.text == "Trusted OS")
        // Bits 23:16 are the owner's business in a yielding call.
        #expect(FunctionID(0x32FF_0001).isWellFormed)
    }

    @Test func onlyLow32BitsOfX0Count() {
        #expect(FunctionID(register: 0xDEAD_BEEF_8400_0000) == PSCIFunction.PSCI_VERSION)
    }

    @Test func buildFromFields() {
        #expect(FunctionID(.fast, .smc64, owner: .standardSecure, number: 3) == PSCIFunction.CPU_ON_64)
        #expect(FunctionID(.fast, .smc32, owner: .vendorHypervisor, number: 0xFF01) == KVMVendorFunction.VENDOR_HYP_CALL_UID)
        #expect(FunctionID(.yielding, .smc32, owner: OwningEntity(63), number: 0).rawValue == 0x3F00_0000)
    }

    @Test(arguments: [
        (UInt32(0x8402_0000), false), (0x8480_0000, false), (0x84FE_0000, false), (0x8401_0000, true), (0x8400_0000, true),
    ])
    func reservedBits23To17MustBeZeroInFastCalls(raw: UInt32, wellFormed: Bool) {
        #expect(FunctionID(raw).isWellFormed == wellFormed)
    }

    @Test func sveHintIsBit16AndDoesNotChangeTheFunction() {
        let hinted = FunctionID(0xC401_0003)
        #expect(hinted.hasSVEHint)
        #expect(hinted.isWellFormed)
        #expect(hinted.withoutSVEHint == PSCIFunction.CPU_ON_64)
        #expect(hinted.name.text == "CPU_ON")
        // A yielding call has no SVE hint; bit 16 is then part of its number space.
        #expect(!FunctionID(0x0401_0000).hasSVEHint)
    }

    @Test func conventionConversions() {
        #expect(PSCIFunction.CPU_ON_64.as32Bit == PSCIFunction.CPU_ON_32)
        #expect(PSCIFunction.AFFINITY_INFO_32.as64Bit == PSCIFunction.AFFINITY_INFO_64)
    }
}

/// DEN0028 Table 6-1: owning entity numbers and names.
@Suite struct OwningEntityTests {
    @Test(arguments: [
        (UInt8(0), "Arm Architecture Service"), (1, "CPU Service"), (2, "SiP Service"), (3, "OEM Service"),
        (4, "Standard Secure Service"), (5, "Standard Hypervisor Service"), (6, "Vendor Specific Hypervisor Service"),
        (7, "Vendor Specific EL3 Monitor Service"), (8, "Reserved for future use"), (47, "Reserved for future use"),
        (48, "Trusted Application"), (49, "Trusted Application"), (50, "Trusted OS"), (63, "Trusted OS"),
    ])
    func names(number: UInt8, name: String) {
        #expect("\(OwningEntity(number).name)" == name)
        #expect(OwningEntity(number).isReserved == (8...47).contains(number))
    }

    @Test func onlySixBitsAreKept() {
        #expect(OwningEntity(0x44).rawValue == 4)
    }
}

/// Return codes: each family spelled out, always sign-extended to 64 bits.
@Suite struct ReturnCodeTests {
    @Test func smcccCodes() {
        #expect(SMCCCReturn.success.registerValue == 0)
        #expect(SMCCCReturn.notSupported.registerValue == 0xFFFF_FFFF_FFFF_FFFF)
        #expect(SMCCCReturn.notRequired.registerValue == 0xFFFF_FFFF_FFFF_FFFE)
        #expect(SMCCCReturn.invalidParameter.registerValue == 0xFFFF_FFFF_FFFF_FFFD)
        #expect(SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED == 1)
    }

    @Test func psciCodes() {
        let expected: [(PSCIReturn, UInt64, String)] = [
            (.success, 0, "SUCCESS"),
            (.notSupported, 0xFFFF_FFFF_FFFF_FFFF, "NOT_SUPPORTED"),
            (.invalidParameters, 0xFFFF_FFFF_FFFF_FFFE, "INVALID_PARAMETERS"),
            (.denied, 0xFFFF_FFFF_FFFF_FFFD, "DENIED"),
            (.alreadyOn, 0xFFFF_FFFF_FFFF_FFFC, "ALREADY_ON"),
            (.onPending, 0xFFFF_FFFF_FFFF_FFFB, "ON_PENDING"),
            (.internalFailure, 0xFFFF_FFFF_FFFF_FFFA, "INTERNAL_FAILURE"),
            (.notPresent, 0xFFFF_FFFF_FFFF_FFF9, "NOT_PRESENT"),
            (.disabled, 0xFFFF_FFFF_FFFF_FFF8, "DISABLED"),
            (.invalidAddress, 0xFFFF_FFFF_FFFF_FFF7, "INVALID_ADDRESS"),
        ]
        #expect(expected.count == PSCIReturn.allCases.count)
        for (code, register, name) in expected {
            #expect(code.registerValue == register)
            #expect("\(code.name)" == name)
        }
    }

    @Test func trngCodesDifferFromSMCCC() {
        #expect(TRNGReturn.success.registerValue == 0)
        #expect(TRNGReturn.notSupported.registerValue == 0xFFFF_FFFF_FFFF_FFFF)
        #expect(TRNGReturn.invalidParameter.registerValue == 0xFFFF_FFFF_FFFF_FFFE)
        #expect(TRNGReturn.noEntropy.registerValue == 0xFFFF_FFFF_FFFF_FFFD)
        // The same -2 means different things in the two families.
        #expect(TRNGReturn.invalidParameter.rawValue == SMCCCReturn.notRequired.rawValue)
        #expect("\(TRNGReturn.invalidParameter.name)" != "\(SMCCCReturn.notRequired.name)")
    }
}

@Suite struct VersionTests {
    @Test func smcccVersions() {
        #expect(SMCCCVersion.v1_0.rawValue == 0x10000)
        #expect(SMCCCVersion.v1_1.rawValue == 0x10001)
        #expect(SMCCCVersion.v1_2.rawValue == 0x10002)
        #expect(SMCCCVersion.v1_5.rawValue == 0x10005)
        #expect(SMCCCVersion.v1_1 < .v1_2)
    }

    @Test func psciVersions() {
        #expect(PSCIVersion.v0_2.rawValue == 0x2)
        #expect(PSCIVersion.v1_0.rawValue == 0x10000)
        #expect(PSCIVersion.v1_3.rawValue == 0x10003)
        #expect(PSCIVersion(rawValue: 0x10002) == .v1_2)
    }
}

extension StaticString {
    /// The text, for comparisons in tests.
    var text: String { "\(self)" }
}

extension Optional where Wrapped == StaticString {
    var text: String? { map { "\($0)" } }
}
