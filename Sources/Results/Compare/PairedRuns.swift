import Foundation

/// Two builds run alternately, A then B, round after round (`agingbench ab`): every cell and metric
/// judged on the rounds' pairs, so the machine's drift, which moves both runs of a round alike,
/// cancels in each pair's ratio.
///
/// Contract: round r's A and B files pair cell by cell (`CellKey` over the parameter columns both
/// have); per metric a `PairedRatio` of B ÷ A over the rounds where both have a finite value, its
/// relative change the ratio − 1. Holm's adjustment runs over the tested gating comparisons, and
/// separately over the informational ones, as in `compare`; the verdict is `Verdict.judge`'s, an
/// exact count that holds still on both sides being settled. Status: regression when a gating
/// comparison regressed, nothing comparable when no cell and metric is in both builds' rows, else
/// no regression. Pure: reads nothing but its arguments.
public enum PairedRuns {
    /// One cell's metric over the rounds.
    public struct Comparison: Sendable {
        public let cell: CellKey
        public let metric: CompareMetric
        /// A's values as the reference, B's as the other.
        public let paired: PairedRatio
        public let threshold: Double
        public let gates: Bool
        public let settled: Bool
        public var adjustedP = 1.0
        public var verdict: Verdict = .unchanged

        /// B ÷ A − 1 in the worse direction: positive is worse.
        public var worsening: Double {
            guard let ratio = paired.ratio else { return 0 }
            return metric.direction == .lowerIsBetter ? ratio - 1 : 1 - ratio
        }

        /// Whether the test can say anything: its values are not all one number (as `compare`'s
        /// `tested`; a constant, such as a count that stays 0, would only dilute Holm's family).
        var tested: Bool {
            let pooled = paired.referenceValues + paired.otherValues
            return paired.test != nil && pooled.contains { $0 != pooled[0] }
        }
    }

    /// The whole comparison.
    public struct Report: Sendable {
        public let nameA: String
        public let nameB: String
        public let rounds: Int
        public let settings: CompareSettings
        public let comparisons: [Comparison]
        /// Holm's m over the gating comparisons.
        public let gatingFamilySize: Int
        public let powerNote: String?
        public let status: ComparisonReport.Status
    }

    /// Judges `rounds` (each A's rows, then B's).
    public static func compare(
        _ rounds: [(a: ResultTable, b: ResultTable)], nameA: String, nameB: String, settings: CompareSettings, level: Double = 0.95
    ) -> Report {
        let metrics = CompareMetric.catalog.filter { settings.metrics?.contains($0.name) ?? true }
        var order: [CellKey] = []
        // cell → metric → round → (a, b)
        var values: [CellKey: [String: [Int: (a: Double?, b: Double?)]]] = [:]
        for (round, pair) in rounds.enumerated() {
            let keyColumns = CellKey.parameterColumns.filter { pair.a.columns.contains($0) && pair.b.columns.contains($0) }
            for (side, table) in [(0, pair.a), (1, pair.b)] {
                let runs = RunIndex(table.rows)
                for row in table.rows {
                    let cell = CellKey(row: row, columns: keyColumns)
                    if values[cell] == nil { order.append(cell); values[cell] = [:] }
                    for metric in metrics {
                        guard let value = metric.value(row, runs, settings.reference), value.isFinite else { continue }
                        var entry = values[cell]?[metric.name]?[round] ?? (nil, nil)
                        if side == 0 { entry.a = entry.a ?? value } else { entry.b = entry.b ?? value }
                        values[cell, default: [:]][metric.name, default: [:]][round] = entry
                    }
                }
            }
        }

        var comparisons: [Comparison] = []
        for cell in order {
            for metric in metrics {
                let pairs = (values[cell]?[metric.name] ?? [:]).sorted { $0.key < $1.key }.compactMap { _, entry -> (reference: Double, other: Double)? in
                    guard let a = entry.a, let b = entry.b else { return nil }
                    return (a, b)
                }
                guard !pairs.isEmpty else { continue }
                let paired = PairedRatio(pairs, level: level)
                let settled = metric.settles(paired.referenceValues, paired.otherValues)
                comparisons.append(Comparison(
                    cell: cell, metric: metric, paired: paired, threshold: settings.threshold(for: metric.name),
                    gates: settings.gate.contains(metric.name), settled: settled))
            }
        }
        for gating in [true, false] {
            let family = comparisons.indices.filter {
                comparisons[$0].gates == gating && comparisons[$0].tested && !comparisons[$0].settled
            }
            let adjusted = HolmAdjustment.adjust(family.map { comparisons[$0].paired.test?.p ?? 1 })
            for (index, p) in zip(family, adjusted) { comparisons[index].adjustedP = p }
        }
        for index in comparisons.indices {
            let comparison = comparisons[index]
            comparisons[index].verdict = Verdict.judge(
                worsening: comparison.worsening, threshold: comparison.threshold, settled: comparison.settled,
                tested: comparison.tested, adjustedP: comparison.adjustedP, alpha: settings.alpha)
        }
        let gating = comparisons.filter { $0.gates && $0.tested && !$0.settled }
        let status: ComparisonReport.Status =
            comparisons.isEmpty ? .nothingComparable
            : comparisons.contains { $0.gates && $0.verdict == .regressed } ? .regression
            : .noRegression
        return Report(nameA: nameA, nameB: nameB, rounds: rounds.count, settings: settings, comparisons: comparisons,
                      gatingFamilySize: gating.count, powerNote: powerNote(gating, alpha: settings.alpha), status: status)
    }

    /// A note when some gating comparison cannot reach Holm's first step: with n pairs the
    /// smallest exact two-sided p is 2 / 2^n.
    static func powerNote(_ gating: [Comparison], alpha: Double) -> String? {
        guard !gating.isEmpty else { return nil }
        let limit = alpha / Double(gating.count)
        let pairs = gating.map { $0.paired.test?.pairs ?? 0 }
        guard let fewest = pairs.min(), SignedRank.smallestP(pairs: fewest) > limit else { return nil }
        let needed = (1...64).first { SignedRank.smallestP(pairs: $0) <= limit } ?? 64
        return "with \(fewest) rounds the smallest exact p is \(SignedRank.smallestP(pairs: fewest).formatted(significant: 3)), "
            + "but Holm over \(gating.count) gating comparisons needs p ≤ \(limit.formatted(significant: 3)) at alpha \(alpha): "
            + "use at least \(needed) rounds (--rounds) or fewer cells or gating metrics"
    }
}

extension PairedRuns.Report {
    /// The report as Markdown: the verdict, then one table row per cell × metric, what changed first.
    public func markdown() -> String {
        var text = "## agingbench ab\n\n"
        text += "A `\(nameA)` → B `\(nameB)`: \(rounds) rounds run A, B, A, B …; \(comparisons.count) comparisons in "
            + "\(Set(comparisons.map(\.cell)).count) cells; ratio B ÷ A of the medians, interval Hodges–Lehmann on the "
            + "rounds' log ratios, exact Wilcoxon signed-rank test, Holm over \(gatingFamilySize) gating comparisons at alpha \(settings.alpha).\n\n"
        switch status {
        case .regression:
            text += "**Regression**: \(comparisons.filter { $0.gates && $0.verdict == .regressed }.count) gating comparison(s) regressed.\n\n"
        case .noRegression: text += "**No regression** in the gating metrics.\n\n"
        case .nothingComparable: text += "**Nothing comparable**: A and B share no cell with a metric.\n\n"
        }
        if let powerNote { text += "> **Warning**: \(powerNote).\n\n" }
        let shared = CellKey.sharedParameters(comparisons.map(\.cell))
        if !shared.isEmpty { text += "Every cell has " + shared.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + ".\n\n" }
        let omitted = Set(shared.map(\.0))
        let order: [Verdict] = [.regressed, .improved, .notSignificant, .unchanged]
        let rows = order.flatMap { verdict in comparisons.filter { $0.verdict == verdict } }
        text += "| cell | metric | gates | B ÷ A [interval] | p | Holm | threshold | verdict |\n|---|---|---|---|---:|---:|---:|---|\n"
        for row in rows {
            let p = row.paired.test.map { $0.p.formatted(significant: 2) } ?? "–"
            let holm = row.tested && !row.settled ? row.adjustedP.formatted(significant: 2) : (row.settled ? "settled" : "–")
            text += "| \(row.cell.label(omitting: omitted)) | \(row.metric.name) | \(row.gates ? "yes" : "") | \(row.paired.text) | \(p) | \(holm) | "
                + "\((row.threshold * 100).formatted(significant: 3))% | \(row.verdict.rawValue) |\n"
        }
        return text + "\n"
    }

    /// The report as JSON: the settings, the outcome, every comparison with its paired values.
    public func json() -> String {
        func number(_ value: Double?) -> Any { value.flatMap { $0.isFinite ? $0 : nil } ?? NSNull() }
        let items: [[String: Any]] = comparisons.map { row in
            [
                "cell": Dictionary(zip(row.cell.columns, row.cell.values), uniquingKeysWith: { first, _ in first }),
                "label": row.cell.label, "metric": row.metric.name, "better": row.metric.direction.rawValue,
                "unit": row.metric.unit, "a": row.paired.referenceValues.map { number($0) },
                "b": row.paired.otherValues.map { number($0) }, "ratio": number(row.paired.ratio),
                "interval_low": number(row.paired.interval?.lower), "interval_high": number(row.paired.interval?.upper),
                "interval_confidence": number(row.paired.test?.confidence), "p": number(row.paired.test?.p),
                "p_holm": number(row.adjustedP), "settled": row.settled, "gates": row.gates,
                "threshold": row.threshold, "verdict": row.verdict.rawValue,
            ]
        }
        return JSONWriter.render([
            "a": nameA, "b": nameB, "rounds": rounds, "alpha": settings.alpha, "status": status.rawValue,
            "gating_comparisons": gatingFamilySize, "power_note": powerNote ?? NSNull(), "comparisons": items,
        ])
    }

    /// The paired ratios with their intervals, one panel per gating metric that has a ratio.
    public func plot() -> String {
        let omitted = Set(CellKey.sharedParameters(comparisons.map(\.cell)).map(\.0))
        let metrics = CompareMetric.catalog.filter { metric in comparisons.contains { $0.metric.name == metric.name && $0.gates } }
        let panels = metrics.map { metric in
            let rows = comparisons.filter { $0.metric.name == metric.name }
            return ForestPlot.panel(
                title: "\(metric.name): B ÷ A", source: "A \(nameA), B \(nameB), \(rounds) rounds",
                yTitle: "B ÷ A (\(metric.name), \(metric.direction.rawValue) is better)", series: [metric.name],
                points: rows.compactMap { row in
                    row.paired.ratio.map { ForestPlot.Point(category: row.cell.label(omitting: omitted), series: metric.name, ratio: $0,
                                                            interval: row.paired.interval, pairs: row.paired.pairs) }
                },
                note: ForestPlot.confidenceNote(rows.compactMap(\.paired.test)) ?? "")
        }
        return ForestPlot.stack(panels)
    }
}
