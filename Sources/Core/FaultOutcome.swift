/// What a fault did.
public enum FaultOutcome: Sendable, Hashable {
    /// A new leaf was installed.
    case installed
    /// Another thread had installed it already (RET_PF_RETRY).
    case spurious
    /// A parked entry was made present again by the lockless fast path (access tracking).
    case restored
    /// An invalidation ran since the fault began (`mmu_invalidate_retry`): nothing was installed,
    /// and the vCPU re-enters and faults again (RET_PF_RETRY).
    case retry
}
