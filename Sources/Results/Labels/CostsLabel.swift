/// The `costs` column: what a cell's faults and passes cost beyond the bare secondary MMU.
///
/// Contract: raw values are the CSV text and never change within a schema version.
/// `description` is the raw value.
public enum CostsLabel: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The host side and the calibrated remainders.
    case calibrated
    /// The host side without remainders (what calibration measures).
    case hostOnly = "host-only"
    /// The bare secondary MMU.
    case raw

    public var description: String { rawValue }
}
