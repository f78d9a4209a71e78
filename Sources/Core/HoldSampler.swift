/// Chooses which `mmu_lock` holds a thread times, so the accounting's two tick reads stay off
/// most acquisitions: they cost about as much as an uncontended read-lock pair, which would
/// double what the lock adds to a lockless aging call.
///
/// Contract: `next()` is called once per acquisition and returns the number of acquisitions that
/// this one's hold stands for (its weight), or 0 when this hold is not timed. The first
/// acquisition is timed; each timed one stands for itself and the untimed ones after it until the
/// next timed one. Weights are drawn uniformly from `1...(2 × meanPeriod − 1)` by a seeded
/// generator, whatever the holds do, so the weighted sum of timed holds estimates the sum of all
/// holds without bias, and a periodic pattern of acquisitions (test, clear, test, clear) cannot
/// line up with the timed ones. The weights sum to the acquisitions so far plus at most
/// `2 × meanPeriod − 2`.
public struct HoldSampler: Sendable {
    /// One hold in this many is timed, on average.
    public static let meanPeriod: UInt64 = 16

    @usableFromInline var untimedLeft: UInt64 = 0
    @usableFromInline var random: SplitMix64

    public init(seed: UInt64) { random = SplitMix64(seed: seed) }

    @inlinable public mutating func next() -> UInt64 {
        if untimedLeft > 0 {
            untimedLeft &-= 1
            return 0
        }
        let weight = 1 &+ random.next(below: 2 &* Self.meanPeriod &- 1)
        untimedLeft = weight &- 1
        return weight
    }
}
