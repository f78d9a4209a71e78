import Core

/// What one step of an agent did, as a value.
///
/// Contract: an agent's step functions (`VCPU`, `AgingAgent`, `Unmapper`) do the model's work on
/// the real backend and return one of these; the virtual engine prices it with `EngineCosts`
/// (`VirtualEngine.nanoseconds(of:)`) and gates the lock it names, and the thread engine,
/// whose clock is real, has no use for it. A step that takes `mmu_lock` names the mode its
/// backend declares, so the engine can grant it in virtual time.
enum AgentStep {
    /// A vCPU's access: the TLB lookup (when it has a TLB), the walk on a miss, and, when the
    /// walk missed, the fault's first half outside the lock (exit, `mmu_invalidate_seq`, GUP).
    case access(AccessAttempt, fault: FaultEntry?)
    /// The fault's second half, `handleFault`, under `lock`.
    case fault(lock: LockMode?)
    /// The vCPU ran out of accesses in its phase and left guest mode.
    case phaseEnd
    /// Aging's host-side step over one look-around window: the walk, and the test and clear of
    /// the Accessed bits of `presentPages` present host PTEs (0: nothing present, no call follows).
    case hostWindow(presentPages: Int)
    /// One notifier call over `range` under `lock` (nil: it took no lock); `clears` when it may
    /// store to the entries (`clear_young`), not only read them (`test_young`).
    case notifierCall(range: GFNRange, clears: Bool, lock: LockMode?)
    /// The window's last step: `youngPages` folios moved to the youngest generation.
    case promote(youngPages: Int)
    /// An aging pass ended.
    case passEnd
    /// The VMM's invalidation of `pages` pages: the zap under the write lock, the TLB
    /// shootdown, and the host's unmap of the `unmapped` pages it had present.
    case invalidation(pages: UInt64, unmapped: Int)
}
