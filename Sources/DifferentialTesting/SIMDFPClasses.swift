import AArch64

/// Operands for the SIMD&FP classes: register values dense in the cases IEEE 754 and the ARM ARM
/// treat specially, and random FPCR and FPSR settings.
extension SeededGenerator {
    /// An element of `bits` (16, 32 or 64) width: signed zeros, infinities, quiet and signalling
    /// NaNs with payloads, denormals, the extremes of the normal range, values next to 1.0 and
    /// with rounding-boundary fractions, and random encodings.
    mutating func floatingPointElement(bits: Int) -> UInt64 {
        let exponentBits = bits == 16 ? 5 : bits == 32 ? 8 : 11
        let fractionBits = bits - 1 - exponentBits
        let fractionMask: UInt64 = (1 << UInt64(fractionBits)) - 1
        let maxExponent: UInt64 = (1 << UInt64(exponentBits)) - 1
        let bias = maxExponent >> 1
        let sign: UInt64 = chance(50) ? 1 << UInt64(bits - 1) : 0
        func make(_ exponent: UInt64, _ fraction: UInt64) -> UInt64 { sign | exponent << UInt64(fractionBits) | fraction & fractionMask }
        let quiet: UInt64 = 1 << UInt64(fractionBits - 1)
        switch below(16) {
        case 0: return make(0, 0)
        case 1: return make(maxExponent, 0)
        case 2: return make(maxExponent, quiet | below(quiet))  // quiet NaN with a payload
        case 3: return make(maxExponent, 1 + below(quiet - 1))  // signalling NaN
        case 4: return make(0, 1 + below(fractionMask))  // denormal
        case 5: return make(1 + below(2), next())  // smallest normals
        case 6: return make(maxExponent - 1 - below(2), next())  // largest normals
        case 7: return make(bias, below(4))  // 1.0 and just above
        case 8: return make(bias - 1, fractionMask - below(4))  // just below 1.0
        case 9:
            // A fraction ending in a rounding boundary of a narrower format: ...1000...
            let cut = UInt64(below(UInt64(fractionBits)))
            return make(bias - 8 + below(16), (next() & ~((1 << cut) - 1)) | (cut > 0 ? 1 << (cut - 1) : 0))
        case 10, 11: return make(bias - 12 + below(24), next())  // moderate magnitudes
        case 12: return make(below(maxExponent + 1), next())
        default: return next() & (bits == 64 ? ~0 : (1 << UInt64(bits)) - 1)
        }
    }

    /// A 128-bit register: lanes of one random element size, floating-point or plain bits.
    mutating func vectorRegister() -> (UInt64, UInt64) {
        switch below(5) {
        case 0: return (value(), value())
        case 1: return (next(), next())
        default:
            let bits = [16, 32, 64, 64][Int(below(4))]
            var halves: [UInt64] = [0, 0]
            for half in 0..<2 {
                for lane in 0..<(64 / bits) {
                    halves[half] |= floatingPointElement(bits: bits) << UInt64(lane * bits)
                }
            }
            return (halves[0], halves[1])
        }
    }

    /// FPCR: any rounding mode; FZ, DN and AHP each in about a third of the cases.
    mutating func fpcr() -> UInt64 {
        below(4) << 22 | (chance(30) ? 1 << 24 : 0) | (chance(30) ? 1 << 25 : 0) | (chance(25) ? 1 << 26 : 0)
    }

    /// FPSR: usually clear, so that every flag an instruction raises shows; sometimes preset.
    mutating func fpsr() -> UInt64 { chance(80) ? 0 : next() & FloatingPointStatus.writable }

    /// The SIMD&FP part of a test case.
    mutating func simdState() -> (vectors: [UInt64], fpcr: UInt64, fpsr: UInt64) {
        var vectors: [UInt64] = []
        for _ in 0..<32 {
            let (low, high) = vectorRegister()
            vectors += [low, high]
        }
        return (vectors, fpcr(), fpsr())
    }
}

extension InstructionClass {
    /// The SIMD&FP classes.
    static let simdAndFloatingPoint: [InstructionClass] = [fpLoadStore, fpLoadStorePair, fpLoadLiteral, structures]
        + simdDataProcessing

    /// One class per data-processing group of the table.
    static let simdDataProcessing: [InstructionClass] = [
        [.cryptoAES, .cryptoThreeRegisterSHA, .cryptoTwoRegisterSHA],
        [.simdThreeSame], [.simdScalarThreeSame], [.simdTwoRegisterMisc], [.simdScalarTwoRegisterMisc],
        [.simdShiftByImmediate], [.simdScalarShiftByImmediate], [.simdThreeDifferent], [.simdScalarThreeDifferent],
        [.simdIndexedElement], [.simdScalarIndexedElement], [.simdScalarPairwise, .simdAcrossLanes],
        [.simdCopy, .simdScalarCopy], [.simdPermute, .simdExtract, .simdTableLookup], [.simdModifiedImmediate],
        [.fpDataProcessing1Source], [.fpDataProcessing2Source], [.fpDataProcessing3Source],
        [.fpCompare, .fpConditionalCompare, .fpConditionalSelect, .fpImmediate],
        [.fpFixedConversion], [.fpIntegerConversion],
    ].map(simdData)

    /// Single instructions of `groups` on random general-purpose registers and NZCV and
    /// FP-dense V registers, FPCR and FPSR.
    static func simdData(_ groups: [A64.Group]) -> InstructionClass { withSIMDState(simple(groups)) }

    /// A single SIMD&FP load or store of `groups` with its base register in the data region.
    static func simdMemory(_ groups: [A64.Group], valid: @escaping @Sendable (UInt32) -> Bool = { _ in true }) -> InstructionClass {
        withSIMDState(memory(groups, index: true, valid: valid))
    }

    /// `inner`'s test cases with FP-dense V registers and random FPCR and FPSR added.
    static func withSIMDState(_ inner: InstructionClass) -> InstructionClass {
        InstructionClass(name: inner.name) { generator in
            guard var testCase = inner.make(&generator) else { return nil }
            let simd = generator.simdState()
            testCase.vectors = simd.vectors
            testCase.fpcr = simd.fpcr
            testCase.fpsr = simd.fpsr
            return testCase
        }
    }

    static let fpLoadStore = simdMemory([.loadStoreFPUnscaled, .loadStoreFPPostIndexed, .loadStoreFPPreIndexed,
                                         .loadStoreFPRegisterOffset, .loadStoreFPUnsignedImmediate])

    /// LDP with Rt = Rt2 is CONSTRAINED UNPREDICTABLE.
    static let fpLoadStorePair = simdMemory([.loadStoreFPPair]) { word in
        !(field(word, 22, 22) == 1 && field(word, 4, 0) == field(word, 14, 10))
    }

    static let structures = simdMemory([.loadStoreMultipleStructures, .loadStoreMultipleStructuresPostIndexed,
                                        .loadStoreSingleStructure, .loadStoreSingleStructurePostIndexed])

    static let fpLoadLiteral = InstructionClass(name: name([.loadFPLiteral])) { generator in
        var word = randomWord(in: [.loadFPLiteral], &generator)
        let target = dataPointer(&generator, alignment: generator.chance(70) ? 16 : 4) & ~3
        let offset = (target &- (DifferentialHarness.codeEnd - 4)) >> 2
        word = word & ~(0x7FFFF << 5) | UInt32(truncatingIfNeeded: offset & 0x7FFFF) << 5
        let state = randomState(&generator)
        let simd = generator.simdState()
        return TestCase(words: [word], x: state.x, sp: state.sp, nzcv: state.nzcv, writesMemory: false,
                        vectors: simd.vectors, fpcr: simd.fpcr, fpsr: simd.fpsr)
    }
}
