import AArch64

/// The machine's interrupt controller, as devices and the scheduler see it. It drives each
/// vCPU's IRQ (and FIQ) line itself, from its own state.
public protocol InterruptController: AnyObject {
    /// The level of private peripheral interrupt `intid` (16-31) of vCPU `cpu`.
    func setPrivateInterrupt(_ intid: Int, cpu: Int, level: Bool)
    /// The level of shared peripheral interrupt `spi` (INTID 32 + spi).
    func setSharedInterrupt(_ spi: Int, level: Bool)
}
