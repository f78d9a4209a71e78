import Core

/// One vCPU's requests of a `RequestWorkload`, access by access: which page of its region each
/// touches, whether it writes, and where each request starts and ends.
///
/// Contract: every draw comes from the generator the caller passes (the vCPU's stream's), so
/// the requests depend on what that generator depends on and nothing else. A request is
/// `workload.accessesPerRequest(pages:)` accesses; requests run until the next one would take
/// the accesses past `budget`, and it is not started (`RequestWorkload` says why).
struct RequestStream {
    let workload: RequestWorkload
    let pages: UInt64
    /// Accesses of one request.
    let length: UInt64
    /// kv: items in the region, and the multiplier (coprime with `items`) that hashes a key's
    /// rank to its item's position: a bijection, so every item has exactly one key, spreading
    /// consecutive ranks over the region as Fibonacci hashing does.
    let items: UInt64
    let scatter: UInt64
    let keys: ZipfianGenerator?
    /// Accesses left in the budget, and of the request in progress.
    private var budget: UInt64
    private var leftInRequest: UInt64 = 0
    /// kv: the page offset of the item's next page, and whether the request is a set.
    private var itemPage: UInt64 = 0
    private var writes = false

    /// - Parameters:
    ///   - pages: the vCPU's region, offsets `0..<pages`.
    ///   - budget: the accesses the requests may take in all.
    init(workload: RequestWorkload, pages: UInt64, budget: UInt64) {
        self.workload = workload
        self.pages = pages
        self.budget = budget
        length = workload.accessesPerRequest(pages: pages)
        switch workload {
        case .keyValue where length > 0:
            items = pages / length
            scatter = Self.scatter(items)
            keys = ZipfianGenerator(count: items, theta: RequestWorkload.zipfTheta)
        case .keyValue, .pointerChase:
            items = 0
            scatter = 0
            keys = nil
        }
    }

    /// The next access: its page offset in the region, whether it writes, and its place in its
    /// request; nil once the next request would not fit in the budget.
    @inline(__always)
    mutating func next(_ random: inout SplitMix64) -> (offset: UInt64, write: Bool, request: RequestEdge)? {
        var edge: RequestEdge = []
        if leftInRequest == 0 {
            guard length > 0, budget >= length else { return nil }
            budget -= length
            leftInRequest = length
            edge.insert(.starts)
            if let keys {
                itemPage = item(ofRank: keys.next(&random)) * length
                writes = random.next(below: RequestWorkload.getsPerSet + 1) == 0
            }
        }
        leftInRequest -= 1
        if leftInRequest == 0 { edge.insert(.ends) }
        switch workload {
        case .keyValue:
            defer { itemPage &+= 1 }
            return (itemPage, writes, edge)
        case .pointerChase:
            return (random.next(below: pages), false, edge)
        }
    }

    /// The item the key of popularity `rank` (0: the most popular) lives in (kv).
    @inline(__always)
    func item(ofRank rank: UInt64) -> UInt64 {
        items.dividingFullWidth(rank.multipliedFullWidth(by: scatter)).remainder
    }

    /// A multiplier coprime with `items` near `items` / φ, so the ranks' positions 0, m, 2m, …
    /// (mod `items`) are a permutation whose neighbours land far apart.
    private static func scatter(_ items: UInt64) -> UInt64 {
        guard items > 1 else { return 0 }
        var multiplier = max(1, UInt64((Double(items) * 0.618_033_988_749_895).rounded()))
        while greatestCommonDivisor(multiplier, items) != 1 { multiplier += 1 }
        return multiplier
    }

    private static func greatestCommonDivisor(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
