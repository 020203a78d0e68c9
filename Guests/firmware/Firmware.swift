// Conduit's guest-side firmware blob for --machine highbank64: the Highbank SiP services of
// HighbankSiPService (Sources/Machine/Boards), written a second time as firmware, so that the
// VMM's answers and the firmware's can be compared result for result. It shares the SMCCC module
// with Conduit (function IDs, return codes).
//
// Functions (SiP, owner 2; the function number decides):
//   1 L2X0_CTRL (X1 = 0/1)   2 L2X0_AUXCTRL (X1)   3 DEBUG_CTRL (X1, bits 2:0)
//   4 SOC_QUERY -> X1 = 0xC1DA, X2 = 2             5 READ_STATE -> X1-X3
//   0x10 PSCI_VERSION through the firmware's own HVC (the firmware may call the hypervisor)
//   0x11 PSCI_VERSION through SMC (refused: there is no monitor above the firmware)
//   0x12 a deliberate fault (a load from an address with nothing behind it)
//   0x13 a deliberate endless loop
import SMCCC

@_extern(c, "firmware_call") func firmwareCall(_ registers: UnsafeMutablePointer<UInt64>, _ smc: Int32)
@_extern(c, "read_physical") func readPhysical(_ address: UInt64) -> UInt64
@_extern(c, "spin_forever") func spinForever()

/// The board state, in the firmware region's .bss (zero at power-on; the aux reset value is
/// applied by the first READ_STATE/AUXCTRL access).
struct BoardState {
    var l2Control: UInt64 = 0
    var auxiliaryControl: UInt64 = 0x0202_0000
    var debugControl: UInt64 = 0
}
nonisolated(unsafe) var state = BoardState()

let auxiliaryReserved: UInt64 = 0x8000_03FE

/// Answers the call in `registers` (X0-X17), writing its results there.
@_cdecl("firmware_dispatch")
func firmwareDispatch(_ registers: UnsafeMutablePointer<UInt64>) {
    let id = FunctionID(register: registers[0])
    let x1 = registers[1]
    var results: (UInt64, UInt64, UInt64, UInt64) = (SMCCCReturn.notSupported.registerValue, 0, 0, 0)
    func status(_ value: SMCCCReturn) { results.0 = value.registerValue }
    switch id.number {
    case 1:
        if x1 <= 1 { state.l2Control = x1; status(.success) } else { status(.invalidParameter) }
    case 2:
        if x1 >> 32 == 0, x1 & auxiliaryReserved == 0, state.l2Control & 1 == 0 {
            state.auxiliaryControl = x1
            status(.success)
        } else {
            status(.invalidParameter)
        }
    case 3:
        if x1 & ~7 == 0 { state.debugControl = x1; status(.success) } else { status(.invalidParameter) }
    case 4:
        results = (SMCCCReturn.success.registerValue, 0xC1DA, 2, 0)
    case 5:
        results = (SMCCCReturn.success.registerValue, state.l2Control, state.auxiliaryControl, state.debugControl)
    case 0x10, 0x11:
        var call: (UInt64, UInt64, UInt64, UInt64) = (UInt64(PSCIFunction.PSCI_VERSION.rawValue), 0, 0, 0)
        withUnsafeMutablePointer(to: &call) { tuple in
            tuple.withMemoryRebound(to: UInt64.self, capacity: 4) { firmwareCall($0, id.number == 0x11 ? 1 : 0) }
        }
        results.0 = call.0
    case 0x12:
        results.0 = readPhysical(0x10)
    case 0x13:
        spinForever()
    default:
        break
    }
    registers[0] = results.0
    registers[1] = results.1
    registers[2] = results.2
    registers[3] = results.3
}
