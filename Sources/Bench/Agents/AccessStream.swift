import Core

/// One vCPU's guest accesses, in order: populate (every page once, written, in order, as the
/// selftest's populate), then `rounds` × its pages by the pattern, each a write with
/// `writePercent` chance.
///
/// Contract: the stream depends on the settings' seed, the vCPU index and the repetition, never
/// on the backend or the engine, so every backend and both engines see the same accesses.
struct AccessStream {
    let base: UInt64
    let pages: UInt64
    let rounds: UInt64
    let pattern: AccessPattern
    let writeThreshold: UInt64
    var random: SplitMix64
    private var index: UInt64 = 0
    private var round: UInt64 = 0

    init(vcpu: Int, pages: UInt64, settings: WorkloadSettings, repetition: Int) {
        base = UInt64(vcpu) * pages
        self.pages = pages
        rounds = UInt64(max(0, settings.rounds))
        pattern = settings.pattern
        writeThreshold = UInt64(max(0, min(100, settings.writePercent)))
        random = SplitMix64(seed: settings.seed &* 0x9E37_79B9 &+ UInt64(vcpu) &* 0x1_0001 &+ UInt64(repetition))
    }

    /// The next populate access (always a write); nil once every page was touched.
    @inline(__always)
    mutating func nextPopulate() -> UInt64? {
        guard index < pages else {
            index = 0
            return nil
        }
        defer { index &+= 1 }
        return base &+ index
    }

    /// The next access of the measured phase; nil after the last round.
    @inline(__always)
    mutating func nextWork() -> (gfn: UInt64, write: Bool)? {
        guard round < rounds, pages > 0 else { return nil }
        let offset = pattern.offset(index: index, round: round, pages: pages, random: &random)
        let write = random.next(below: 100) < writeThreshold
        index &+= 1
        if index == pages {
            index = 0
            round &+= 1
        }
        return (base &+ offset, write)
    }
}
