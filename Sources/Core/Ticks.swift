import CPlatform

/// A cheap monotonic tick counter for wait and hold accounting in hot paths.
///
/// Reading it costs a few nanoseconds (TSC on x86, CNTVCT on arm64). `nanoseconds(_:)` converts a
/// tick count with a rate calibrated once against `CLOCK_MONOTONIC`.
public enum Ticks {
    @inlinable public static func now() -> UInt64 { agingbench_ticks() }

    /// Monotonic wall-clock nanoseconds.
    @inlinable public static func monotonicNanoseconds() -> UInt64 { agingbench_monotonic_ns() }

    /// Nanoseconds per tick, measured over 20 ms at first use.
    public static let nanosecondsPerTick: Double = {
        let startTicks = agingbench_ticks()
        let startNs = agingbench_monotonic_ns()
        while agingbench_monotonic_ns() - startNs < 20_000_000 {}
        let ticks = agingbench_ticks() - startTicks
        let ns = agingbench_monotonic_ns() - startNs
        return ticks > 0 ? Double(ns) / Double(ticks) : 1
    }()

    public static func nanoseconds(_ ticks: UInt64) -> Double { Double(ticks) * nanosecondsPerTick }
}
