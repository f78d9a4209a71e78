/// The radix-tree secondary MMU engine that the TDP-style backends configure.
///
/// One mechanism, driven by `BackendCapabilities`: the entry format, the lock of each path and
/// the clear method. The x86 TDP MMU, arm64 stage-2 and the pre-series baseline differ in exactly
/// those choices (see each backend's folder for the kernel functions it follows), and a lock-mode
/// × bitmap grid is any combination of them.
///
/// - Faults: `faultLock`, the `mmu_invalidate_seq` check (`.retry` when an invalidation ran since
///   the fault's GUP step), then walk with table allocation and install by compare-exchange
///   (`tdp_mmu_map_handle_target_level`); a lost race is a spurious fault. With access tracking,
///   a parked or write-protected entry is fixed first by the lockless fast path
///   (`fast_page_fault`).
/// - Aging: one walk (`walkYoung`) inside the read-side section, plus `agingLock` (no bitmap) or
///   `bitmapAgingLock` taken by the hooks; young entries cleared per `clearMethod`.
/// - Zaps: write lock; emptied tables unlinked, then freed through the reclaimer in batches once
///   the lock is dropped.
public final class RadixMMU: SecondaryMMU, @unchecked Sendable {
    // Safety: the table and the lock are thread-safe; everything else is immutable.

    public let capabilities: BackendCapabilities
    public let name: String
    public let gfnCount: UInt64
    public let table: PageTable
    public let lock = MMULock()
    public let invalidation = InvalidationSequence()
    @inlinable var format: EntryFormat { capabilities.format }
    @inlinable var clearMethod: ClearMethod { capabilities.clearMethod }

    /// - Parameters:
    ///   - capabilities: what this instance does; the engine's initializer refuses choices it
    ///     cannot keep its contract with.
    ///   - gfnCount: guest pages the MMU covers, gfns `0..<gfnCount`.
    ///   - name: the backend's registered name; by default its entry format's.
    public init(capabilities: BackendCapabilities, gfnCount: UInt64, name: String? = nil) {
        precondition(
            !capabilities.format.accessTracking || capabilities.clearMethod == .compareExchangeIgnoreFailure,
            "access tracking parks entries by compare-exchange")
        self.capabilities = capabilities
        self.name = name ?? capabilities.format.name
        self.gfnCount = gfnCount
        table = PageTable(format: capabilities.format)
    }

    public func makeThread(role: HostThread.Role) -> HostThread {
        HostThread(role: role, reclaimer: table.reclaimer)
    }

    public var pageTableBytes: Int { table.tableBytes }
    public var useAfterFreeReads: Int { table.useAfterFreeReads }
    public var jemallocTableBytes: Int { table.jemallocMemory.allocated }

    // MARK: vCPU side

    @inlinable public func access(_ gfn: UInt64, write: Bool, thread: HostThread) -> Bool {
        table.slot(for: gfn)?.hardwareAccess(write: write, format: format) ?? false
    }

    @inlinable public func prefetchWalk(_ gfn: UInt64, level: Int) { table.prefetchEntry(for: gfn, level: level) }

    public func handleFault(_ gfn: UInt64, write: Bool, sequence: UInt64, thread: HostThread) -> FaultOutcome {
        #if AGINGBENCH_INJECT
        InjectedWork.fault()
        #endif
        if format.accessTracking && fastFault(gfn, write: write, thread: thread) {
            thread.events.fastFaults &+= 1
            return .restored
        }
        lock.lock(capabilities.faultLock, thread)
        if invalidation.mustRetry(since: sequence) {
            lock.unlock(capabilities.faultLock, thread)
            thread.events.faultRetries &+= 1
            return .retry
        }
        thread.enterReadSide()
        let slot = table.slotAllocating(for: gfn)
        let current = slot.load()
        let outcome: FaultOutcome
        if let fixed = Self.fixedByFastPath(current, write: write, format: format) {
            outcome = slot.compareExchange(expected: current, desired: fixed).exchanged ? .restored : .spurious
        } else if format.isMapped(current) {
            outcome = .spurious
        } else {
            let leaf = format.makeLeaf(pfn: GuestMemory.hostPFN(for: gfn), writable: true, dirty: write)
            outcome = slot.compareExchange(expected: current, desired: leaf).exchanged ? .installed : .spurious
        }
        thread.exitReadSide()
        lock.unlock(capabilities.faultLock, thread)
        switch outcome {
        case .installed: thread.events.faultsInstalled &+= 1
        case .spurious: thread.events.faultsSpurious &+= 1
        case .restored: thread.events.fastFaults &+= 1
        case .retry: break
        }
        return outcome
    }

    /// `fast_page_fault`: fix a parked or write-protected entry without `mmu_lock`, under the
    /// read-side section, by compare-exchange. False when it cannot (the slow path decides).
    private func fastFault(_ gfn: UInt64, write: Bool, thread: HostThread) -> Bool {
        thread.enterReadSide()
        defer { thread.exitReadSide() }
        guard let slot = table.slot(for: gfn) else { return false }
        let current = slot.load()
        guard let fixed = Self.fixedByFastPath(current, write: write, format: format) else { return false }
        return slot.compareExchange(expected: current, desired: fixed).exchanged
    }

    /// What `fast_page_fault` makes of `entry`: a parked entry restored (writable on a write
    /// fault), a write-protected one made writable; nil when the fast path does not apply.
    private static func fixedByFastPath(_ entry: UInt64, write: Bool, format: EntryFormat) -> UInt64? {
        if format.isParked(entry) { return format.restoreParked(entry, write: write) }
        guard write, format.isHardwarePresent(entry), entry & format.writableMask == 0 else { return nil }
        let writable = format.makeWritable(entry)
        return writable == entry ? nil : writable
    }

    @discardableResult
    public func zap(_ range: GFNRange, thread: HostThread) -> Int {
        lock.lockExclusive(thread)
        let zapped = table.zap(range).zapped
        lock.unlockExclusive(thread)
        table.reclaimer.reclaim(batch: PageTable.reclaimBatch)
        thread.events.zapped &+= UInt64(zapped)
        return zapped
    }

    // MARK: Aging

    @inlinable public func prepareBitmapAge(thread: HostThread) -> Bool {
        guard let mode = capabilities.bitmapAgingLock else { return false }
        lock.lock(mode, thread)
        return true
    }

    @inlinable public func finishBitmapAge(thread: HostThread) {
        if let mode = capabilities.bitmapAgingLock { lock.unlock(mode, thread) }
    }

    @inlinable public func testAge(_ range: GFNRange, bitmap: inout YoungBitmap, thread: HostThread) -> Bool {
        walkYoung(range, thread: thread, clearing: false, marked: { _ in true }, record: { bitmap.insert($0, in: range) })
    }

    @inlinable public func clearAge(_ range: GFNRange, bitmap: YoungBitmap, thread: HostThread) -> Bool {
        walkYoung(
            range, thread: thread, clearing: true, marked: { bitmap.contains($0, in: range) }, markedBitmap: bitmap,
            record: { _ in })
    }

    @inlinable public func testAge(_ range: GFNRange, thread: HostThread) -> Bool {
        lock.lock(capabilities.agingLock, thread)
        defer { lock.unlock(capabilities.agingLock, thread) }
        return walkYoung(range, thread: thread, clearing: false, marked: { _ in true }, record: { _ in })
    }

    @inlinable public func clearAge(_ range: GFNRange, thread: HostThread) -> Bool {
        lock.lock(capabilities.agingLock, thread)
        defer { lock.unlock(capabilities.agingLock, thread) }
        return walkYoung(range, thread: thread, clearing: true, marked: { _ in true }, record: { _ in })
    }

    /// The one aging walk, inside the read-side section: for every young leaf of `range` that
    /// `marked` selects, `record(gfn)` and, when `clearing`, age it by the clear method.
    /// - Returns: whether any selected leaf was young.
    /// `markedBitmap`, when given, selects what `marked` does, for the out-of-line walk (a
    /// closure passed out of line is a call per leaf).
    @inlinable func walkYoung(
        _ range: GFNRange, thread: HostThread, clearing: Bool,
        marked: (UInt64) -> Bool, markedBitmap: YoungBitmap? = nil, record: (UInt64) -> Void
    ) -> Bool {
        // A method `clear` does not spell out gets a walk of its own, out of line: a call left
        // in this loop, even one never taken, spills the loop's values around it (and the format
        // copy it passes), so every young leaf reloads them from the stack and the 4-way switch
        // became a jump table; that cost arm64's compare-exchange walk pass_vs_limit 1.40 → 1.49.
        #if AGINGBENCH_INJECT
        InjectedWork.walk()
        #endif
        if clearing && !clearsInline {
            return walkYoungOutOfLine(range, thread: thread, marked: markedBitmap)
        }
        thread.enterReadSide()
        var young = false
        let format = self.format
        table.forEachLeaf(in: range) { gfn, slot, value in
            guard format.isYoung(value) && marked(gfn) else { return }
            young = true
            record(gfn)
            if clearing { clear(slot, value, thread: thread) }
        }
        thread.exitReadSide()
        return young
    }

    /// Whether `clear` spells out the clear method, so the walk inlines with it.
    @inlinable var clearsInline: Bool {
        switch clearMethod {
        case .atomicAnd, .compareExchangeIgnoreFailure, .compareExchangeRetry: true
        case .plainStoreUnlessVolatile: false
        }
    }

    /// `walkYoung` clearing the young leaves `marked` selects (nil: all) by a method `clear` does
    /// not spell out, through `ClearMethod.apply` (clearing walks record nothing).
    @inline(never) @usableFromInline func walkYoungOutOfLine(
        _ range: GFNRange, thread: HostThread, marked: YoungBitmap?
    ) -> Bool {
        thread.enterReadSide()
        var young = false
        let format = self.format
        let method = clearMethod
        table.forEachLeaf(in: range) { gfn, slot, value in
            guard format.isYoung(value) && marked.map({ $0.contains(gfn, in: range) }) ?? true else { return }
            young = true
            method.apply(to: slot, value, format: format, thread: thread)
        }
        thread.exitReadSide()
        return young
    }

    /// Ages one young entry (`value` as last read) by the backend's clear method, one of those
    /// `clearsInline` names.
    ///
    /// The three methods of the seed backends are spelled out here, so the walk stays small
    /// enough to inline into the aging pass (a call per young leaf, copying the format, costs the
    /// lockless walk a fifth of its speed, measured by `pass_vs_limit`); they do what
    /// `ClearMethod.apply` does, which the rmap engine and the rarer methods use.
    @inlinable @inline(__always) func clear(_ slot: EntrySlot, _ value: UInt64, thread: HostThread) {
        switch clearMethod {
        case .atomicAnd:
            _ = slot.clearBits(format.accessedMask)
        case .compareExchangeIgnoreFailure:
            if !slot.compareExchange(expected: value, desired: format.markOld(value)).exchanged {
                thread.events.ageCASIgnored &+= 1
            }
        case .compareExchangeRetry:
            var current = value
            while format.isMapped(current) && format.isYoung(current) {
                let result = slot.compareExchange(expected: current, desired: format.markOld(current))
                if result.exchanged { return }
                thread.events.ageRetries &+= 1
                current = result.original
            }
        case .plainStoreUnlessVolatile:
            // walkYoung sends this method to walkYoungOutOfLine; a trap, not a call, keeps
            // the loop free of calls.
            preconditionFailure("\(clearMethod) clears out of line")
        }
    }

    // MARK: Introspection

    public func forEachMapping(in range: GFNRange, thread: HostThread, _ body: (UInt64, UInt64) -> Void) {
        thread.enterReadSide()
        let format = self.format
        table.forEachLeaf(in: range) { gfn, _, value in
            if format.isMapped(value) { body(gfn, value) }
        }
        thread.exitReadSide()
    }
}
