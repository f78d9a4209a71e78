/// The `aging` column: whether an aging thread ran beside the vCPUs.
///
/// Contract: raw values are the CSV text and never change within a schema version;
/// `description` is the raw value, so the label reads the same in names, tables and messages.
public enum AgingLabel: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Aging ran while the vCPUs faulted their memory in and worked.
    case on
    /// No aging: the vCPUs' baseline.
    case off
    /// Only aging, timed over populated memory (`--aging-only`); no measured vCPU phase.
    case only

    public var description: String { rawValue }
}
