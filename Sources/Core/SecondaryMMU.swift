/// A secondary MMU as KVM exposes it to the primary MMU's page aging, plus the vCPU-side entry
/// points (hardware access, fault, zap) that the runner drives.
///
/// ## Implementation requirements
/// - **Only the Accessed bit.** An aging call (`testAge`, `clearAge`) may change the Accessed bit
///   of a leaf and nothing else: `format.identity(entry)` is the same before and after. With
///   access tracking (`format.accessTracking`) it may park the entry instead (`format.markOld`).
///   Any other bit changed is data loss.
/// - **Hardware.** `access` models the CPU's page walk: it sets Accessed (and Dirty on a write)
///   atomically and only on a present entry; it never stores a whole entry.
/// - **Flags.** `.young` when a (selected) page was young; `.fast` only together with `.young`,
///   from a backend whose `capabilities.fast` says aging is cheap (lockless or read-locked);
///   `.bitmapUnreliable` alone when the bitmap was not honoured and nothing was done.
/// - **Locks.** Each call takes `mmu_lock` as `capabilities` declares: non-bitmap aging calls in
///   `agingLock`; bitmap aging calls in `bitmapAgingLock`, taken by `prepareBitmapAge` and
///   dropped by `finishBitmapAge` (`.none`: lockless inside the read-side section); faults in
///   `faultLock`; zaps for write.
/// - **Bitmap.** A bitmap covers at most 64 pages in `YoungBitmap`'s order (bit 0 = last page).
///   `testAge(_:bitmap:thread:)` sets the bit of every young page and clears none;
///   `clearAge(_:bitmap:thread:)` clears the Accessed bit only of pages whose bit is set.
/// - **Invalidation.** The MMU owns an `InvalidationSequence`; `handleFault` checks it under its
///   fault lock and returns `.retry`, installing nothing, when an invalidation ran since the
///   fault's `sequence` (`mmu_invalidate_retry`). `zap` itself does not touch the sequence:
///   `invalidate(_:thread:unmappingHost:)` brackets it.
/// - **Threads.** Every call takes the calling thread's `HostThread`, made by `makeThread`.
///   `access` must run inside that thread's read-side section (a vCPU in guest mode).
///
/// Callers use the notifier entry points in the extension (`testYoung`, `clearYoung`), which
/// mirror `kvm_mmu_notifier_test_young` / `clear_young` of the series: they call the hooks and
/// report `AgeFlags`.
public protocol SecondaryMMU: AnyObject, Sendable {
    /// What this instance does: format, table structure, lock modes, bitmap, fast.
    var capabilities: BackendCapabilities { get }
    /// The registered backend this instance models, for messages (`x86-tdp`, …).
    var name: String { get }
    /// Guest pages this MMU covers: gfns `0..<gfnCount`.
    var gfnCount: UInt64 { get }

    /// A per-thread context for a thread that will call into this MMU.
    func makeThread(role: HostThread.Role) -> HostThread

    // MARK: vCPU side

    /// A guest access through the hardware page walk. Returns false when the access must fault:
    /// the entry is not present, or it is a write to a read-only entry. Call inside the thread's
    /// read-side section.
    func access(_ gfn: UInt64, write: Bool, thread: HostThread) -> Bool

    /// A hint that `access` of `gfn` comes soon: start bringing what its walk reads into the
    /// cache, down to the table entry at `level` (1: the leaf; 2 for an access further off, so
    /// that the hint does not wait for the table above the leaf). It must change nothing
    /// `access` or anything else observes (no entry, no count); the default does nothing. Call
    /// inside the thread's read-side section, as `access`.
    func prefetchWalk(_ gfn: UInt64, level: Int)

    /// KVM's `mmu_invalidate_seq` for this MMU: `invalidate(_:thread:unmappingHost:)` bumps it.
    var invalidation: InvalidationSequence { get }

    /// The vCPU page-fault handler for `gfn`, after the GUP step: under the fault lock, returns
    /// `.retry` and installs nothing when `invalidation.mustRetry(since: sequence)` (an
    /// invalidation ran since the fault read `sequence`, before its GUP step).
    func handleFault(_ gfn: UInt64, write: Bool, sequence: UInt64, thread: HostThread) -> FaultOutcome

    /// The secondary MMU's part of `invalidate_range_start`: unmaps `range` under the write lock;
    /// returns leaves unmapped. Callers that race with faults use `invalidate(_:thread:unmappingHost:)`,
    /// which brackets it with the invalidation sequence.
    @discardableResult
    func zap(_ range: GFNRange, thread: HostThread) -> Int

    // MARK: Arch aging hooks (kvm_arch_*)

    /// `kvm_arch_prepare_bitmap_age`: takes the bitmap path's lock; false if the bitmap is not
    /// honoured (then nothing was taken and `finishBitmapAge` must not be called).
    func prepareBitmapAge(thread: HostThread) -> Bool
    /// `kvm_arch_finish_bitmap_age`: drops what `prepareBitmapAge` took.
    func finishBitmapAge(thread: HostThread)
    /// Bitmap test, between the hooks: marks every young page of `range`; true if any was young.
    func testAge(_ range: GFNRange, bitmap: inout YoungBitmap, thread: HostThread) -> Bool
    /// Bitmap clear, between the hooks: ages the pages marked in `bitmap`; true if any of them
    /// was young.
    func clearAge(_ range: GFNRange, bitmap: YoungBitmap, thread: HostThread) -> Bool
    /// `kvm_test_age_gfn` without a bitmap, taking `agingLock` itself; may stop at the first
    /// young page.
    func testAge(_ range: GFNRange, thread: HostThread) -> Bool
    /// `kvm_age_gfn` without a bitmap, taking `agingLock` itself: ages every young page.
    func clearAge(_ range: GFNRange, thread: HostThread) -> Bool

    // MARK: Introspection

    /// Calls `body(gfn, entry)` for every mapping of a gfn in `range` (a gfn mapped twice is
    /// visited twice). Consistent only while nothing else runs.
    func forEachMapping(in range: GFNRange, thread: HostThread, _ body: (UInt64, UInt64) -> Void)

    /// Bytes of page-table memory (table pages and, where there is one, the rmap), as counted
    /// by the model.
    var pageTableBytes: Int { get }

    /// Bytes jemalloc reports allocated in this MMU's table-page arena (0 under ASan).
    var jemallocTableBytes: Int { get }

    /// Poisoned entries read after a table page was freed (debug builds; 0 in release).
    var useAfterFreeReads: Int { get }
}

extension SecondaryMMU {
    /// An MMU that does not say which backend it is goes by its entry format's name.
    public var name: String { capabilities.format.name }

    /// No prefetching: the walk fetches what it reads when it reads it.
    @inlinable public func prefetchWalk(_ gfn: UInt64, level: Int) {}

    /// The fault handler for a caller with no GUP step (tests, the raw cost model): the
    /// invalidation sequence is read right before.
    @inlinable @discardableResult
    public func handleFault(_ gfn: UInt64, write: Bool, thread: HostThread) -> FaultOutcome {
        handleFault(gfn, write: write, sequence: invalidation.snapshot(), thread: thread)
    }

    /// `invalidate_range_start` … `invalidate_range_end` as the primary MMU runs it when it
    /// unmaps guest pages: the sequence's `begin`, the secondary zap, the TLB shootdown,
    /// `unmappingHost` (the host's own unmap), then `end`. A fault that began before `end` retries instead of installing a
    /// translation to a host page that is gone.
    /// - Returns: secondary leaves unmapped.
    /// With `remote`, the zap shoots the range down on every vCPU's TLB and waits for their
    /// answers before the host unmaps, so no vCPU reaches a freed host page through a stale
    /// translation (`kvm_flush_remote_tlbs` before `invalidate_range_start` returns).
    @discardableResult
    public func invalidate(
        _ range: GFNRange, thread: HostThread, remote: RemoteTLBs? = nil, unmappingHost: () -> Void = {}
    ) -> Int {
        invalidation.begin()
        let zapped = zap(range, thread: thread)
        remote?.shootDown(range, thread: thread)
        unmappingHost()
        invalidation.end()
        return zapped
    }

    /// The flags of a call that found young pages or not: `.fast` rides on `.young`, as the
    /// series returns `young ? MMU_NOTIFIER_YOUNG_FAST : 0`.
    @inlinable func flags(young: Bool) -> AgeFlags {
        guard young else { return [] }
        return capabilities.fast ? [.young, .fast] : .young
    }

    /// `mmu_notifier_test_young` without a bitmap.
    @inlinable public func testYoung(_ range: GFNRange, thread: HostThread) -> AgeFlags {
        flags(young: testAge(range, thread: thread))
    }

    /// `mmu_notifier_clear_young` without a bitmap.
    @inlinable public func clearYoung(_ range: GFNRange, thread: HostThread) -> AgeFlags {
        flags(young: clearAge(range, thread: thread))
    }

    /// `mmu_notifier_test_young` with a bitmap: `.bitmapUnreliable` when the backend does not
    /// honour it (the bitmap is then untouched and the caller asks page by page).
    @inlinable public func testYoung(_ range: GFNRange, bitmap: inout YoungBitmap, thread: HostThread) -> AgeFlags {
        precondition(range.count <= YoungBitmap.capacity, "a bitmap covers at most 64 pages")
        guard prepareBitmapAge(thread: thread) else { return .bitmapUnreliable }
        let young = testAge(range, bitmap: &bitmap, thread: thread)
        finishBitmapAge(thread: thread)
        return flags(young: young)
    }

    /// `mmu_notifier_clear_young` with a bitmap: `.bitmapUnreliable` when not honoured (then
    /// nothing was cleared).
    @inlinable public func clearYoung(_ range: GFNRange, bitmap: YoungBitmap, thread: HostThread) -> AgeFlags {
        precondition(range.count <= YoungBitmap.capacity, "a bitmap covers at most 64 pages")
        guard prepareBitmapAge(thread: thread) else { return .bitmapUnreliable }
        let young = clearAge(range, bitmap: bitmap, thread: thread)
        finishBitmapAge(thread: thread)
        return flags(young: young)
    }

    /// The per-page fallback after `.bitmapUnreliable` (the pre-series path): one notifier call
    /// per page of `range` (`clearYoung` when `clearing`, else `testYoung`), recording the young
    /// pages in `bitmap`.
    /// - Returns: the number of notifier calls made.
    @inlinable @discardableResult
    public func eachPage(
        _ range: GFNRange, clearing: Bool, recordingInto bitmap: inout YoungBitmap, thread: HostThread
    ) -> Int {
        var gfn = range.start
        while gfn < range.end {
            let page = GFNRange(start: gfn, count: 1)
            let flags = clearing ? clearYoung(page, thread: thread) : testYoung(page, thread: thread)
            if flags.contains(.young) { bitmap.insert(gfn, in: range) }
            gfn &+= 1
        }
        return Int(range.count)
    }

    /// Mappings in `range` whose identity differs from what the fault path installs for their
    /// gfn: bits other than Accessed/Dirty changed behind the model's back. Must be 0.
    public func identityViolations(in range: GFNRange, thread: HostThread) -> Int {
        let format = capabilities.format
        var violations = 0
        forEachMapping(in: range, thread: thread) { gfn, entry in
            let expected = format.makeLeaf(pfn: GuestMemory.hostPFN(for: gfn), writable: true, dirty: false)
            if format.identity(entry) != format.identity(expected) { violations += 1 }
        }
        return violations
    }
}
