import Synchronization

/// The vCPUs' ledger of accesses that went through their TLBs: one bit per gfn, set by a TLB
/// hit and taken by the aging driver once per look-around window and pass.
///
/// It exists to count **false-old** pages: a page the aging pass reports old although a vCPU
/// used it since the previous pass, through a translation cached before Accessed was cleared
/// (a hit sets no Accessed bit). The kernel has no such ledger; the model keeps it so the cost
/// of eliding the flush can be counted, not guessed.
///
/// Contract: `recordHit` may run on any vCPU thread at any time; `take` on the aging thread.
/// A bit set before a `take` of its gfn is returned by that `take` or a later one, exactly once.
public final class AccessLedger: @unchecked Sendable {
    // Safety: an array of atomics allocated once.

    public let gfnCount: UInt64
    @usableFromInline let words: UnsafeMutablePointer<Atomic<UInt64>>
    private let wordCount: Int

    public init(gfnCount: UInt64) {
        self.gfnCount = gfnCount
        wordCount = Int((gfnCount + 63) / 64)
        words = .allocate(capacity: max(1, wordCount))
        for index in 0..<max(1, wordCount) { (words + index).initialize(to: Atomic(0)) }
    }

    deinit {
        words.deinitialize(count: max(1, wordCount))
        words.deallocate()
    }

    /// A vCPU used `gfn` through its TLB. A page hit again and again costs a load, not a write:
    /// the line stays shared until the driver takes it.
    @inlinable public func recordHit(_ gfn: UInt64) { Self.recordHit(gfn, in: words) }

    /// `recordHit` on a ledger's words, for a caller that holds them without the ledger.
    @inlinable @inline(__always)
    static func recordHit(_ gfn: UInt64, in words: UnsafeMutablePointer<Atomic<UInt64>>) {
        let word = words + Int(gfn >> 6)
        let bit: UInt64 = 1 &<< (gfn & 63)
        if word.pointee.load(ordering: .relaxed) & bit == 0 {
            word.pointee.bitwiseOr(bit, ordering: .relaxed)
        }
    }

    /// The pages of `range` (at most 64) hit since their last `take`, in `YoungBitmap` order,
    /// and clears them.
    public func take(_ range: GFNRange) -> YoungBitmap {
        precondition(range.count <= YoungBitmap.capacity, "a window covers at most 64 pages")
        var taken = YoungBitmap()
        var gfn = range.start
        while gfn < range.end {
            let wordIndex = gfn >> 6
            let first = gfn & 63
            let last = min(range.end - (wordIndex << 6), 64)
            let span = last - first
            let mask: UInt64 = (span == 64 ? .max : ((1 << span) - 1)) << first
            var hits = words[Int(wordIndex)].bitwiseAnd(~mask, ordering: .acquiringAndReleasing).oldValue & mask
            while hits != 0 {
                let bit = UInt64(hits.trailingZeroBitCount)
                taken.insert((wordIndex << 6) + bit, in: range)
                hits &= hits - 1
            }
            gfn = (wordIndex << 6) + last
        }
        return taken
    }
}
