import Firmware
import SMCCC

/// The demo board's firmware in the VMM: a SiP service whose function 0x82000001 reports a
/// board revision (x0 = SUCCESS, x1 = 0x20261125). Every other SiP function is NOT_SUPPORTED.
///
/// `conduit run` and `conduit demo` register it as a forward handler; it answers only when the
/// policy sends SiP calls to it (`action: forward`, `handler: demo-board`). Board profiles with
/// real services come with `--machine` (issue 5).
final class DemoBoardService: FirmwareService {
    static let serviceName = "demo-board"
    let name = DemoBoardService.serviceName
    let functions = [ServiceFunctions(FunctionIDRange(first: 0x8200_0000, last: 0x8200_FFFF), label: "demo board SiP service")]

    func handle(_ call: inout FirmwareCall) -> CallOutcome {
        if call.functionID.rawValue == 0x8200_0001 {
            call.setResults(SMCCCReturn.success.registerValue, 0x2026_1125)
        }
        return .resume
    }
}
