/// How `compare` judges: the significance level, the change thresholds, which metrics gate, and
/// the backend other backends are divided by.
///
/// Contract: `alpha` is in (0, 1); thresholds are non-negative fractions (0.05 = 5%), a metric
/// without its own threshold uses `defaultThreshold`; `gate` and `metrics` hold catalog names only
/// (the CLI checks them). `metrics` nil means the whole catalog; `allowMissing` says whether base
/// cells missing from the new file may pass.
public struct CompareSettings: Sendable {
    public var alpha = 0.05
    public var defaultThreshold = 0.05
    public var thresholds: [String: Double] = [:]
    public var gate: Set<String> = Set(CompareMetric.defaultGate)
    public var metrics: Set<String>?
    /// The backend `*_vs_reference` ratios divide by.
    public var reference = "x86-tdp"
    /// Whether a gating cell of the base that the new file lacks is only reported. False (the
    /// default) fails the comparison: a backend that changed what it reports (its `driver`, say)
    /// must not slip past the gate by no longer matching any base cell.
    public var allowMissing = false

    public init() {}

    /// The threshold of `metric`.
    public func threshold(for metric: String) -> Double {
        thresholds[metric] ?? defaultThreshold
    }
}
