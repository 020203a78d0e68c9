import Foundation
import Synchronization

/// Standard input as the console's receive side. On a terminal it switches to raw mode (every key
/// goes to the guest, no echo) and restores the terminal on ``close()``; `Ctrl-A x` quits, and
/// `Ctrl-A Ctrl-A` sends one Ctrl-A, as in QEMU. From a pipe or file, bytes are passed as they are
/// and the input closes at end of file.
public final class TerminalConsole: ConsoleInput {
    private let descriptor: Int32
    private var savedAttributes: termios?
    private var savedFlags: Int32 = -1
    private var pending: [UInt8] = []
    private var escape = false
    public private(set) var isOpen = true
    /// Set when the user typed `Ctrl-A x`.
    public private(set) var quitRequested = false

    public init(descriptor: Int32 = STDIN_FILENO) {
        self.descriptor = descriptor
        if isatty(descriptor) != 0 {
            var attributes = termios()
            if tcgetattr(descriptor, &attributes) == 0 {
                savedAttributes = attributes
                TerminalConsole.emergencyAttributes.pointee = attributes
                TerminalConsole.emergencyDescriptor.store(descriptor, ordering: .releasing)
                cfmakeraw(&attributes)
                // Keep output post-processing so the guest's "\n" still starts a new line.
                attributes.c_oflag |= tcflag_t(OPOST | ONLCR)
                tcsetattr(descriptor, TCSANOW, &attributes)
            }
        }
        savedFlags = fcntl(descriptor, F_GETFL)
        if savedFlags >= 0 {
            TerminalConsole.emergencyFlags.store(Int64(descriptor) << 32 | Int64(UInt32(bitPattern: savedFlags)), ordering: .releasing)
            _ = fcntl(descriptor, F_SETFL, savedFlags | O_NONBLOCK)
        }
    }

    deinit { close() }

    /// Restores the terminal and the descriptor's blocking mode (the shell shares them).
    public func close() {
        if var attributes = savedAttributes {
            TerminalConsole.emergencyDescriptor.store(-1, ordering: .releasing)
            tcsetattr(descriptor, TCSANOW, &attributes)
            savedAttributes = nil
        }
        if savedFlags >= 0 {
            TerminalConsole.emergencyFlags.store(-1, ordering: .releasing)
            _ = fcntl(descriptor, F_SETFL, savedFlags)
            savedFlags = -1
        }
    }

    public var isInteractive: Bool { savedAttributes != nil }

    /// A copy of the attributes to restore, for ``restoreFromSignalHandler()``.
    private nonisolated(unsafe) static let emergencyAttributes = UnsafeMutablePointer<termios>.allocate(capacity: 1)
    /// The descriptor in raw mode, or -1.
    private static let emergencyDescriptor = Atomic<Int32>(-1)
    /// The input descriptor (high half) and its file status flags before non-blocking mode (low
    /// half), or -1.
    private static let emergencyFlags = Atomic<Int64>(-1)

    /// Puts the terminal and standard input's blocking mode back as they were, from a signal
    /// handler: only async-signal-safe calls (`tcsetattr`, `fcntl`) and atomics. For a process
    /// about to end without running ``close()``.
    public static func restoreFromSignalHandler() {
        let descriptor = emergencyDescriptor.exchange(-1, ordering: .acquiring)
        if descriptor >= 0 { tcsetattr(descriptor, TCSANOW, emergencyAttributes) }
        let saved = emergencyFlags.exchange(-1, ordering: .acquiring)
        if saved >= 0 { _ = fcntl(Int32(truncatingIfNeeded: saved >> 32), F_SETFL, Int32(truncatingIfNeeded: saved)) }
    }

    public func nextByte() -> UInt8? {
        if pending.isEmpty { fill() }
        while !pending.isEmpty {
            let byte = pending.removeFirst()
            guard isInteractive else { return byte }
            if escape {
                escape = false
                switch byte {
                case UInt8(ascii: "x"), UInt8(ascii: "X"):
                    quitRequested = true
                    return nil
                case 0x01: return 0x01
                default: continue
                }
            }
            if byte == 0x01 {
                escape = true
                continue
            }
            return byte
        }
        return nil
    }

    private func fill() {
        guard isOpen else { return }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, 256) }
        if count > 0 {
            pending += buffer[0..<count]
        } else if count == 0 {
            isOpen = false
        }
    }

    public func wait(nanoseconds: UInt64) {
        guard isOpen else {
            Thread.sleep(forTimeInterval: Double(nanoseconds) / 1e9)
            return
        }
        var descriptors = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        _ = poll(&descriptors, 1, Int32(min(nanoseconds / 1_000_000, 1000)))
    }
}
