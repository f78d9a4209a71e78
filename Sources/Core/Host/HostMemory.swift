import Synchronization

/// The primary MMU for a guest's memory: the VMM's host page table (x86-64 PTEs), a folio record
/// per guest page with its MGLRU generation, and the host frames behind them. All real memory and
/// real work; its bytes are reported apart from the secondary MMU's.
///
/// - Faults: `faultIn` is the GUP step of a vCPU fault (`kvm_faultin_pfn` → `handle_mm_fault`):
///   on a first touch it takes and zeroes a frame, adds the folio to the youngest generation, and
///   installs the host PTE (folio first, PTE last, as `do_anonymous_page`), with Accessed set
///   and Dirty on a write; on a present page it marks the PTE accessed (FOLL_TOUCH).
/// - Aging: `forEachPresent`, `testAndClearAccessed` and `promote` are MGLRU's `walk_pte_range`
///   pieces; `advanceGeneration` is `inc_max_seq`.
/// - Reclaim: `unmap` clears host PTEs and frees their folios; callers run it inside the
///   secondary MMU's invalidation (`SecondaryMMU.invalidate`).
/// - Pressure: with a budget (`Watermarks`), a first touch or refault first reserves a frame;
///   when that would take free memory below the `min` watermark it does nothing and answers
///   `stalled` (the fault waits for reclaim and retries), so resident pages never exceed
///   `budget.allocatable`.
///
/// Contract: guest page *n* is host virtual page *n* of the VMM's mapping and frame *n* of the
/// pool; faults on one page are serialized by its vCPU, aging and reclaim run on one thread.
public final class HostMemory: @unchecked Sendable {
    // Safety: the table, the folio records and the generation counter are atomics.

    public static let format = EntryFormat.x86HostPTE

    public let pages: UInt64
    public let table: PageTable
    public let folios: FolioTable
    /// The frames behind guest pages; nil when the cell's memory is not backed (the virtual
    /// engine, whose frame zeroing is a calibrated cost instead).
    public let frames: HostFramePool?
    /// `max_seq`: the youngest generation. Starts at 1 so that 0 means "no generation".
    @usableFromInline let youngest = Atomic<UInt64>(1)
    /// The host memory the guests may use, and its watermarks; nil: no limit.
    public let budget: Watermarks?
    /// Pages with a frame: counted only under a budget.
    @usableFromInline let resident = Atomic<UInt64>(0)
    @usableFromInline let peakResident = Atomic<UInt64>(0)

    /// Nil when the frames cannot be mapped. Without `backedByFrames` no frame is mapped and a
    /// first touch zeroes nothing; everything else is as with frames. With `budget`, resident
    /// pages are held within it (see the type's contract).
    public init?(pages: UInt64, backedByFrames: Bool = true, budget: Watermarks? = nil) {
        self.budget = budget
        if backedByFrames {
            guard let frames = HostFramePool(frames: pages) else { return nil }
            self.frames = frames
        } else {
            frames = nil
        }
        self.pages = pages
        table = PageTable(format: Self.format)
        folios = FolioTable(pages: pages)
    }

    /// What the GUP step found.
    public enum FaultResult: Sendable, Hashable {
        /// The host page was mapped already.
        case present
        /// A first touch: a frame was taken, zeroed and mapped.
        case installed
        /// Like `installed`, for a page reclaim had evicted: a refault.
        case refault
        /// A refault of a page reclaim evicted while a vCPU was using it through its TLB.
        case falseOldRefault
        /// No frame could be taken within the budget: nothing changed; the fault waits for
        /// reclaim to free memory and retries.
        case stalled

        /// Whether the page had been evicted.
        @inlinable public var isRefault: Bool { self == .refault || self == .falseOldRefault }
    }

    /// The GUP step of a vCPU fault on guest page `page`.
    @inlinable @discardableResult
    public func faultIn(_ page: UInt64, write: Bool) -> FaultResult {
        let format = Self.format
        let slot = table.slotAllocating(for: page)
        let current = slot.load()
        if format.isHardwarePresent(current) {
            let touched = format.accessedMask | (write ? format.dirtyMask : 0)
            if current & touched != touched { _ = slot.setBits(touched) }
            return .present
        }
        if let budget, !reserveFrame(within: budget.allocatable) { return .stalled }
        frames?.zero(page)
        let previous = folios.addNew(page, generation: youngest.load(ordering: .relaxed))
        let pte = format.makeLeaf(pfn: GuestMemory.hostPFN(for: page), writable: true, dirty: write) | format.accessedMask
        _ = slot.compareExchange(expected: current, desired: pte)
        if previous & FolioTable.evicted == 0 { return .installed }
        return previous & FolioTable.evictedFalseOld != 0 ? .falseOldRefault : .refault
    }

    /// Takes one frame from the budget unless `limit` are resident.
    @usableFromInline func reserveFrame(within limit: UInt64) -> Bool {
        var current = resident.load(ordering: .relaxed)
        while current < limit {
            let result = resident.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if result.exchanged {
                peakResident.max(current + 1, ordering: .relaxed)
                return true
            }
            current = result.original
        }
        return false
    }

    /// The most pages resident at once (0 without a budget).
    public var peakResidentPages: UInt64 { peakResident.load(ordering: .relaxed) }

    /// Pages resident now (0 without a budget, which counts none).
    public var residentPages: UInt64 { resident.load(ordering: .relaxed) }

    /// Free pages within the budget (nil without one).
    public var freePages: UInt64? { budget.map { $0.pages - Swift.min($0.pages, residentPages) } }

    /// Whether free memory is below the watermark kswapd wakes at.
    public var isBelowLowWatermark: Bool { budget.map { freePages! < $0.low } ?? false }

    /// Whether free memory is back at the watermark kswapd stops at.
    public var isAtHighWatermark: Bool { budget.map { freePages! >= $0.high } ?? true }

    /// Whether a first touch would stall now (no frame within the budget).
    public var wouldStall: Bool { budget.map { residentPages >= $0.allocatable } ?? false }

    /// Starts bringing what `faultIn` of `page` reads and writes into the cache: its host PTE's
    /// line and its folio record. A hint; it changes and counts nothing.
    @inlinable public func prefetchFault(_ page: UInt64) {
        table.prefetchEntry(for: page)
        folios.prefetch(page)
    }

    /// Whether guest page `page` has a present host PTE.
    public func isPresent(_ page: UInt64) -> Bool {
        table.slot(for: page).map { Self.format.isHardwarePresent($0.load()) } ?? false
    }

    /// The youngest generation (`max_seq`).
    @inlinable public var youngestGeneration: UInt64 { youngest.load(ordering: .relaxed) }

    /// `inc_max_seq`: opens a new youngest generation and returns it.
    @discardableResult
    public func advanceGeneration() -> UInt64 {
        youngest.wrappingAdd(1, ordering: .relaxed).newValue
    }

    /// Calls `body(page, slot, pte)` for every present host PTE in `range`, in order; missing
    /// tables are skipped whole, and non-present entries are never passed on.
    @inlinable public func forEachPresent(in range: GFNRange, _ body: (UInt64, EntrySlot, UInt64) -> Void) {
        let format = Self.format
        table.forEachLeaf(in: range) { page, slot, pte in
            if format.isHardwarePresent(pte) { body(page, slot, pte) }
        }
    }

    /// `ptep_test_and_clear_young` on a present PTE read as `pte`.
    @inlinable public func testAndClearAccessed(_ slot: EntrySlot, _ pte: UInt64) -> Bool {
        let accessed = Self.format.accessedMask
        guard pte & accessed != 0 else { return false }
        return slot.clearBits(accessed) & accessed != 0
    }

    /// `folio_update_gen`: moves `page`'s folio to the youngest generation.
    @inlinable @discardableResult
    public func promote(_ page: UInt64) -> Bool {
        folios.promote(page, to: youngestGeneration)
    }

    /// Reclaim's unmap of `range` (`try_to_unmap` + freeing): clears every present host PTE and
    /// marks its folio evicted, as falsely old where `falseOld(page)` says so. Returns the pages
    /// unmapped.
    @discardableResult
    public func unmap(_ range: GFNRange, falseOld: (UInt64) -> Bool = { _ in false }) -> Int {
        var unmapped = 0
        forEachPresent(in: range) { page, slot, _ in
            _ = slot.exchange(0)
            folios.markEvicted(page, falseOld: falseOld(page))
            unmapped += 1
        }
        if budget != nil && unmapped > 0 { resident.subtract(UInt64(unmapped), ordering: .relaxed) }
        return unmapped
    }

    /// Bytes of the host page table.
    public var tableBytes: Int { table.tableBytes }
    /// Bytes of folio records.
    public var folioBytes: Int { folios.bytes }
}
