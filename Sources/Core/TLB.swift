import Synchronization

/// One vCPU's TLB: a set-associative cache of the translations its page walks found.
///
/// Contract:
/// - **Owner.** Only the vCPU thread that owns the TLB looks up, fills and flushes it; it does so
///   inside guest mode (`enterGuest()` … `exitGuest()`), so the arrays need no atomics.
/// - **Port.** The owner's access path goes through `port`, a plain pointer to the state.
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
    // Safety: the tags, dirty bits, victims and counters in `state` belong to the owning vCPU
    // thread; the mailbox is atomics, the pending list is `Locked`.

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
        /// The way the last `lookup` found its gfn in (clean, for a write), or -1: where `fill`
        /// puts the translation without searching again.
        @usableFromInline var probedWay: Int = -1
        public init() {}
    }

    public let entries: Int
    public let ways: Int
    /// Everything the vCPU's access path touches, in one block reached through `port`: the
    /// path then holds a plain pointer, and pays no reference counting per access.
    @usableFromInline let state: UnsafeMutablePointer<State>
    /// Hits are recorded here for the false-old count (nil: not recorded).
    public let ledger: AccessLedger?
    /// The mailbox, also in `state`; other threads use this copy and never read `state`,
    /// which the owner writes.
    private let mailbox: UnsafeMutablePointer<Atomic<UInt64>>
    /// Ranges posted and not yet answered (held only for an append or a swap).
    private let pending = Locked<[GFNRange]>([])

    /// The largest gfn (exclusive) a TLB of `entries` and `ways` can tell apart from others.
    public static func gfnLimit(entries: Int, ways: Int) -> UInt64 {
        UInt64(UInt32.max - 1) &* UInt64(entries / ways)
    }

    /// - Parameters:
    ///   - entries: translations held; `entries / ways` must be a power of two.
    ///   - ways: associativity, at most 64.
    ///   - ledger: where hits are recorded for the false-old count, if anywhere.
    public init(entries: Int = TLB.defaultEntries, ways: Int = TLB.defaultWays, ledger: AccessLedger? = nil) {
        precondition(Self.isValid(entries: entries, ways: ways), "a TLB holds a power of two of whole sets")
        let sets = entries / ways
        self.entries = entries
        self.ways = ways
        self.ledger = ledger
        let tags = UnsafeMutablePointer<UInt32>.allocate(capacity: entries)
        tags.initialize(repeating: 0, count: entries)
        let dirty = UnsafeMutablePointer<UInt64>.allocate(capacity: sets)
        dirty.initialize(repeating: 0, count: sets)
        let victims = UnsafeMutablePointer<Int>.allocate(capacity: sets)
        victims.initialize(repeating: 0, count: sets)
        let mailbox = UnsafeMutablePointer<Atomic<UInt64>>.allocate(capacity: 24)
        for index in 0..<24 { (mailbox + index).initialize(to: Atomic(0)) }
        self.mailbox = mailbox
        state = .allocate(capacity: 1)
        state.initialize(to: State(
            tags: tags, dirty: dirty, victims: victims, ways: ways, setMask: UInt64(sets - 1),
            setShift: UInt64(sets.trailingZeroBitCount), ledgerWords: ledger?.words, mailbox: mailbox))
        state.pointee.owner = Unmanaged.passUnretained(self)
    }

    deinit {
        let state = self.state.pointee
        state.tags.deallocate()
        state.dirty.deallocate()
        state.victims.deallocate()
        state.mailbox.deinitialize(count: 24)
        state.mailbox.deallocate()
        self.state.deinitialize(count: 1)
        self.state.deallocate()
    }

    /// Whether entries and ways make a valid TLB (`entries / ways` a power of two).
    public static func isValid(entries: Int, ways: Int = defaultWays) -> Bool {
        guard ways > 0, ways <= 64, entries >= ways, entries % ways == 0 else { return false }
        let sets = entries / ways
        return sets & (sets - 1) == 0
    }

    /// The owner's counters (read them from the owner, or after joining it).
    public var counters: Counters { state.pointee.counters }

    /// The owner's handle for its access path; valid while this TLB lives.
    @inlinable public var port: Port { Port(state: state) }

    // MARK: The owner's side (see `Port`)

    public func lookup(_ gfn: UInt64, write: Bool) -> Bool { port.lookup(gfn, write: write) }
    public func fill(_ gfn: UInt64, write: Bool) { port.fill(gfn, write: write) }
    public func enterGuest() { port.enterGuest() }
    public func exitGuest() { port.exitGuest() }
    public func answerPending() { port.answerPending() }

    /// Flushes every posted range, then publishes the answer.
    @usableFromInline func answerShootdowns() {
        let (ranges, posted) = pending.withLock { list in
            let taken = list
            list.removeAll(keepingCapacity: true)
            return (taken, mailbox[State.postedIndex].load(ordering: .acquiring))
        }
        for range in ranges { flush(range) }
        // The way a pending `lookup` found may just have been emptied: `fill` must choose anew.
        state.pointee.counters.probedWay = -1
        state.pointee.counters.seen = posted
        state.pointee.counters.answered &+= 1
        mailbox[State.answeredIndex].store(posted, ordering: .releasing)
    }

    /// Drops every translation of a gfn in `range` (the owner's INVLPG / INVEPT).
    func flush(_ range: GFNRange) {
        let state = self.state.pointee
        let port = self.port
        if range.count &* UInt64(ways) < UInt64(entries) {
            for gfn in range.start..<range.end {
                let set = Int(gfn & state.setMask)
                let base = state.tags + set &* ways
                var found = port.matches(base, UInt32(truncatingIfNeeded: (gfn &>> state.setShift) &+ 1))
                while found != 0 {
                    base[found.trailingZeroBitCount] = 0
                    found &= found &- 1
                }
            }
            return
        }
        for index in 0..<entries {
            let tag = state.tags[index]
            guard tag != 0 else { continue }
            let gfn = (UInt64(tag) &- 1) &<< state.setShift | UInt64(index / ways)
            if range.contains(gfn) { state.tags[index] = 0 }
        }
    }

    // MARK: Other threads' side

    /// Posts a shootdown of `range`; returns the ticket `isAnswered(_:)` waits for.
    public func post(_ range: GFNRange) -> UInt64 {
        pending.withLock { list in
            list.append(range)
            return mailbox[State.postedIndex].wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
        }
    }

    /// Whether the shootdown with `ticket` no longer needs waiting for: the owner answered it,
    /// or is out of guest mode (it answers before it re-enters).
    public func isAnswered(_ ticket: UInt64) -> Bool {
        mailbox[State.answeredIndex].load(ordering: .acquiring) >= ticket
            || mailbox[State.inGuestIndex].load(ordering: .sequentiallyConsistent) == 0
    }
}
