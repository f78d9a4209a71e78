/// One line of `results/history.csv`: the median of one metric of one cell at one commit.
///
/// Contract: `cell` holds the parameter columns the results file had (`CellKey.parameterColumns`
/// order); `median` is over `repetitions` finite values, in the metric's own unit.
public struct HistoryEntry: Sendable, Hashable {
    public var commit: String
    /// When the results were measured (their latest `timestamp`), ISO 8601.
    public var date: String
    public var cell: CellKey
    public var metric: String
    public var unit: String
    public var median: Double
    public var repetitions: Int
}
