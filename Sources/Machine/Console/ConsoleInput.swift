/// The receive side of the console: bytes typed by the user (or read from a file) on their
/// way to the PL011.
public protocol ConsoleInput: AnyObject {
    /// The next byte if one is ready now; never blocks.
    func nextByte() -> UInt8?
    /// False once the input has ended (end of file): nothing more can arrive.
    var isOpen: Bool { get }
    /// Blocks until input may be ready or `nanoseconds` pass.
    func wait(nanoseconds: UInt64)
    /// True once the user asked to leave (QEMU's `Ctrl-A x`).
    var quitRequested: Bool { get }
}
