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
}
