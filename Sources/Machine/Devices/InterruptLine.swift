/// A level-sensitive interrupt wire from a device to the interrupt controller. The device sets
/// the level it drives; the controller decides what a change means (level or edge triggering).
public struct InterruptLine {
    private let drive: (Bool) -> Void

    /// A line whose level changes call `drive`.
    public init(_ drive: @escaping (Bool) -> Void) { self.drive = drive }

    /// A line that goes nowhere (a device not wired to a controller).
    public static var unconnected: InterruptLine { InterruptLine { _ in } }

    /// Drives the line to `level`.
    public func set(_ level: Bool) { drive(level) }
}
