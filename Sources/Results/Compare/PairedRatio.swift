import Foundation

/// One metric of two things measured in pairs (two backends in one repetition, two builds in one
/// round): the ratio of their medians and the signed-rank test and interval of the pairs' log
/// ratios. `versus` and `ab` judge with it.
///
/// Contract: `ratio` is median(other) ÷ median(reference) over the pairs (1 when both medians are
/// 0, nil when only the reference's is). A pair with a zero on one side has no log ratio and is
/// left out of the test; two zeros count as equal (log ratio 0). `test` is nil when `tested` is
/// false (a deterministic pair) or no pair has a log ratio; `interval` is its exponentiated
/// Hodges–Lehmann interval.
public struct PairedRatio: Sendable {
    public let referenceValues: [Double]
    public let otherValues: [Double]
    public let ratio: Double?
    public let test: SignedRank.Result?

    public init(_ pairs: [(reference: Double, other: Double)], level: Double, tested: Bool = true) {
        referenceValues = pairs.map(\.reference)
        otherValues = pairs.map(\.other)
        let referenceMedian = MarkdownTable.median(referenceValues), otherMedian = MarkdownTable.median(otherValues)
        ratio = referenceMedian != 0 ? otherMedian / referenceMedian : (otherMedian == 0 ? 1 : nil)
        let logRatios = pairs.compactMap { a, b -> Double? in
            if a == 0 && b == 0 { return 0 }
            return a > 0 && b > 0 ? log(b / a) : nil
        }
        test = tested ? SignedRank.test(logRatios, level: level) : nil
    }

    public var pairs: Int { referenceValues.count }

    /// The interval as ratios.
    public var interval: (lower: Double, upper: Double)? {
        test.map { (exp($0.lower), exp($0.upper)) }
    }

    /// "1.07× [1.03–1.10, 93.8%]" (the confidence only when it is not 95%), or "1.07×" untested.
    public var text: String {
        guard let ratio else { return "no ratio (the reference's median is 0)" }
        var text = "\(ratio.formatted(significant: 3))×"
        if let interval, let test {
            text += " [\(interval.lower.formatted(significant: 3))–\(interval.upper.formatted(significant: 3))"
            if (test.confidence - 0.95).magnitude > 0.001 { text += ", \((test.confidence * 100).formatted(significant: 3))%" }
            text += "]"
        }
        return text
    }
}

/// Forest plots: ratios with their intervals on a log axis with a line at 1, one panel per metric,
/// the panels stacked in one SVG document.
enum ForestPlot {
    /// One ratio: its category along x, its series (colour), and the interval (the ratio itself
    /// when it has none).
    struct Point {
        let category: String
        let series: String
        let ratio: Double
        let interval: (lower: Double, upper: Double)?
        let pairs: Int
    }

    /// One panel, as a standalone SVG document; points without a positive ratio are left out.
    static func panel(title: String, source: String, yTitle: String, series: [String], points: [Point], note: String) -> String {
        var categories: [String] = []
        for point in points where !categories.contains(point.category) { categories.append(point.category) }
        var chart = SVGChart(
            title: title, source: source, xTitle: "configuration", yTitle: yTitle, categories: categories,
            series: series.map { name in
                SVGChart.Series(name: name, points: points.filter { $0.series == name && $0.ratio > 0 }.map { point in
                    let (low, high) = point.interval ?? (point.ratio, point.ratio)
                    return SVGChart.Point(category: point.category,
                                          spread: Spread(median: point.ratio, minimum: low, maximum: high, count: point.pairs))
                })
            })
        chart.logY = true
        chart.referenceY = 1
        chart.connect = false
        chart.legendNote = "dot: ratio; bar: interval"
        chart.note = note
        return chart.render()
    }

    /// `panels` stacked top to bottom in one document.
    static func stack(_ panels: [String]) -> String {
        var document = "", offset = 0
        var width = 0
        for svg in panels {
            let height = svg.firstMatch(of: /height="(\d+)"/).flatMap { Int($0.1) } ?? 560
            width = max(width, svg.firstMatch(of: /width="(\d+)"/).flatMap { Int($0.1) } ?? 960)
            document += svg.replacingOccurrences(of: "<svg xmlns=\"http://www.w3.org/2000/svg\"", with: "<svg y=\"\(offset)\"")
            offset += height
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(offset)\" viewBox=\"0 0 \(width) \(offset)\">\n"
            + document + "</svg>\n"
    }

    /// The note on a panel's intervals: their confidences (what the pairs allow, at most 95%).
    static func confidenceNote(_ tests: [SignedRank.Result]) -> String? {
        let confidences = Set(tests.map { ($0.confidence * 1000).rounded() / 10 }).sorted()
        guard !confidences.isEmpty else { return nil }
        return "intervals: Hodges–Lehmann on paired log ratios, "
            + confidences.map { "\($0.formatted(significant: 3))%" }.joined(separator: ", ") + " (what the pairs allow, at most 95%)"
    }
}
