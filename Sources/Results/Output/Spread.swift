import Foundation

/// The median of some values with their range: how every figure is quoted.
///
/// Contract: built from at least one finite value; `median` is `MarkdownTable.median`'s.
public struct Spread: Sendable, Hashable {
    public let median: Double
    public let minimum: Double
    public let maximum: Double
    public let count: Int

    /// Nil when no value is finite (nothing to summarise).
    public init?(_ values: [Double]) {
        let finite = values.filter(\.isFinite)
        guard let minimum = finite.min(), let maximum = finite.max() else { return nil }
        median = MarkdownTable.median(finite)
        self.minimum = minimum
        self.maximum = maximum
        count = finite.count
    }

    /// A point and an interval that are not the summary of values (a ratio with its confidence
    /// interval, which need not contain it); `count` is what the point rests on.
    public init(median: Double, minimum: Double, maximum: Double, count: Int) {
        self.median = median
        self.minimum = minimum
        self.maximum = maximum
        self.count = count
    }

    /// `7.13 [7.02–7.40]` with `decimals` places.
    public func text(decimals: Int, suffix: String = "") -> String {
        let format = "%.\(decimals)f"
        return String(format: format, locale: nil, median) + suffix + " ["
            + String(format: format, locale: nil, minimum) + "–" + String(format: format, locale: nil, maximum) + "]"
    }
}
