import Core

/// Which pages of its region a vCPU touches, in what order.
public enum AccessPattern: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Every access picks a page of the region uniformly at random.
    case uniform
    /// Accesses walk the region in order, round after round (the kernel selftest's pattern).
    case sequential
    /// 80% of accesses go to a hot fifth of the region; the hot set shifts by a tenth of the
    /// region every round, so cold pages age, get evicted, and refault when they turn hot.
    case hotcold

    public var description: String { rawValue }

    /// The page offset (within a region of `pages`) of access number `index` of round `round`.
    @inlinable public func offset(index: UInt64, round: UInt64, pages: UInt64, random: inout SplitMix64) -> UInt64 {
        switch self {
        case .uniform:
            return random.next(below: pages)
        case .sequential:
            return index
        case .hotcold:
            let hotPages = max(1, pages / 5)
            let pick = random.next()
            if pick % 10 < 8 {
                let shift = (round * max(1, pages / 10)) % pages
                return (shift + (pick >> 8) % hotPages) % pages
            }
            return (pick >> 8) % pages
        }
    }
}
