/// A host memory budget and the zone watermarks the kernel derives from its size.
///
/// Contract: `min`, `low` and `high` are pages of free memory, `min < low < high < pages`. From
/// `mm/page_alloc.c`: `calculate_min_free_kbytes` sets `min_free_kbytes = int_sqrt(lowmem_kbytes
/// * 16)`, clamped to [128, 262144] KiB, and `__setup_per_zone_wmarks` sets WMARK_MIN to it,
/// WMARK_LOW to min + max(min / 4, managed × `watermark_scale_factor` / 10000) and WMARK_HIGH to
/// min + twice that step (`watermark_scale_factor` defaults to 10). kswapd wakes when free memory
/// falls below `low` and reclaims until it is back at `high`; an allocation that would take free
/// memory below `min` waits for reclaim (the model's stall: no direct reclaim by the vCPU).
public struct Watermarks: Sendable, Hashable {
    /// The budget: host pages the guests may have resident.
    public let pages: UInt64
    public let min: UInt64
    public let low: UInt64
    public let high: UInt64

    /// The kernel's default `watermark_scale_factor` (`mm/page_alloc.c`).
    public static let defaultScaleFactor: UInt64 = 10

    public init(budgetPages pages: UInt64, scaleFactor: UInt64 = Watermarks.defaultScaleFactor) {
        self.pages = pages
        let kilobytes = pages * 4
        let minKilobytes = Swift.min(Swift.max(Self.integerSquareRoot(kilobytes * 16), 128), 262_144)
        let minPages = Swift.min(minKilobytes / 4, pages / 4)
        let step = Swift.max(minPages / 4, pages * scaleFactor / 10_000)
        min = minPages
        low = minPages + step
        high = minPages + 2 * step
    }

    /// The pages an allocation may take before it waits: the budget less `min`.
    public var allocatable: UInt64 { pages - min }

    /// `int_sqrt`: the largest r with r² ≤ x.
    static func integerSquareRoot(_ x: UInt64) -> UInt64 {
        var root = UInt64(Double(x).squareRoot())
        while root * root > x { root -= 1 }
        while (root + 1) * (root + 1) <= x { root += 1 }
        return root
    }
}
