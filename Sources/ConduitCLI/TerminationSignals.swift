import Foundation
import Machine
import Synchronization

/// SIGTERM, SIGINT and SIGHUP during a run: the first one asks the machine to stop at the end of
/// its scheduler round, so the terminal is restored and the outputs flushed on the normal path
/// (exit status ``ExitStatus/signalled``). A second one, if the first went unanswered, restores
/// the terminal from the handler itself and ends the process at once.
enum TerminationSignals {
    static let watched: [Int32] = [SIGTERM, SIGINT, SIGHUP]
    /// The first signal that arrived, or 0.
    private static let pending = Atomic<Int32>(0)

    /// Installs the handlers. Idempotent.
    static func install() {
        for number in watched {
            signal(number) { number in
                if TerminationSignals.pending.exchange(number, ordering: .relaxed) != 0 {
                    TerminalConsole.restoreFromSignalHandler()
                    _exit(128 + number)
                }
            }
        }
    }

    /// The signal that asked for the stop, if one did.
    static var received: Int32? {
        let number = pending.load(ordering: .relaxed)
        return number == 0 ? nil : number
    }

    static func name(_ number: Int32) -> String {
        switch number {
        case SIGTERM: return "SIGTERM"
        case SIGINT: return "SIGINT"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(number)"
        }
    }
}
