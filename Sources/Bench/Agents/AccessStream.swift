import Core

/// One vCPU's guest accesses, in order: populate (every page once, written, in order, as the
/// selftest's populate), then `rounds` × its pages by the pattern, each a write with
/// `writePercent` chance; or, with a request workload, that many accesses grouped into its
/// requests (`RequestStream`), each access saying where it stands in its request.
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
    /// The requests the work phase serves instead of the pattern's rounds, if any.
    var requests: RequestStream?
    private var index: UInt64 = 0
    private var round: UInt64 = 0

    init(vcpu: Int, pages: UInt64, settings: WorkloadSettings, repetition: Int) {
        base = UInt64(vcpu) * pages
        self.pages = pages
        rounds = UInt64(max(0, settings.rounds))
        pattern = settings.pattern
        writeThreshold = UInt64(max(0, min(100, settings.writePercent)))
        random = SplitMix64(seed: settings.seed &* 0x9E37_79B9 &+ UInt64(vcpu) &* 0x1_0001 &+ UInt64(repetition))
        requests = settings.requests.map { RequestStream(workload: $0, pages: pages, budget: rounds &* pages) }
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

    /// The next access of the measured phase and its place in its request (empty without a
    /// request workload); nil after the last round, or the last request that fits.
    @inline(__always)
    mutating func nextWork() -> (gfn: UInt64, write: Bool, request: RequestEdge)? {
        if requests != nil {
            guard let access = requests!.next(&random) else { return nil }
            return (base &+ access.offset, access.write, access.request)
        }
        guard round < rounds, pages > 0 else { return nil }
        let offset = pattern.offset(index: index, round: round, pages: pages, random: &random)
        let write = random.next(below: 100) < writeThreshold
        index &+= 1
        if index == pages {
            index = 0
            round &+= 1
        }
        return (base &+ offset, write, [])
    }
}
