/// What a CPU's generic timers drive: the board's interrupt controller, which must see a timer
/// output change when the guest reprograms the timer, not only when the scheduler next looks.
public protocol GenericTimerObserver: AnyObject {
    /// `cpu`'s ``AArch64CPU/virtualTimerInterrupt`` or ``AArch64CPU/physicalTimerInterrupt``
    /// may have changed.
    func timerOutputsChanged(_ cpu: AArch64CPU)
}
