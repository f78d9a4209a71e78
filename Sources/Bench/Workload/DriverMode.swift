import Core

/// How the aging driver asks the secondary MMU (DESIGN.md section 2): what the series changes.
public enum DriverMode: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Before the series: MGLRU's walk never asks the secondary MMU; only a folio about to be
    /// evicted is asked (`folio_referenced` → `clear_flush_young`).
    case evictionOnly = "eviction-only"
    /// v4's "no opt"/"opt", upstream 6.13+: one `clear_young` per present host PTE.
    case perPage = "per-page"
    /// v3: one `test_young` with a 64-page bitmap per window, one `clear_young` of the young
    /// pages; the per-page fallback when the backend reports the bitmap unreliable.
    case bitmap

    public var description: String { rawValue }

    /// What the backend's kernel does: `bitmap` where the bitmap is honoured, else `per-page`.
    public static func kernelDefault(for capabilities: BackendCapabilities) -> DriverMode {
        capabilities.bitmapAgingLock == nil ? .perPage : .bitmap
    }
}
