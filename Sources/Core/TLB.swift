import CPlatform
import Synchronization

/// One vCPU's TLB: a set-associative cache of the translations its page walks found.
///
/// Contract:
/// - **Owner.** Only the vCPU thread that owns the TLB looks up, fills and flushes it; it does so
///   inside guest mode (`enterGuest()` … `exitGuest()`), so the arrays need no atomics.
/// - **A hit** (`lookup`) neither walks nor sets Accessed. A write hits only an entry filled by
///   a write: a write through a translation cached clean walks again to set Dirty, as x86
///   re-walks on the first write through a clean TLB entry.
/// - **A miss** is followed by the walk (`SecondaryMMU.access`) and `fill`, which caches the
///   translation the walk just found (and set Accessed on).
/// - **Shootdowns.** Any thread may `post` a range; the owner answers every posted range at
///   its next access in guest mode (`answerPending`, the flush IPI interrupting it between two
///   accesses) or before it re-enters guest mode, flushing the range first. `RemoteTLBs`
///   waits for those answers.
/// - Keyed by the gfn the vCPU accesses, whatever guest address the backend maps it at (the
///   shadow MMU's alias), so a gfn range shoots down every translation of those gfns.
public final class TLB: @unchecked Sendable {
    // Safety: `tags`, `victims` and `counters` belong to the owning vCPU thread; the mailbox is
    // atomics plus a Mutex-protected list.

    /// A current x86 STLB (Intel Golden Cove: 2048 4 KiB entries, 16-way).
    public static let defaultEntries = 2048
    public static let defaultWays = 16

    /// Counters of the owner, read after it is done.
    public struct Counters: Sendable, Hashable {
        public var hits: UInt64 = 0
        public var misses: UInt64 = 0
        /// Shootdowns this vCPU answered (each may cover several posted ranges).
        public var answered: UInt64 = 0
        /// The posted sequence this vCPU has answered up to.
        @usableFromInline var seen: UInt64 = 0
        public init() {}
    }

    public let entries: Int
    public let ways: Int
    @usableFromInline let setMask: UInt64
    /// `(gfn + 1) << 1 | dirty` per way; 0 is an empty way.
    @usableFromInline let tags: UnsafeMutablePointer<UInt64>
    /// Per set, the next way to replace (round robin).
    @usableFromInline let victims: UnsafeMutablePointer<Int>
    @usableFromInline let counterStorage: UnsafeMutablePointer<Counters>
    /// Hits are recorded here for the false-old count (nil: not recorded).
    @usableFromInline let ledger: AccessLedger?

    /// posted, answered and in-guest words, a cache line apart so the zapper's post does not
    /// evict the vCPU's answer and the vCPU's per-access load stays a shared-line hit.
    @usableFromInline let mailbox: UnsafeMutablePointer<Atomic<UInt64>>
    @usableFromInline static let postedIndex = 0
    @usableFromInline static let answeredIndex = 8
    @usableFromInline static let inGuestIndex = 16
    private let pending = Mutex<[GFNRange]>([])

    /// - Parameters:
    ///   - entries: translations held; `entries / ways` must be a power of two.
    ///   - ways: associativity.
    ///   - ledger: where hits are recorded for the false-old count, if anywhere.
    public init(entries: Int = TLB.defaultEntries, ways: Int = TLB.defaultWays, ledger: AccessLedger? = nil) {
        precondition(ways > 0 && entries >= ways && entries % ways == 0, "a TLB holds whole sets")
        let sets = entries / ways
        precondition(sets & (sets - 1) == 0, "the set count must be a power of two")
        self.entries = entries
        self.ways = ways
        self.ledger = ledger
        setMask = UInt64(sets - 1)
        tags = .allocate(capacity: entries)
        tags.initialize(repeating: 0, count: entries)
        victims = .allocate(capacity: sets)
        victims.initialize(repeating: 0, count: sets)
        counterStorage = .allocate(capacity: 1)
        counterStorage.initialize(to: Counters())
        mailbox = .allocate(capacity: 24)
        for index in 0..<24 { (mailbox + index).initialize(to: Atomic(0)) }
    }

    deinit {
        tags.deallocate()
        victims.deallocate()
        counterStorage.deinitialize(count: 1)
        counterStorage.deallocate()
        mailbox.deinitialize(count: 24)
        mailbox.deallocate()
    }

    /// Whether entries and ways make a valid TLB (`entries / ways` a power of two).
    public static func isValid(entries: Int, ways: Int = defaultWays) -> Bool {
        guard ways > 0, entries >= ways, entries % ways == 0 else { return false }
        let sets = entries / ways
        return sets & (sets - 1) == 0
    }

    /// The owner's counters (read them from the owner, or after joining it).
    public var counters: Counters { counterStorage.pointee }

    // MARK: The owner's side

    /// A translation of `gfn` good for this access: a read hits any entry, a write only one
    /// filled by a write. A hit is counted and recorded in the ledger; a miss is counted by
    /// `fill`.
    @inlinable public func lookup(_ gfn: UInt64, write: Bool) -> Bool {
        let base = tags + Int(gfn & setMask) &* ways
        let key = (gfn &+ 1) &<< 1
        for way in 0..<ways {
            let tag = base[way]
            if tag & ~1 == key {
                guard !write || tag & 1 != 0 else { return false }
                counterStorage.pointee.hits &+= 1
                ledger?.recordHit(gfn)
                return true
            }
        }
        return false
    }

    /// Caches the translation a walk for `gfn` just found; counts the miss.
    @inlinable public func fill(_ gfn: UInt64, write: Bool) {
        counterStorage.pointee.misses &+= 1
        let set = Int(gfn & setMask)
        let base = tags + set &* ways
        let key = (gfn &+ 1) &<< 1
        let tag = key | (write ? 1 : 0)
        for way in 0..<ways where base[way] & ~1 == key {
            // A read walk through a dirty translation keeps it dirty: Dirty stays set in the entry.
            base[way] = base[way] | tag
            return
        }
        let victim = victims[set]
        base[victim] = tag
        victims[set] = victim &+ 1 == ways ? 0 : victim &+ 1
    }

    /// The owner enters guest mode: from here on posters wait for its answers; it answers what
    /// was posted while it was out first, so it never uses a translation shot down meanwhile.
    @inlinable public func enterGuest() {
        mailbox[Self.inGuestIndex].store(1, ordering: .sequentiallyConsistent)
        // Pairs with `post`: either the poster sees this vCPU in guest mode and waits, or this
        // load sees its post.
        if mailbox[Self.postedIndex].load(ordering: .sequentiallyConsistent) != counterStorage.pointee.seen {
            answerShootdowns()
        }
    }

    /// The owner leaves guest mode (a fault, an exit, the end of its work): posters stop
    /// waiting for it.
    @inlinable public func exitGuest() {
        mailbox[Self.inGuestIndex].store(0, ordering: .releasing)
    }

    /// The owner's check between two accesses in guest mode: answers pending shootdowns.
    @inlinable public func answerPending() {
        if mailbox[Self.postedIndex].load(ordering: .acquiring) != counterStorage.pointee.seen {
            answerShootdowns()
        }
    }

    /// Flushes every posted range, then publishes the answer.
    @usableFromInline func answerShootdowns() {
        let (ranges, posted) = pending.withLock { list in
            let taken = list
            list.removeAll(keepingCapacity: true)
            return (taken, mailbox[Self.postedIndex].load(ordering: .acquiring))
        }
        for range in ranges { flush(range) }
        counterStorage.pointee.seen = posted
        counterStorage.pointee.answered &+= 1
        mailbox[Self.answeredIndex].store(posted, ordering: .releasing)
    }

    /// Drops every translation of a gfn in `range` (the owner's INVLPG / INVEPT).
    @usableFromInline func flush(_ range: GFNRange) {
        if range.count &* UInt64(ways) < UInt64(entries) {
            for gfn in range.start..<range.end {
                let base = tags + Int(gfn & setMask) &* ways
                let key = (gfn &+ 1) &<< 1
                for way in 0..<ways where base[way] & ~1 == key { base[way] = 0 }
            }
            return
        }
        for index in 0..<entries {
            let tag = tags[index]
            guard tag != 0 else { continue }
            let gfn = (tag >> 1) &- 1
            if range.contains(gfn) { tags[index] = 0 }
        }
    }

    // MARK: Other threads' side

    /// Posts a shootdown of `range`; returns the ticket `isAnswered(_:)` waits for.
    public func post(_ range: GFNRange) -> UInt64 {
        pending.withLock { list in
            list.append(range)
            return mailbox[Self.postedIndex].wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
        }
    }

    /// Whether the shootdown with `ticket` no longer needs waiting for: the owner answered it,
    /// or is out of guest mode (it answers before it re-enters).
    public func isAnswered(_ ticket: UInt64) -> Bool {
        mailbox[Self.answeredIndex].load(ordering: .acquiring) >= ticket
            || mailbox[Self.inGuestIndex].load(ordering: .sequentiallyConsistent) == 0
    }
}
