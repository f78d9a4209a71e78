/// The shadow-paging engine that rmap backends configure: shadow page tables found by gfn
/// through an rmap (`Rmap`), driven by `BackendCapabilities` like `RadixMMU`.
///
/// Shadow tables are indexed by guest-virtual page, not gfn: gfn *g* is mapped at page *g*
/// (the guest's direct map) and, for every `aliasStride`-th gfn, also at `aliasBase + g` (a
/// second guest mapping of the same page). The rmap lists both, so aging must look at every
/// spte of a gfn. The guest's own accesses to an aliased gfn go through the alias.
///
/// - Faults (`direct_page_fault` on shadow paging): `faultLock`, the invalidation check, the
///   spte installed and added to the rmap (under the head's lock bit).
/// - Zaps (`kvm_zap_rmap`): `mmu_lock` for write; each head emptied under its lock bit before
///   the sptes are cleared, so a walker holding a head's bit never reaches a cleared spte.
/// - Aging (`kvm_rmap_age_gfn_range`, `kvm_test_age_rmap`): in `agingLock` (bitmap calls:
///   `bitmapAgingLock`, taken by the hooks), inside the read-side section; Accessed cleared by
///   the clear method. With `.perRmap` no `mmu_lock` is taken: each gfn's head is locked by its
///   bit instead (`kvm_rmap_lock_readonly`), as upstream ages the shadow MMU since Linux 6.15.
///
/// Contract: aging's lock modes are `.read`, `.write` or `.perRmap`: rmap heads change under
/// the write lock, so a walker must exclude writers by one lock or the other.
public final class ShadowMMU: SecondaryMMU, @unchecked Sendable {
    // Safety: the table, the rmap and the lock are thread-safe (see `Rmap` for its rules);
    // everything else is immutable.

    static let aliasStride: UInt64 = 8
    static let aliasBase: UInt64 = 1 << 34

    public let capabilities: BackendCapabilities
    public let name: String
    public let gfnCount: UInt64
    private let format: EntryFormat
    private let table: PageTable
    private let rmap: Rmap
    public let lock = MMULock()
    public let invalidation = InvalidationSequence()

    /// - Parameters:
    ///   - capabilities: what this instance does; the engine's initializer refuses choices it
    ///     cannot keep its contract with.
    ///   - gfnCount: guest pages the MMU covers, gfns `0..<gfnCount`.
    ///   - name: the backend's registered name; by default its entry format's.
    public init(capabilities: BackendCapabilities, gfnCount: UInt64, name: String? = nil) {
        precondition(gfnCount <= Self.aliasBase, "guest too large for the shadow MMU's alias region")
        let agingLocks = [capabilities.agingLock] + (capabilities.bitmapAgingLock.map { [$0] } ?? [])
        precondition(!agingLocks.contains(.none), "an rmap walk needs mmu_lock or the rmap's lock bit")
        precondition(!capabilities.format.accessTracking, "the shadow MMU runs with A/D bits on")
        self.capabilities = capabilities
        self.name = name ?? capabilities.format.name
        self.gfnCount = gfnCount
        format = capabilities.format
        table = PageTable(format: capabilities.format)
        rmap = Rmap(gfnCount: gfnCount)
    }

    static func isAliased(_ gfn: UInt64) -> Bool { gfn % aliasStride == aliasStride - 1 }

    /// The guest-virtual page the guest's own accesses to `gfn` go through.
    static func accessPage(for gfn: UInt64) -> UInt64 { isAliased(gfn) ? aliasBase + gfn : gfn }

    public func makeThread(role: HostThread.Role) -> HostThread {
        HostThread(role: role, reclaimer: table.reclaimer)
    }

    public var pageTableBytes: Int { table.tableBytes + rmap.bytes }
    public var useAfterFreeReads: Int { table.useAfterFreeReads }
    public var jemallocTableBytes: Int { table.jemallocMemory.allocated }

    // MARK: vCPU side

    public func access(_ gfn: UInt64, write: Bool, thread: HostThread) -> Bool {
        table.slot(for: Self.accessPage(for: gfn))?.hardwareAccess(write: write, format: format) ?? false
    }

    public func prefetchWalk(_ gfn: UInt64, level: Int) { table.prefetchEntry(for: Self.accessPage(for: gfn), level: level) }

    public func handleFault(_ gfn: UInt64, write: Bool, sequence: UInt64, thread: HostThread) -> FaultOutcome {
        let mode = capabilities.faultLock
        lock.lock(mode, thread)
        if invalidation.mustRetry(since: sequence) {
            lock.unlock(mode, thread)
            thread.events.faultRetries &+= 1
            return .retry
        }
        let installed = map(gfn, at: gfn, write: write)
        if Self.isAliased(gfn) { _ = map(gfn, at: Self.aliasBase + gfn, write: write) }
        lock.unlock(mode, thread)
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
        let leaf = format.makeLeaf(pfn: GuestMemory.hostPFN(for: gfn), writable: true, dirty: write)
        // Compare-exchange, not a store: a fault lock that is not exclusive lets two faults race.
        guard slot.compareExchange(expected: 0, desired: leaf).exchanged else { return false }
        rmap.add(slot, for: gfn)
        return true
    }

    @discardableResult
    public func zap(_ range: GFNRange, thread: HostThread) -> Int {
        lock.lockExclusive(thread)
        var zapped = 0
        for gfn in range.start..<min(range.end, gfnCount) where rmap.removeAll(gfn) {
            zapped += 1
        }
        table.zap(range)
        let aliased = GFNRange(start: Self.aliasBase + range.start, end: Self.aliasBase + range.end)
        table.zap(aliased)
        lock.unlockExclusive(thread)
        table.reclaimer.reclaim(batch: PageTable.reclaimBatch)
        thread.events.zapped &+= UInt64(zapped)
        return zapped
    }

    // MARK: Aging

    public func prepareBitmapAge(thread: HostThread) -> Bool {
        guard let mode = capabilities.bitmapAgingLock else { return false }
        lock.lock(mode, thread)
        return true
    }

    public func finishBitmapAge(thread: HostThread) {
        if let mode = capabilities.bitmapAgingLock { lock.unlock(mode, thread) }
    }

    public func testAge(_ range: GFNRange, bitmap: inout YoungBitmap, thread: HostThread) -> Bool {
        var marked = YoungBitmap()
        let young = walk(range, mode: capabilities.bitmapAgingLock ?? .write, clearing: false, thread: thread,
                         selected: { _ in true }, record: { marked.insert($0, in: range) })
        bitmap.formUnion(marked)
        return young
    }

    public func clearAge(_ range: GFNRange, bitmap: YoungBitmap, thread: HostThread) -> Bool {
        walk(range, mode: capabilities.bitmapAgingLock ?? .write, clearing: true, thread: thread,
             selected: { bitmap.contains($0, in: range) }, record: { _ in })
    }

    public func testAge(_ range: GFNRange, thread: HostThread) -> Bool {
        let mode = capabilities.agingLock
        lock.lock(mode, thread)
        defer { lock.unlock(mode, thread) }
        return walk(range, mode: mode, clearing: false, thread: thread, selected: { _ in true }, record: { _ in })
    }

    public func clearAge(_ range: GFNRange, thread: HostThread) -> Bool {
        let mode = capabilities.agingLock
        lock.lock(mode, thread)
        defer { lock.unlock(mode, thread) }
        return walk(range, mode: mode, clearing: true, thread: thread, selected: { _ in true }, record: { _ in })
    }

    /// `kvm_test_age_rmap` / `kvm_age_rmap` over `range`, inside the read-side section: for each
    /// selected gfn with a young spte, `record(gfn)` and, when `clearing`, age its young sptes.
    /// With `.perRmap` each head is walked holding its lock bit.
    private func walk(
        _ range: GFNRange, mode: LockMode, clearing: Bool, thread: HostThread,
        selected: (UInt64) -> Bool, record: (UInt64) -> Void
    ) -> Bool {
        thread.enterReadSide()
        defer { thread.exitReadSide() }
        var anyYoung = false
        for gfn in range.start..<min(range.end, gfnCount) where selected(gfn) {
            var young = false
            let visit = { (slot: EntrySlot) in
                let value = slot.load()
                guard self.format.isMapped(value) && self.format.isYoung(value) else { return }
                young = true
                if clearing { self.clear(slot, value, thread: thread) }
            }
            if mode == .perRmap {
                let head = rmap.lock(gfn)
                rmap.forEach(gfn, head: head, visit)
                rmap.unlockReadOnly(gfn, head)
            } else {
                rmap.forEach(gfn, visit)
            }
            if young {
                anyYoung = true
                record(gfn)
            }
        }
        return anyYoung
    }

    /// Ages one young spte by the backend's clear method.
    private func clear(_ slot: EntrySlot, _ value: UInt64, thread: HostThread) {
        capabilities.clearMethod.apply(to: slot, value, format: format, thread: thread)
    }

    // MARK: Introspection

    public func forEachMapping(in range: GFNRange, thread: HostThread, _ body: (UInt64, UInt64) -> Void) {
        lock.lockExclusive(thread)
        defer { lock.unlockExclusive(thread) }
        for gfn in range.start..<min(range.end, gfnCount) {
            rmap.forEach(gfn) { slot in body(gfn, slot.load()) }
        }
    }
}
