import Core

/// The x86 shadow MMU: shadow page tables in the legacy format, found by gfn through an rmap.
///
/// Shadow tables are indexed by guest-virtual page, not gfn: gfn *g* is mapped at page *g*
/// (the guest's direct map) and, for every `aliasStride`-th gfn, also at `aliasBase + g` (a
/// second guest mapping of the same page). The rmap lists both, so aging must look at every
/// spte of a gfn. The guest's own accesses to an aliased gfn go through the alias.
///
/// Everything but the hardware's A/D updates runs under `mmu_lock` held for write: faults
/// (`direct_page_fault` on shadow paging), aging (`kvm_rmap_age_gfn_range` /
/// `kvm_test_age_rmap`, clearing Accessed with `clear_bit`, an atomic AND), and zaps
/// (`kvm_zap_rmap`).
final class ShadowMMU: SecondaryMMU, @unchecked Sendable {
    // Safety: the table and the lock are thread-safe; the rmap is touched only under the write lock.

    static let aliasStride: UInt64 = 8
    static let aliasBase: UInt64 = 1 << 34

    let capabilities: BackendCapabilities
    let gfnCount: UInt64
    private let format: EntryFormat
    private let table: PageTable
    private let rmap: Rmap
    let lock = MMULock()
    let invalidation = InvalidationSequence()

    init(capabilities: BackendCapabilities, gfnCount: UInt64) {
        precondition(gfnCount <= Self.aliasBase, "guest too large for the shadow MMU's alias region")
        self.capabilities = capabilities
        self.gfnCount = gfnCount
        format = capabilities.format
        table = PageTable(format: capabilities.format)
        rmap = Rmap(gfnCount: gfnCount)
    }

    static func isAliased(_ gfn: UInt64) -> Bool { gfn % aliasStride == aliasStride - 1 }

    /// The guest-virtual page the guest's own accesses to `gfn` go through.
    static func accessPage(for gfn: UInt64) -> UInt64 { isAliased(gfn) ? aliasBase + gfn : gfn }

    func makeThread(role: HostThread.Role) -> HostThread {
        HostThread(role: role, reclaimer: table.reclaimer)
    }

    var pageTableBytes: Int { table.tableBytes + rmap.bytes }
    var useAfterFreeReads: Int { table.useAfterFreeReads }
    var jemallocTableBytes: Int { table.jemallocMemory.allocated }

    // MARK: vCPU side

    func access(_ gfn: UInt64, write: Bool, thread: HostThread) -> Bool {
        table.slot(for: Self.accessPage(for: gfn))?.hardwareAccess(write: write, format: format) ?? false
    }

    func handleFault(_ gfn: UInt64, write: Bool, sequence: UInt64, thread: HostThread) -> FaultOutcome {
        lock.lockExclusive(thread)
        if invalidation.mustRetry(since: sequence) {
            lock.unlockExclusive(thread)
            thread.events.faultRetries &+= 1
            return .retry
        }
        let installed = map(gfn, at: gfn, write: write)
        if Self.isAliased(gfn) { _ = map(gfn, at: Self.aliasBase + gfn, write: write) }
        lock.unlockExclusive(thread)
        if installed {
            thread.events.faultsInstalled &+= 1
            return .installed
        }
        thread.events.faultsSpurious &+= 1
        return .spurious
    }

    /// Installs the spte for `gfn` at guest-virtual `page` and records it in the rmap.
    private func map(_ gfn: UInt64, at page: UInt64, write: Bool) -> Bool {
        let slot = table.slotAllocating(for: page)
        guard slot.load() == 0 else { return false }
        let leaf = format.makeLeaf(pfn: GuestMemory.hostPFN(for: gfn), writable: true, dirty: write)
        slot.store(leaf)
        rmap.add(slot, for: gfn)
        return true
    }

    @discardableResult
    func zap(_ range: GFNRange, thread: HostThread) -> Int {
        lock.lockExclusive(thread)
        var zapped = 0
        for gfn in range.start..<min(range.end, gfnCount) where !rmap.isEmpty(gfn) {
            zapped += 1
            rmap.removeAll(gfn)
        }
        table.zap(range)
        let aliased = GFNRange(start: Self.aliasBase + range.start, end: Self.aliasBase + range.end)
        table.zap(aliased)
        lock.unlockExclusive(thread)
        table.reclaimer.reclaim(batch: PageTable.reclaimBatch)
        thread.events.zapped &+= UInt64(zapped)
        return zapped
    }

    // MARK: Aging: every call under the write lock

    func prepareBitmapAge(thread: HostThread) -> Bool {
        lock.lockExclusive(thread)
        return true
    }

    func finishBitmapAge(thread: HostThread) {
        lock.unlockExclusive(thread)
    }

    func testAge(_ range: GFNRange, bitmap: inout YoungBitmap, thread: HostThread) -> Bool {
        var young = false
        for gfn in range.start..<range.end where isYoung(gfn) {
            bitmap.insert(gfn, in: range)
            young = true
        }
        return young
    }

    func clearAge(_ range: GFNRange, bitmap: YoungBitmap, thread: HostThread) -> Bool {
        var young = false
        for gfn in range.start..<range.end where bitmap.contains(gfn, in: range) && clearYoung(gfn, apply: true) {
            young = true
        }
        return young
    }

    func testAge(_ range: GFNRange, thread: HostThread) -> Bool {
        lock.lockExclusive(thread)
        defer { lock.unlockExclusive(thread) }
        for gfn in range.start..<range.end where isYoung(gfn) { return true }
        return false
    }

    func clearAge(_ range: GFNRange, thread: HostThread) -> Bool {
        lock.lockExclusive(thread)
        defer { lock.unlockExclusive(thread) }
        var young = false
        for gfn in range.start..<range.end where clearYoung(gfn, apply: true) { young = true }
        return young
    }

    /// `kvm_test_age_rmap`: young if any spte of `gfn` is.
    private func isYoung(_ gfn: UInt64) -> Bool {
        guard gfn < gfnCount else { return false }
        var young = false
        rmap.forEach(gfn) { slot in
            if format.isYoung(slot.load()) { young = true }
        }
        return young
    }

    /// `kvm_age_rmap`: clears Accessed on every young spte of `gfn` when `apply`; returns
    /// whether any was young.
    private func clearYoung(_ gfn: UInt64, apply: Bool) -> Bool {
        guard gfn < gfnCount else { return false }
        var young = false
        rmap.forEach(gfn) { slot in
            guard format.isYoung(slot.load()) else { return }
            young = true
            if apply { _ = slot.clearBits(format.accessedMask) }
        }
        return young
    }

    // MARK: Introspection

    func forEachMapping(in range: GFNRange, thread: HostThread, _ body: (UInt64, UInt64) -> Void) {
        lock.lockExclusive(thread)
        defer { lock.unlockExclusive(thread) }
        for gfn in range.start..<min(range.end, gfnCount) {
            rmap.forEach(gfn) { slot in body(gfn, slot.load()) }
        }
    }
}
