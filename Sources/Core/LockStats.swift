/// One thread's `mmu_lock` accounting for one side (read or write).
///
/// Kept per thread and summed after a run, so accounting adds no shared cache-line traffic.
public struct LockSideStats: Sendable, Hashable {
    /// Acquisitions on this side.
    public var acquisitions: UInt64 = 0
    /// Acquisitions that could not take the lock at once (the slow path: queued behind others).
    public var contended: UInt64 = 0
    /// Ticks spent waiting in the slow path.
    public var waitTicks: UInt64 = 0
    /// Ticks between acquisition and release. `MMULock` estimates it from a sample of timed holds,
    /// each weighted by the acquisitions it stands for (`HoldSampler`); the virtual engine adds
    /// every hold exactly.
    public var holdTicks: UInt64 = 0

    public init() {}

    public static func + (lhs: Self, rhs: Self) -> Self {
        var sum = lhs
        sum.acquisitions += rhs.acquisitions
        sum.contended += rhs.contended
        sum.waitTicks += rhs.waitTicks
        sum.holdTicks += rhs.holdTicks
        return sum
    }
}

/// Read-side and write-side accounting of one thread (or of many, summed).
public struct LockStats: Sendable, Hashable {
    public var read = LockSideStats()
    public var write = LockSideStats()

    public init() {}

    public static func + (lhs: Self, rhs: Self) -> Self {
        var sum = LockStats()
        sum.read = lhs.read + rhs.read
        sum.write = lhs.write + rhs.write
        return sum
    }

    public var acquisitions: UInt64 { read.acquisitions + write.acquisitions }
    public var contended: UInt64 { read.contended + write.contended }
    public var waitTicks: UInt64 { read.waitTicks + write.waitTicks }
}
