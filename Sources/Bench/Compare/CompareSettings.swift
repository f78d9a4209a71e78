/// How `compare` judges: the significance level, the change thresholds, which metrics gate, and
/// the backend other backends are divided by.
///
/// Contract: `alpha` is in (0, 1); thresholds are non-negative fractions (0.05 = 5%), a metric
/// without its own threshold uses `defaultThreshold`; `gate` and `metrics` hold catalog names only
/// (the CLI checks them). `metrics` nil means the whole catalog.
public struct CompareSettings: Sendable {
    public var alpha = 0.05
    public var defaultThreshold = 0.05
    public var thresholds: [String: Double] = [:]
    public var gate: Set<String> = Set(CompareMetric.defaultGate)
    public var metrics: Set<String>?
    /// The backend `*_vs_reference` ratios divide by.
    public var reference = "x86-tdp"

    public init() {}

    /// The threshold of `metric`.
    public func threshold(for metric: String) -> Double {
        thresholds[metric] ?? defaultThreshold
    }
}
