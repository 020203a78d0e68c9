/// The PrimeCell identification registers at offsets 0xFE0-0xFFC of every AMBA PrimeCell:
/// four PeriphID bytes and the fixed CellID 0xB105F00D, one byte per 32-bit register. Linux's
/// AMBA bus reads them to bind a driver, so they must match what the device tree claims.
struct PrimeCellID {
    /// PeriphID0-3 then CellID0-3.
    let bytes: [UInt8]

    init(peripheralID: UInt32) {
        let cellID: UInt32 = 0xB105_F00D
        bytes = (0..<4).map { UInt8(truncatingIfNeeded: peripheralID >> ($0 * 8)) }
            + (0..<4).map { UInt8(truncatingIfNeeded: cellID >> ($0 * 8)) }
    }

    /// The register at `offset`, if `offset` is one of the ID registers.
    func read(offset: UInt64) -> UInt64? {
        guard offset >= 0xFE0, offset <= 0xFFC, offset & 3 == 0 else { return nil }
        return UInt64(bytes[Int((offset - 0xFE0) >> 2)])
    }
}
