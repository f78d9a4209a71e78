/// A server's requests inside the guest (`run --requests`): instead of `rounds` × pages accesses
/// by an `AccessPattern`, each vCPU serves requests of a few accesses each, and the row reports
/// requests per second and each request's latency (`request_p50_ns` … `request_max_ns`).
///
/// Contract: a request is a fixed number of accesses to the vCPU's own region (`accessesPerRequest`),
/// drawn from the vCPU's access stream, so it depends on the seed, the vCPU and the repetition
/// only, never on the backend or the engine. The work stays `rounds` × pages accesses per vCPU,
/// grouped into requests; a request that would run past that budget is not started, so a vCPU
/// does at most `rounds` × pages accesses and fewer by less than one request. `--pattern` and
/// `--write-percent` do not apply (each workload picks its pages and its writes itself), and
/// `run` refuses them beside `--requests`.
public enum RequestWorkload: String, Sendable, CaseIterable, CustomStringConvertible {
    /// memcached-like gets and sets. The region holds items of `itemPages` pages each; a request
    /// picks a key with Zipf popularity (θ = `zipfTheta`), whose item sits at a position the key
    /// is hashed to, so the popular items are spread over the region rather than packed at its
    /// start; a get reads the item's pages in order, a set writes them. One request in
    /// `getsPerSet` + 1 is a set.
    ///
    /// The hash table's bucket page is not touched. memcached's table holds one 8-byte pointer
    /// per bucket, a load of about one item per bucket, so it is 1/1024 of a region of 2-page
    /// items: every request touches one of those few pages, they are young at every pass and
    /// in every TLB, and they would add a near-constant TLB hit to each request and nothing that
    /// aging could act on.
    case keyValue = "kv"
    /// multichase-like dependent loads: each request reads `chaseLength` pages drawn uniformly
    /// from the region, each load's address taken from the one before (so the accesses run one
    /// after another, as the engines run every access anyway).
    case pointerChase = "chase"

    public var description: String { rawValue }

    /// kv: pages per item. Facebook's ETC pool has values from a few bytes to hundreds of KiB, and
    /// 90% of its bytes are in values of 10 KiB or less (Atikoglu et al., "Workload Analysis of a
    /// Large-Scale Key-Value Store", SIGMETRICS 2012): where the memory is, an item is KiB, not
    /// bytes. Two 4 KiB pages (8 KiB) stand for that, and make a request touch more than one page,
    /// as the "a few pages of its item" asks; the count of small values does not matter
    /// here, since a page is the smallest unit whose age the host tracks.
    public static let itemPages: UInt64 = 2

    /// kv: gets per set, from ETC's get:set ratio of about 30:1 (Atikoglu et al. 2012).
    public static let getsPerSet: UInt64 = 30

    /// kv: the Zipf exponent of key popularity: 0.99, YCSB's default (Cooper et al.,
    /// "Benchmarking Cloud Serving Systems with YCSB", SoCC 2010).
    public static let zipfTheta = 0.99

    /// chase: dependent loads per request. multichase times millions of loads per sample; a
    /// request here is short instead, the depth of a lookup through a four-level index, so that
    /// one stalled load (a fault, a wait for `mmu_lock`) shows in that request's latency as it
    /// would in a per-load sample rather than being averaged away over a long chain.
    public static let chaseLength: UInt64 = 4

    /// The accesses of one request in a region of `pages` pages (0 when the region is empty): a
    /// kv item fills the region when it is smaller than `itemPages`.
    public func accessesPerRequest(pages: UInt64) -> UInt64 {
        switch self {
        case .keyValue: min(Self.itemPages, pages)
        case .pointerChase: pages == 0 ? 0 : Self.chaseLength
        }
    }
}
