import Synchronization

/// KVM's `mmu_invalidate_seq` and `mmu_invalidate_in_progress`: how a fault that resolved its
/// host page outside `mmu_lock` learns that the host unmapped it meanwhile.
///
/// Contract: a fault reads `snapshot()` before its GUP step; under its fault lock, before it
/// installs, it asks `mustRetry(since:)` and, when true, installs nothing (RET_PF_RETRY). An
/// invalidation brackets its work with `begin()` and `end()`: every fault whose snapshot
/// predates `end()`, or that checks between the two, retries. `begin` and `end` may nest and
/// run on several threads at once.
public final class InvalidationSequence: @unchecked Sendable {
    // Safety: two atomics.

    @usableFromInline let sequence = Atomic<UInt64>(0)
    @usableFromInline let inProgress = Atomic<UInt64>(0)

    public init() {}

    /// `mmu_invalidate_seq`, read before the GUP step (with the `smp_rmb` ordering).
    @inlinable public func snapshot() -> UInt64 { sequence.load(ordering: .acquiring) }

    /// `mmu_invalidate_retry`: true when an invalidation is in progress or ended since `snapshot`.
    @inlinable public func mustRetry(since snapshot: UInt64) -> Bool {
        inProgress.load(ordering: .acquiring) != 0 || sequence.load(ordering: .acquiring) != snapshot
    }

    /// `kvm_mmu_invalidate_begin`.
    public func begin() { inProgress.wrappingAdd(1, ordering: .acquiringAndReleasing) }

    /// `kvm_mmu_invalidate_end`: the sequence moves on before the in-progress count drops, so a
    /// fault never sees neither.
    public func end() {
        sequence.wrappingAdd(1, ordering: .acquiringAndReleasing)
        inProgress.wrappingSubtract(1, ordering: .acquiringAndReleasing)
    }
}
