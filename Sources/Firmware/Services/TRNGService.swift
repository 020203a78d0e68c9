import Glibc
import SMCCC
import Synchronization

/// The True Random Number Generator firmware interface 1.0 (DEN0098), with KVM's semantics
/// (arch/arm64/kvm/trng.c).
///
/// Entropy comes from the host's cryptographic generator, or, for reproducible runs, from a
/// seeded deterministic stream.
///
/// Where Conduit differs from the specification or from KVM, on purpose:
/// - A request for 0 bits succeeds with no bits, as in KVM (DEN0098 asks for N >= 1); Linux's
///   KVM selftests depend on it.
/// - TRNG_RND64 compares the whole of X1 with 192. KVM truncates X1 to 32 bits first, so a
///   request for 2^32 bits "succeeds" there with no bits.
public final class TRNGService: FirmwareService {
    /// The name calls answered here are traced with (static, so routing copies no string).
    public static let serviceName: StaticString = "TRNG 1.0"
    public let name = TRNGService.serviceName.description
    public let isEnabled: Bool
    private let source: Mutex<EntropyStream>

    public init(entropy: EntropySource, isEnabled: Bool) {
        self.isEnabled = isEnabled
        self.source = Mutex(EntropyStream(entropy))
    }

    public var functions: [ServiceFunctions] {
        [
            ServiceFunctions(FunctionIDRange(first: 0x8400_0050, last: 0x8400_0053), label: name, isEnabled: isEnabled),
            ServiceFunctions(FunctionIDRange(TRNGFunction.TRNG_RND64), label: name, isEnabled: isEnabled),
        ]
    }

    public func handle(_ call: inout FirmwareCall) -> CallOutcome {
        switch call.functionID {
        case TRNGFunction.TRNG_VERSION:
            call.setResults(UInt64(SMCCCVersion.v1_0.rawValue))
        case TRNGFunction.TRNG_FEATURES:
            switch FunctionID(register: call.x1) {
            case TRNGFunction.TRNG_VERSION, TRNGFunction.TRNG_FEATURES, TRNGFunction.TRNG_GET_UUID,
                TRNGFunction.TRNG_RND32, TRNGFunction.TRNG_RND64:
                call.setResult(TRNGReturn.success)
            default:
                call.setResult(TRNGReturn.notSupported)
            }
        case TRNGFunction.TRNG_GET_UUID:
            let uuid = SMCCCUUID.kvmTRNG
            call.setResults(UInt64(uuid.w0), UInt64(uuid.w1), UInt64(uuid.w2), UInt64(uuid.w3))
        case TRNGFunction.TRNG_RND32:
            random(bits: call.x1, wordBits: 32, into: &call)
        case TRNGFunction.TRNG_RND64:
            random(bits: call.x1, wordBits: 64, into: &call)
        default:
            call.setResult(TRNGReturn.notSupported)
        }
        return .resume
    }

    /// TRNG_RND32/64: `bits` random bits, right-aligned across X1-X3 (X3 holds the lowest
    /// word), with every bit above the request zero (DEN0098 §2.5).
    private func random(bits: UInt64, wordBits: UInt64, into call: inout FirmwareCall) {
        guard bits <= 3 * wordBits else {
            call.setResult(TRNGReturn.invalidParameter)
            return
        }
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        source.withLock { stream in
            func word(_ index: UInt64) -> UInt64 {
                let wanted = min(max(Int64(bits) - Int64(index * wordBits), 0), Int64(wordBits))
                guard wanted > 0 else { return 0 }
                let value = stream.next()
                return wanted == 64 ? value : value & ((1 << UInt64(wanted)) - 1)
            }
            words = (word(0), word(1), word(2))
        }
        call.setResults(TRNGReturn.success.registerValue, words.2, words.1, words.0)
    }
}

/// A stream of random words from an ``EntropySource``: TRNG's, or the device tree's seeds.
public struct EntropyStream: Sendable {
    /// What the words are for. Under a seeded source each use draws from its own stream, so
    /// adding one never shifts the words another sees.
    public enum Domain: UInt64, Sendable {
        case trng = 0
        /// `/chosen/kaslr-seed` and `rng-seed`.
        case deviceTreeSeeds = 0x6474_2D73_6565_6473  // "dt-seeds"
    }

    private var system = BufferedSystemRandom()
    private var seeded: SplitMix64?

    public init(_ source: EntropySource, domain: Domain = .trng) {
        if case .seeded(let seed) = source { seeded = SplitMix64(seed: seed ^ domain.rawValue) }
    }

    public mutating func next() -> UInt64 {
        if seeded != nil { return seeded!.next() }
        return system.next()
    }
}

/// The host's cryptographic generator (the kernel's, through /dev/urandom), read 512 bytes at a
/// time: one system call per 64 words instead of one per word, which makes a TRNG_RND64 call some
/// 20 times cheaper. If /dev/urandom cannot be read, the standard library's generator (getrandom)
/// fills the buffer word by word.
struct BufferedSystemRandom: Sendable {
    private var words = [UInt64](repeating: 0, count: 64)
    private var used = 64
    private var fallback = SystemRandomNumberGenerator()
    private static let urandom = open("/dev/urandom", O_RDONLY | O_CLOEXEC)

    mutating func next() -> UInt64 {
        if used == words.count { refill() }
        defer { used += 1 }
        return words[used]
    }

    private mutating func refill() {
        let filled = words.withUnsafeMutableBytes { buffer in
            Self.urandom >= 0 && read(Self.urandom, buffer.baseAddress, buffer.count) == buffer.count
        }
        if !filled {
            for index in words.indices { words[index] = fallback.next() }
        }
        used = 0
    }
}

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", 2014):
/// a small, well-distributed, deterministic generator for reproducible runs. Not cryptographic.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
