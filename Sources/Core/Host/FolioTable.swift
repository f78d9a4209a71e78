import CPlatform
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// One 64-byte folio record per guest page, as `struct folio` is to a 4 KiB anonymous page:
/// a flags word (with the MGLRU generation), a reference count and a map count, padded to the
/// kernel's 64 bytes so the aging walk touches as many cache lines as the kernel's does.
///
/// Flags layout: bit 0 `onLRU` (PG_lru), bit 1 `evicted` (the page was reclaimed: its next
/// fault is a refault, as a workingset shadow entry tells the kernel), bit 2 `evictedFalseOld`
/// (it was reclaimed while a vCPU was using it through its TLB: see `AccessLedger`), bits 32–63 the
/// generation's sequence number (the kernel keeps `seq % MAX_NR_GENS + 1` in three flag bits;
/// the model keeps the sequence itself, so "old for N generations" needs no lists).
///
/// Contract: records are created zeroed (no folio); every update of the flags word is a single
/// atomic operation, and `promote` changes only the generation, by compare-exchange, as
/// `folio_update_gen` does.
public final class FolioTable: @unchecked Sendable {
    // Safety: all fields are atomics in memory allocated once.

    public static let recordBytes = 64
    @usableFromInline static let wordsPerRecord = 8
    public static let onLRU: UInt64 = 1 << 0
    public static let evicted: UInt64 = 1 << 1
    public static let evictedFalseOld: UInt64 = 1 << 2
    @usableFromInline static let generationShift: UInt64 = 32

    public let count: Int
    @usableFromInline let words: UnsafeMutablePointer<Atomic<UInt64>>
    /// What `calloc` returned, for `free`: `words` is the first 64-byte boundary in it.
    private let allocation: UnsafeMutableRawPointer

    public init(pages: UInt64) {
        count = Int(pages)
        let bytes = max(1, count) * Self.recordBytes
        // calloc, not allocate-and-fill: the allocator's fresh pages are zero already, so the
        // records are not written once more before use (1.9 GB for a 112-vCPU × 1 GiB guest,
        // every page of it touched up front); the kernel zeroes each page at its first touch.
        guard let allocation = calloc(bytes + Self.recordBytes, 1) else { fatalError("out of memory for folio records") }
        self.allocation = allocation
        let aligned = (UInt(bitPattern: allocation) + UInt(Self.recordBytes - 1)) & ~UInt(Self.recordBytes - 1)
        words = UnsafeMutableRawPointer(bitPattern: aligned)!
            .bindMemory(to: Atomic<UInt64>.self, capacity: max(1, count) * Self.wordsPerRecord)
    }

    deinit { free(allocation) }

    /// Bytes of folio records.
    public var bytes: Int { count * Self.recordBytes }

    @inlinable func flagsWord(_ page: UInt64) -> UnsafeMutablePointer<Atomic<UInt64>> {
        words + Int(page) * Self.wordsPerRecord
    }

    /// Starts bringing `page`'s record into the cache (a hint; it changes nothing).
    @inlinable public func prefetch(_ page: UInt64) { agingbench_prefetch(flagsWord(page)) }

    /// The flags word of `page`'s folio.
    @inlinable public func flags(of page: UInt64) -> UInt64 { flagsWord(page).pointee.load(ordering: .acquiring) }

    /// The generation `page`'s folio is in (0: not on the LRU).
    @inlinable public func generation(of page: UInt64) -> UInt64 {
        let flags = flags(of: page)
        return flags & Self.onLRU == 0 ? 0 : flags >> Self.generationShift
    }

    @inlinable public func mapCount(of page: UInt64) -> UInt64 {
        (flagsWord(page) + 2).pointee.load(ordering: .relaxed)
    }

    /// A new anonymous folio mapped once, added to generation `generation`
    /// (`folio_add_new_anon_rmap` + `folio_add_lru`). Returns the flags the page had: `evicted`
    /// set means a refault.
    @inlinable public func addNew(_ page: UInt64, generation: UInt64) -> UInt64 {
        let record = flagsWord(page)
        (record + 1).pointee.store(1, ordering: .relaxed)
        (record + 2).pointee.store(1, ordering: .relaxed)
        let previous = record.pointee.exchange(
            Self.onLRU | (generation << Self.generationShift), ordering: .acquiringAndReleasing)
        return previous
    }

    /// `folio_update_gen`: moves a folio on the LRU to `generation` if it is older; false when
    /// it is not on the LRU or already there.
    @inlinable @discardableResult
    public func promote(_ page: UInt64, to generation: UInt64) -> Bool {
        let record = flagsWord(page)
        var current = record.pointee.load(ordering: .relaxed)
        while current & Self.onLRU != 0 && current >> Self.generationShift < generation {
            let desired = (current & ((1 << Self.generationShift) - 1)) | (generation << Self.generationShift)
            let result = record.pointee.compareExchange(
                expected: current, desired: desired, ordering: .acquiringAndReleasing)
            if result.exchanged { return true }
            current = result.original
        }
        return false
    }

    /// Reclaim took the folio: off the LRU, unmapped, freed, with a shadow entry left behind
    /// that says whether it was taken while falsely old.
    @inlinable public func markEvicted(_ page: UInt64, falseOld: Bool = false) {
        let record = flagsWord(page)
        (record + 2).pointee.store(0, ordering: .relaxed)
        (record + 1).pointee.store(0, ordering: .relaxed)
        record.pointee.store(Self.evicted | (falseOld ? Self.evictedFalseOld : 0), ordering: .releasing)
    }
}
