/// How a vCPU executes guest instructions.
public enum ExecutionEngine: String, Sendable, CaseIterable {
    /// The interpreter (Execute/Interpreter.swift) only: every host, and the reference.
    case interpreter
    /// Hot blocks translated to x86-64 code (Translator/), the interpreter for the rest; on
    /// x86-64 hosts only (``isAvailable``).
    case translator

    /// Whether this host can run the engine.
    public var isAvailable: Bool {
        switch self {
        case .interpreter: return true
        case .translator:
            #if arch(x86_64)
            return true
            #else
            return false
            #endif
        }
    }
}

/// The translator's settings for one vCPU.
public struct TranslatorSettings: Sendable, Equatable {
    /// Bytes of host memory for translated code; when full, it is emptied and refilled.
    public var codeCacheSize: Int
    /// How many times a block starts in the interpreter before it is translated (0: at once).
    public var threshold: UInt64
    /// Whether each translation is named in /tmp/perf-PID.map for `perf report` (`--perf-map`).
    public var perfMap = false

    public static let defaultCodeCacheSize = 32 << 20
    /// The bounds `--code-cache` accepts: one page's worth of blocks at least, and 1 GiB at most.
    public static let codeCacheSizes = (64 << 10)...(1 << 30)

    public init(codeCacheSize: Int = TranslatorSettings.defaultCodeCacheSize, threshold: UInt64 = 4) {
        self.codeCacheSize = codeCacheSize
        self.threshold = threshold
    }
}
