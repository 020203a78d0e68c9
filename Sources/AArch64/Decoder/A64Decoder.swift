/// The A64 decoder: one 32-bit word in, one ``DecodedInstruction`` out. The encodings are the
/// rows of `ISA/A64.isa`, from which the build generates the decoder (`A64.decode`); each row's
/// lowering to the interpreter's operations lives in `Instructions/`, in the file of its ARM ARM
/// encoding class.
public enum A64Decoder {
    public static func decode(_ word: UInt32, features: CPUFeatures) -> DecodedInstruction {
        A64Lowering.decode(word, features: features)
    }

    /// A 16-bit system-register encoding: op0, op1, CRn, CRm, op2.
    @inline(__always) public static func systemRegisterEncoding(op0: UInt32, op1: UInt32, crn: UInt32, crm: UInt32, op2: UInt32) -> UInt16 {
        UInt16(op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2)
    }
}
