/// A quantity `compare` can judge: a results column or a ratio derived from rows of one run, with
/// the direction in which it gets better.
///
/// Contract: `value` returns the metric for one row (nil where it does not apply, e.g. a per-pass
/// count of a row without passes), reading other rows only through the `RunIndex` of the row's own
/// file, so a derived ratio never divides numbers from two runs. A metric with `gatesByDefault`
/// is in `compare`'s default gate: it is robust on a shared, noisy machine (a ratio of two things
/// measured side by side, or an exact count), so only a real change moves it.
public struct CompareMetric: Sendable {
    /// Which way is better.
    public enum Direction: String, Sendable {
        case lowerIsBetter = "lower"
        case higherIsBetter = "higher"
    }

    /// The metric's name: the column name for a column, a new snake_case name for a derived one.
    public let name: String
    public let direction: Direction
    /// The unit of `value`, for tables and chart axes ("s", "ns", "bytes", "×", "per pass").
    public let unit: String
    /// In the default gate.
    public let gatesByDefault: Bool
    /// One line on what it is, for help and the docs.
    public let summary: String
    /// A count that repeats exactly for one build (calls, acquisitions, instructions), not a time:
    /// when it holds still on both sides a change needs no significance test (`MetricComparison.settled`).
    public let exact: Bool

    /// The largest relative spread (max − min over the median) at which an exact count still
    /// counts as holding still: callgrind's counts of one build differ by about 1e-6.
    public static let negligibleSpread = 0.001

    /// Whether a change from `base` to `new` is settled without a test: this is an exact count and
    /// both sides hold still (relative spread at most `negligibleSpread`).
    func settles(_ base: [Double], _ new: [Double]) -> Bool {
        exact && [base, new].allSatisfy { Comparer.relativeSpread($0) <= Self.negligibleSpread }
    }
    let value: @Sendable (ResultRow, RunIndex, _ reference: String) -> Double?

    init(
        _ name: String, _ direction: Direction, unit: String, gates: Bool = false, exact: Bool = false, summary: String,
        value: @escaping @Sendable (ResultRow, RunIndex, String) -> Double?
    ) {
        self.name = name
        self.direction = direction
        self.unit = unit
        self.gatesByDefault = gates
        self.exact = exact
        self.summary = summary
        self.value = value
    }

    /// A results column read as it is.
    static func column(
        _ name: String, _ direction: Direction, unit: String, gates: Bool = false, exact: Bool = false, summary: String,
        when applies: @escaping @Sendable (ResultRow) -> Bool = { _ in true }
    ) -> CompareMetric {
        CompareMetric(name, direction, unit: unit, gates: gates, exact: exact, summary: summary) { row, _, _ in
            applies(row) ? row.number(name) : nil
        }
    }
}
