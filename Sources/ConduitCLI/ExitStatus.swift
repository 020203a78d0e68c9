/// The exit statuses of `conduit`, as README.md documents them. Every status a user can cause
/// is below 128, so a shell never mistakes one for a signal.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// The guest powered off (PSCI SYSTEM_OFF), the user quit (`Ctrl-A x`), or a command that
    /// is not `run` or `demo` did its work.
    case success = 0
    /// Bad input: a usage error, or a file, flag or field that is wrong (one line names it).
    case badInput = 1
    /// The guest crashed: an exception loop, every vector entry faulting again.
    case guestCrashed = 2
    /// The guest reset the machine under `--no-reboot`.
    case reset = 3
    /// `--timeout` passed with the guest still running.
    case timeout = 4
    /// Every vCPU is off, or asleep with nothing that could wake it.
    case halted = 5
    /// `--max-instructions` passed.
    case instructionLimit = 6
    /// An output could not be written: standard output or error closed, a broken pipe, a full
    /// disk or device (`EPIPE`, `ENOSPC`, `EBADF`, `EIO`).
    case outputFailed = 7
    /// Stopped by SIGTERM, SIGINT or SIGHUP (the terminal is restored first).
    case signalled = 8
    /// The debugger attached to the gdbstub killed the guest (gdb's `kill`).
    case killedByDebugger = 9
}
