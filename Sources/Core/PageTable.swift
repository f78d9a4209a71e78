import Synchronization
import CPlatform

/// A 4-level radix page table of 512-entry table pages, each entry a 64-bit atomic word.
///
/// Level 4 is the root; level 1 pages hold leaves. gfn bits 27–35, 18–26, 9–17 and 0–8 index the
/// levels. Table pages come from `TablePageAllocator`; an emptied page unlinked by `zap` is freed
/// through `reclaimer`, so lockless walkers inside a read-side section never see it freed.
///
/// Locking is the caller's: `install` may race with other installs and with lockless walkers;
/// `zap` must be exclusive with `install` (the backend holds `mmu_lock` for write). Walks must run
/// inside a read-side section of `reclaimer` or under a lock that excludes `zap`.
///
/// > Note: In debug builds, a freed page is filled with `poison` and kept until the table is
/// > destroyed, and every walk counts the poisoned entries it reads (`useAfterFreeReads`). Under
/// > AddressSanitizer freed pages go back to the system allocator at once, so ASan reports a
/// > late reader itself.
public final class PageTable: @unchecked Sendable {
    // Safety: entries are atomics; the root never changes; freed pages go through the reclaimer.

    public typealias Entries = UnsafeMutablePointer<Atomic<UInt64>>

    public static let levels = 4
    public static let entriesPerTable: UInt64 = 512
    /// The value debug builds fill freed table pages with; no entry of any format looks like it.
    public static let poison: UInt64 = 0xA5A5_A5A5_A5A5_A5A5
    @usableFromInline static let addressMask: UInt64 = 0x000F_FFFF_FFFF_F000
    /// Bit 0 marks a present non-leaf entry in every format.
    @usableFromInline static let tablePresentBit: UInt64 = 1

    public let format: EntryFormat
    public let reclaimer: EpochReclaimer
    public let allocator: TablePageAllocator
    @usableFromInline let root: Entries
    @usableFromInline let pageCount = Atomic<Int>(1)
    @usableFromInline let poisonReads = Atomic<Int>(0)
    private let quarantine: Quarantine

    public init(format: EntryFormat) {
        self.format = format
        let allocator = TablePageAllocator()
        let quarantine = Quarantine(allocator: allocator)
        self.allocator = allocator
        self.quarantine = quarantine
        reclaimer = EpochReclaimer { page in
            #if DEBUG
            if allocator.usesJemalloc {
                quarantine.keep(page)
                return
            }
            #endif
            allocator.deallocate(page)
        }
        root = Self.newTablePage(allocator)
    }

    deinit {
        reclaimer.synchronize()
        freeSubtree(root, level: Self.levels)
        quarantine.releaseAll()
        allocator.destroy()
    }

    // MARK: Table pages

    static func newTablePage(_ allocator: TablePageAllocator) -> Entries {
        let raw = allocator.allocate()
        // Zeroed memory is a valid Atomic<UInt64>(0); binding makes that explicit.
        return raw.bindMemory(to: Atomic<UInt64>.self, capacity: Int(entriesPerTable))
    }

    @usableFromInline static func child(of entry: UInt64) -> Entries {
        Entries(bitPattern: UInt(entry & addressMask))!
    }

    @inlinable @inline(__always) static func index(of gfn: UInt64, level: Int) -> Int {
        Int((gfn >> (9 * UInt64(level - 1))) & 511)
    }

    /// Retired table pages freed per reclaim, at the least.
    public static let reclaimBatch = 64

    /// gfns covered by one entry at `level` (1 at level 1, 512 at level 2, …).
    @inlinable static func span(level: Int) -> UInt64 { 1 << (9 * UInt64(level - 1)) }

    /// Table pages allocated and not yet freed (root included; retired-but-unfreed pages count).
    public var tablePages: Int { pageCount.load(ordering: .relaxed) }

    /// Bytes of table pages, counted by the model.
    public var tableBytes: Int { tablePages * TablePageAllocator.pageBytes }

    /// jemalloc's view of this table's arena (zeros under AddressSanitizer).
    public var jemallocMemory: PageTableMemory { PageTableMemory.arena(allocator.arena) }

    /// Poisoned entries read by walkers (debug builds only; always 0 in release).
    public var useAfterFreeReads: Int { poisonReads.load(ordering: .relaxed) }

    @inlinable func checkPoison(_ entry: UInt64) {
        #if DEBUG
        if entry == Self.poison { poisonReads.wrappingAdd(1, ordering: .relaxed) }
        #endif
    }

    // MARK: Lookup and walks

    /// The level-1 table page holding `gfn`'s leaf, or nil when a table on the way is missing.
    @inlinable @inline(__always) public func leafTable(for gfn: UInt64) -> Entries? {
        var table = root
        var level = Self.levels
        while level > 1 {
            let entry = table[Self.index(of: gfn, level: level)].load(ordering: .acquiring)
            checkPoison(entry)
            guard entry & Self.tablePresentBit != 0 else { return nil }
            table = Self.child(of: entry)
            level -= 1
        }
        return table
    }

    /// The slot of `gfn`'s leaf, or nil when a table on the way is missing.
    @inlinable @inline(__always) public func slot(for gfn: UInt64) -> EntrySlot? {
        guard let table = leafTable(for: gfn) else { return nil }
        return EntrySlot(table + Self.index(of: gfn, level: 1))
    }

    /// Starts bringing the entry on `gfn`'s walk at `level` (1: the leaf) into the cache: walks
    /// the levels above it as `slot(for:)` does and prefetches that entry's line. A hint for a
    /// walk that comes soon (a higher level for one further off, whose entries below are not
    /// worth waiting for yet); it changes no entry and counts nothing. Call inside the thread's
    /// read-side section, as for `slot(for:)`.
    @inlinable @inline(__always) public func prefetchEntry(for gfn: UInt64, level target: Int = 1) {
        var table = root
        var level = Self.levels
        while level > target {
            let entry = table[Self.index(of: gfn, level: level)].load(ordering: .relaxed)
            // A missing table, or (debug builds) a freed one: nothing worth fetching.
            guard entry & Self.tablePresentBit != 0, entry != Self.poison else { return }
            table = Self.child(of: entry)
            level -= 1
        }
        agingbench_prefetch(table + Self.index(of: gfn, level: target))
    }

    /// The leaf value for `gfn`, 0 when nothing is installed.
    @inlinable public func leaf(for gfn: UInt64) -> UInt64 {
        slot(for: gfn)?.load() ?? 0
    }

    /// Calls `body(gfn, slot, value)` for every non-zero leaf in `range`, in ascending gfn order,
    /// skipping missing subtrees whole.
    @inlinable public func forEachLeaf(in range: GFNRange, _ body: (UInt64, EntrySlot, UInt64) -> Void) {
        var gfn = range.start
        let end = range.end
        while gfn < end {
            var table = root
            var level = Self.levels
            var missingSpan: UInt64 = 0
            while level > 1 {
                let entry = table[Self.index(of: gfn, level: level)].load(ordering: .acquiring)
                checkPoison(entry)
                if entry & Self.tablePresentBit == 0 {
                    missingSpan = Self.span(level: level)
                    break
                }
                table = Self.child(of: entry)
                level -= 1
            }
            if missingSpan != 0 {
                gfn = (gfn & ~(missingSpan - 1)) &+ missingSpan
                continue
            }
            let tableEnd = min(end, (gfn | 511) &+ 1)
            let base = gfn & ~511
            var index = Int(gfn & 511)
            let stop = Int(tableEnd - base)
            while index < stop {
                let slot = table + index
                let value = slot.pointee.load(ordering: .relaxed)
                checkPoison(value)
                if value != 0 { body(base &+ UInt64(index), EntrySlot(slot), value) }
                index &+= 1
            }
            gfn = tableEnd
        }
    }

    // MARK: Install

    /// Walks to `gfn`'s leaf, allocating missing tables (each linked by compare-exchange, as
    /// `tdp_mmu_link_sp` does; a loser frees its unpublished page), and returns the leaf's slot.
    public func slotAllocating(for gfn: UInt64) -> EntrySlot {
        var table = root
        var level = Self.levels
        while level > 1 {
            let slot = table + Self.index(of: gfn, level: level)
            var entry = slot.pointee.load(ordering: .acquiring)
            checkPoison(entry)
            if entry & Self.tablePresentBit == 0 {
                let page = Self.newTablePage(allocator)
                let linked = UInt64(UInt(bitPattern: page)) | format.tableBits
                let result = slot.pointee.compareExchange(
                    expected: entry, desired: linked, ordering: .acquiringAndReleasing)
                if result.exchanged {
                    pageCount.wrappingAdd(1, ordering: .relaxed)
                    entry = linked
                } else {
                    allocator.deallocate(UnsafeMutableRawPointer(page))
                    entry = result.original
                }
            }
            table = Self.child(of: entry)
            level -= 1
        }
        return EntrySlot(table + Self.index(of: gfn, level: 1))
    }

    /// Installs `leaf` at `gfn` if the slot still holds `expected`; returns whether it did and
    /// the value it found.
    @discardableResult
    public func install(_ leaf: UInt64, at gfn: UInt64, expected: UInt64 = 0) -> (installed: Bool, found: UInt64) {
        let result = slotAllocating(for: gfn).compareExchange(expected: expected, desired: leaf)
        return (result.exchanged, result.original)
    }

    // MARK: Zap

    /// Clears every leaf in `range` (atomic exchange: hardware may be setting A/D bits), unlinks
    /// table pages left empty and retires them to `reclaimer`. The caller excludes `install`
    /// (write lock) and calls `reclaimer.reclaim(batch:)` once it has dropped the lock.
    /// - Returns: the leaves that were mapped, and the young ones among them.
    @discardableResult
    public func zap(_ range: GFNRange) -> (zapped: Int, young: Int) {
        var tally = (zapped: 0, young: 0)
        zap(range, table: root, level: Self.levels, base: 0, tally: &tally)
        return tally
    }

    private func zap(_ range: GFNRange, table: Entries, level: Int, base: UInt64, tally: inout (zapped: Int, young: Int)) {
        let span = Self.span(level: level)
        let tableEnd = base &+ span * Self.entriesPerTable
        let first = max(range.start, base)
        let last = min(range.end, tableEnd)
        guard first < last else { return }
        for index in Int((first - base) / span)...Int((last - 1 - base) / span) {
            let slot = table + index
            if level == 1 {
                let old = slot.pointee.exchange(0, ordering: .acquiringAndReleasing)
                checkPoison(old)
                if format.isMapped(old) {
                    tally.zapped += 1
                    if format.isYoung(old) { tally.young += 1 }
                }
                continue
            }
            let entry = slot.pointee.load(ordering: .acquiring)
            guard entry & Self.tablePresentBit != 0 else { continue }
            let child = Self.child(of: entry)
            let childBase = base &+ UInt64(index) * span
            zap(range, table: child, level: level - 1, base: childBase, tally: &tally)
            let covered = range.start <= childBase && childBase &+ span <= range.end
            if covered || Self.isEmpty(child) {
                slot.pointee.store(0, ordering: .releasing)
                pageCount.wrappingSubtract(1, ordering: .relaxed)
                reclaimer.retire(UnsafeMutableRawPointer(child))
            }
        }
    }

    private static func isEmpty(_ table: Entries) -> Bool {
        for index in 0..<Int(entriesPerTable) where table[index].load(ordering: .relaxed) != 0 {
            return false
        }
        return true
    }

    private func freeSubtree(_ table: Entries, level: Int) {
        if level > 1 {
            for index in 0..<Int(Self.entriesPerTable) {
                let entry = table[index].load(ordering: .relaxed)
                if entry & Self.tablePresentBit != 0 { freeSubtree(Self.child(of: entry), level: level - 1) }
            }
        }
        allocator.deallocate(UnsafeMutableRawPointer(table))
    }
}
