import CPlatform

/// The host's share of a vCPU fault and of an aging pass: the primary MMU's real memory and work
/// (`HostMemory`), plus the calibrated remainders for what the kernel does and the model does not
/// (VM exit and entry, memcg charge, rmap and Bloom-filter checks, …).
///
/// Contract: remainders are spent as busy waits outside every lock, by the thread that pays them;
/// nothing else in the model is tuned. `--costs raw` runs with no `HostSide` at all.
public struct HostSide: Sendable {
    public let memory: HostMemory
    /// Nanoseconds spent per fault, on top of its real work.
    public let faultRemainderNanos: Double
    /// Nanoseconds spent per present page an aging pass visits, on top of its real work.
    public let agingRemainderNanosPerPage: Double
    /// Nanoseconds a refault spends reading its page back from swap, and reclaim spends
    /// writing one out (the swap device's figures; 0 without pressure).
    public let swapInNanos: Double
    public let swapOutNanos: Double
    @usableFromInline let faultRemainderTicks: UInt64
    @usableFromInline let agingRemainderTicksPerPage: Double
    @usableFromInline let swapInTicks: UInt64
    @usableFromInline let swapOutTicks: UInt64

    public init(
        memory: HostMemory, faultRemainderNanos: Double, agingRemainderNanosPerPage: Double, swapInNanos: Double = 0,
        swapOutNanos: Double = 0
    ) {
        self.memory = memory
        self.swapInNanos = max(0, swapInNanos)
        self.swapOutNanos = max(0, swapOutNanos)
        swapInTicks = UInt64(self.swapInNanos / Ticks.nanosecondsPerTick)
        swapOutTicks = UInt64(self.swapOutNanos / Ticks.nanosecondsPerTick)
        self.faultRemainderNanos = max(0, faultRemainderNanos)
        self.agingRemainderNanosPerPage = max(0, agingRemainderNanosPerPage)
        faultRemainderTicks = UInt64(self.faultRemainderNanos / Ticks.nanosecondsPerTick)
        agingRemainderTicksPerPage = self.agingRemainderNanosPerPage / Ticks.nanosecondsPerTick
    }

    /// Spends one fault's remainder.
    @inlinable public func spendFaultRemainder() { BusyWait.spin(ticks: faultRemainderTicks) }

    /// Spends one refault's swap-in.
    @inlinable public func spendSwapIn() { BusyWait.spin(ticks: swapInTicks) }

    /// Spends the swap-out of `pages` evicted pages.
    @inlinable public func spendSwapOut(pages: Int) { BusyWait.spin(ticks: swapOutTicks * UInt64(max(0, pages))) }

    /// Spends the aging remainder of `pages` visited present pages.
    @inlinable public func spendAgingRemainder(pages: Int) {
        BusyWait.spin(ticks: UInt64(agingRemainderTicksPerPage * Double(pages)))
    }
}

/// Work the model charges but does not do: a spin on the tick counter.
public enum BusyWait {
    /// Spins until `ticks` ticks have passed (returns at once for 0).
    @inlinable public static func spin(ticks: UInt64) {
        guard ticks > 0 else { return }
        let start = Ticks.now()
        while Ticks.now() &- start < ticks { agingbench_cpu_relax() }
    }
}
