/// The `driver` column: how aging asked the secondary MMU.
///
/// Contract: raw values are the CSV text and never change within a schema version (they are
/// also the `--driver` spellings). `description` is the raw value.
public enum DriverLabel: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Only a folio about to be evicted is asked.
    case evictionOnly = "eviction-only"
    /// One `clear_young` per present page.
    case perPage = "per-page"
    /// One `test_young` with a 64-page bitmap per window, then one `clear_young` of the young pages.
    case bitmap

    public var description: String { rawValue }
}
