/// Counters of model events, per thread, summed after a run.
public struct MMUEvents: Sendable, Hashable {
    /// Faults that installed a new leaf.
    public var faultsInstalled: UInt64 = 0
    /// Faults that found the leaf already installed by another thread (the kernel's RET_PF_RETRY).
    public var faultsSpurious: UInt64 = 0
    /// Faults fixed by the lockless fast path (access tracking: a parked entry restored).
    public var fastFaults: UInt64 = 0
    /// Aging compare-exchanges that found the entry changed and retried (arm64's -EAGAIN).
    public var ageRetries: UInt64 = 0
    /// Aging compare-exchanges that failed and were ignored (x86 A/D off: "most likely young").
    public var ageCASIgnored: UInt64 = 0
    /// Faults that found an invalidation had run since they began and retried (`mmu_invalidate_seq`).
    public var faultRetries: UInt64 = 0
    /// Leaves zapped.
    public var zapped: UInt64 = 0
    /// TLB shootdowns this thread issued (`RemoteTLBs.shootDown`), and how long it waited for
    /// the vCPUs' answers, in ticks.
    public var shootdowns: UInt64 = 0
    public var shootdownWaitTicks: UInt64 = 0

    public init() {}

    public static func + (lhs: Self, rhs: Self) -> Self {
        var sum = lhs
        sum.faultsInstalled += rhs.faultsInstalled
        sum.faultsSpurious += rhs.faultsSpurious
        sum.fastFaults += rhs.fastFaults
        sum.ageRetries += rhs.ageRetries
        sum.ageCASIgnored += rhs.ageCASIgnored
        sum.faultRetries += rhs.faultRetries
        sum.zapped += rhs.zapped
        sum.shootdowns += rhs.shootdowns
        sum.shootdownWaitTicks += rhs.shootdownWaitTicks
        return sum
    }
}
