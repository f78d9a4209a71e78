import Synchronization
import CPlatform

extension TLB {
    /// What the owner's access path touches, allocated once per TLB.
    @usableFromInline struct State {
        @usableFromInline static let postedIndex = 0
        @usableFromInline static let answeredIndex = 8
        @usableFromInline static let inGuestIndex = 16

        /// Per way, `(gfn >> setShift) + 1`, the gfn's bits above the set index; 0 is empty.
        /// 32 bits, so the compiler compares several ways per vector instruction.
        @usableFromInline let tags: UnsafeMutablePointer<UInt32>
        /// Per set, a bit per way filled by a write (its translation is cached dirty).
        @usableFromInline let dirty: UnsafeMutablePointer<UInt64>
        /// Per set, the next way to replace (round robin).
        @usableFromInline let victims: UnsafeMutablePointer<Int>
        @usableFromInline let ways: Int
        @usableFromInline let setMask: UInt64
        @usableFromInline let setShift: UInt64
        /// The ledger's words (`AccessLedger`), if hits are recorded.
        @usableFromInline let ledgerWords: UnsafeMutablePointer<Atomic<UInt64>>?
        /// posted, answered and in-guest words, a cache line apart: the zapper's post does not
        /// evict the vCPU's answer, and the vCPU's per-access load stays a shared-line hit.
        @usableFromInline let mailbox: UnsafeMutablePointer<Atomic<UInt64>>
        @usableFromInline var counters = Counters()
        /// The TLB, for the rare slow path (answering a shootdown); the TLB outlives its state.
        @usableFromInline var owner: Unmanaged<TLB>?

        init(
            tags: UnsafeMutablePointer<UInt32>, dirty: UnsafeMutablePointer<UInt64>,
            victims: UnsafeMutablePointer<Int>, ways: Int, setMask: UInt64, setShift: UInt64,
            ledgerWords: UnsafeMutablePointer<Atomic<UInt64>>?, mailbox: UnsafeMutablePointer<Atomic<UInt64>>
        ) {
            self.tags = tags
            self.dirty = dirty
            self.victims = victims
            self.ways = ways
            self.setMask = setMask
            self.setShift = setShift
            self.ledgerWords = ledgerWords
            self.mailbox = mailbox
        }
    }

    /// The owning vCPU's handle on its TLB: one pointer, copied for free, so the access path
    /// (`SecondaryMMU.accessFaulting`) does no reference counting. Valid while the TLB lives;
    /// used only by the owner.
    public struct Port {
        @usableFromInline let state: UnsafeMutablePointer<State>

        @inlinable init(state: UnsafeMutablePointer<State>) { self.state = state }

        /// Bit *w* set when way *w* of the set at `base` holds `key`. No early exit and no
        /// data-dependent branch: sixteen ways at a time are four vector compares, masked to
        /// their bits and OR-ed down to one lane (the scalar loop alone compiled to a hundred
        /// instructions for sixteen ways, a quarter of a virtual-engine access, callgrind).
        @inlinable @inline(__always)
        func matches(_ base: UnsafeMutablePointer<UInt32>, _ key: UInt32) -> UInt64 {
            let ways = state.pointee.ways
            var found: UInt64 = 0
            var way = 0
            let keys = SIMD16<UInt32>(repeating: key)
            let weights = SIMD16<UInt32>(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768)
            while way &+ 16 <= ways {
                let tags = UnsafeRawPointer(base + way).loadUnaligned(as: SIMD16<UInt32>.self)
                // A true lane of the mask is all ones: its storage masks the way's weight.
                let bits = weights & SIMD16<UInt32>(truncatingIfNeeded: (tags .== keys)._storage)
                let eight = bits.lowHalf | bits.highHalf
                let four = eight.lowHalf | eight.highHalf
                let two = four.lowHalf | four.highHalf
                found |= UInt64(two[0] | two[1]) &<< UInt64(way)
                way &+= 16
            }
            while way < ways {
                found |= (base[way] == key ? 1 : 0) &<< UInt64(way)
                way &+= 1
            }
            return found
        }

        /// A translation of `gfn` good for this access: a read hits any entry, a write only one
        /// filled by a write. A hit is counted and recorded in the ledger; a miss is counted by
        /// `fill`, which must follow it.
        @inlinable @inline(__always)
        public func lookup(_ gfn: UInt64, write: Bool) -> Bool {
            let setMask = state.pointee.setMask
            let set = Int(gfn & setMask)
            let key = UInt32(truncatingIfNeeded: (gfn &>> state.pointee.setShift) &+ 1)
            let found = matches(state.pointee.tags + set &* state.pointee.ways, key)
            guard found != 0 else {
                state.pointee.counters.probedWay = -1
                return false
            }
            guard !write || state.pointee.dirty[set] & found != 0 else {
                state.pointee.counters.probedWay = found.trailingZeroBitCount
                return false
            }
            state.pointee.counters.hits &+= 1
            if let words = state.pointee.ledgerWords { AccessLedger.recordHit(gfn, in: words) }
            return true
        }

        /// Starts bringing what `lookup` and `fill` of `gfn` read into the cache: the set's tags,
        /// its dirty bits and its victim. A hint; it changes and counts nothing.
        @inlinable @inline(__always)
        public func prefetch(_ gfn: UInt64) {
            let set = Int(gfn & state.pointee.setMask)
            agingbench_prefetch(state.pointee.tags + set &* state.pointee.ways)
            agingbench_prefetch(state.pointee.dirty + set)
            agingbench_prefetch(state.pointee.victims + set)
        }

        /// Caches the translation the walk after a missed `lookup` of `gfn` found; counts the miss.
        @inlinable @inline(__always)
        public func fill(_ gfn: UInt64, write: Bool) {
            state.pointee.counters.misses &+= 1
            let set = Int(gfn & state.pointee.setMask)
            var way = state.pointee.counters.probedWay
            if way < 0 {
                let ways = state.pointee.ways
                way = state.pointee.victims[set]
                state.pointee.victims[set] = way &+ 1 == ways ? 0 : way &+ 1
                state.pointee.tags[set &* ways &+ way] = UInt32(truncatingIfNeeded: (gfn &>> state.pointee.setShift) &+ 1)
                state.pointee.dirty[set] &= ~(1 &<< UInt64(way))
            }
            // A read walk through a dirty translation keeps it dirty: Dirty stays set in the entry.
            if write { state.pointee.dirty[set] |= 1 &<< UInt64(way) }
            state.pointee.counters.probedWay = -1
        }

        /// The owner enters guest mode: from here on posters wait for its answers; it answers
        /// what was posted while it was out first, so it never uses a translation shot down
        /// meanwhile.
        @inlinable public func enterGuest() {
            let mailbox = state.pointee.mailbox
            mailbox[State.inGuestIndex].store(1, ordering: .sequentiallyConsistent)
            // Pairs with `post`: either the poster sees this vCPU in guest mode and waits, or
            // this load sees its post.
            if mailbox[State.postedIndex].load(ordering: .sequentiallyConsistent) != state.pointee.counters.seen {
                state.pointee.owner?.takeUnretainedValue().answerShootdowns()
            }
        }

        /// The owner leaves guest mode (a fault, an exit, the end of its work): posters stop
        /// waiting for it.
        @inlinable public func exitGuest() {
            state.pointee.mailbox[State.inGuestIndex].store(0, ordering: .releasing)
        }

        /// The owner's check between two accesses in guest mode: answers pending shootdowns.
        @inlinable @inline(__always)
        public func answerPending() {
            if state.pointee.mailbox[State.postedIndex].load(ordering: .acquiring) != state.pointee.counters.seen {
                state.pointee.owner?.takeUnretainedValue().answerShootdowns()
            }
        }
    }
}
