/// What `compare` concludes about one metric of one cell.
///
/// Contract: `regressed` and `improved` need both a median change beyond the metric's threshold,
/// in the worse or better direction, and a Holm-adjusted p-value at most alpha. A change within
/// the threshold is `unchanged` whatever the test says (a significant 1% is not worth a red
/// build); a change beyond it without significance is `notSignificant`.
public enum Verdict: String, Sendable, CaseIterable {
    case regressed
    case improved
    case notSignificant = "not significant"
    case unchanged

    /// The verdict on a change that is `worsening` (a fraction, positive worse) against
    /// `threshold`: unchanged within it; beyond it, regressed or improved when the change is
    /// `settled` (an exact count that holds still) or `tested` with a Holm-adjusted p at most
    /// `alpha`, else not significant.
    static func judge(worsening: Double, threshold: Double, settled: Bool, tested: Bool, adjustedP: Double, alpha: Double) -> Verdict {
        guard abs(worsening) > threshold else { return .unchanged }
        guard settled || (tested && adjustedP <= alpha) else { return .notSignificant }
        return worsening > 0 ? .regressed : .improved
    }
}
