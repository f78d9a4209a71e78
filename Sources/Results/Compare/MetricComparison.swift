/// One metric of one cell in both files, with the test and its verdict.
///
/// Contract: medians and `change` are over the finite values of each side; `change` is
/// (new − base) / |base|, 0 when both medians are 0 and ±infinity when only the base is 0.
/// `adjustedP` is Holm-adjusted within the comparison's family (the gating ones, or the
/// informational ones); a comparison whose values are all equal on both sides cannot be
/// significant and is left out of both families (its p-values are 1). A `settled` comparison
/// (an exact count that repeats) needs no test: its verdict is the threshold's.
public struct MetricComparison: Sendable {
    public let cell: CellKey
    public let metric: String
    public let direction: CompareMetric.Direction
    public let unit: String
    public let base: [Double]
    public let new: [Double]
    public let baseMedian: Double
    public let newMedian: Double
    public let change: Double
    /// The relative change beyond which the verdict can be regressed or improved (0.05 = 5%).
    public let threshold: Double
    public let test: MannWhitney.Result
    public internal(set) var adjustedP: Double
    /// Whether a regression here fails `compare` (exit 1).
    public let gates: Bool
    /// Whether the comparison is in a Holm family (its values are not all one number).
    public let tested: Bool
    /// An exact count whose values hold still on each side (relative spread at most
    /// `CompareMetric.negligibleSpread`): every change is real, so the threshold alone judges it.
    public let settled: Bool
    public internal(set) var verdict: Verdict

    /// The change in the worse direction, as a fraction: positive is worse.
    public var worsening: Double {
        direction == .lowerIsBetter ? change : -change
    }
}
