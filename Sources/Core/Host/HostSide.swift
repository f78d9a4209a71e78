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
    @usableFromInline let faultRemainderTicks: UInt64
    @usableFromInline let agingRemainderTicksPerPage: Double

    public init(memory: HostMemory, faultRemainderNanos: Double, agingRemainderNanosPerPage: Double) {
        self.memory = memory
        self.faultRemainderNanos = max(0, faultRemainderNanos)
        self.agingRemainderNanosPerPage = max(0, agingRemainderNanosPerPage)
        faultRemainderTicks = UInt64(self.faultRemainderNanos / Ticks.nanosecondsPerTick)
        agingRemainderTicksPerPage = self.agingRemainderNanosPerPage / Ticks.nanosecondsPerTick
    }

    /// Spends one fault's remainder.
    @inlinable public func spendFaultRemainder() { BusyWait.spin(ticks: faultRemainderTicks) }

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
