/// Compares two results files cell by cell and metric by metric.
///
/// Contract: cells are keyed by the parameter columns both files have (`CellKey`), so a CSV and a
/// JSON file, or files of two schemas, compare on what they share. Each metric's samples are its
/// values over a cell's repetitions in each file; the Mann–Whitney test judges them, Holm's
/// adjustment runs over the gating comparisons (and separately over the informational ones), and
/// the verdict follows `Verdict`'s rules; an exact count that holds still on both sides is judged by
/// its threshold alone (`MetricComparison.settled`). A base cell with a gating metric that the new file
/// lacks fails the comparison unless `settings.allowMissing`. Pure: reads nothing but its arguments.
public enum Comparer {
    public static func compare(base: ResultTable, new: ResultTable, settings: CompareSettings) -> ComparisonReport {
        let keyColumns = CellKey.parameterColumns.filter { base.columns.contains($0) && new.columns.contains($0) }
        let metrics = CompareMetric.catalog.filter { settings.metrics?.contains($0.name) ?? true }
        let baseSamples = samples(base, keyColumns: keyColumns, metrics: metrics, reference: settings.reference)
        let newSamples = samples(new, keyColumns: keyColumns, metrics: metrics, reference: settings.reference)

        var comparisons: [MetricComparison] = []
        for cell in baseSamples.order where newSamples.values[cell] != nil {
            let before = baseSamples.values[cell] ?? [:], after = newSamples.values[cell] ?? [:]
            for metric in metrics {
                guard let baseValues = before[metric.name], let newValues = after[metric.name],
                      !baseValues.isEmpty, !newValues.isEmpty else { continue }
                let pooled = baseValues + newValues
                let tested = pooled.contains { $0 != pooled[0] }
                let test = MannWhitney.test(baseValues, newValues)
                let settled = metric.settles(baseValues, newValues)
                let baseMedian = MarkdownTable.median(baseValues), newMedian = MarkdownTable.median(newValues)
                comparisons.append(MetricComparison(
                    cell: cell, metric: metric.name, direction: metric.direction, unit: metric.unit,
                    base: baseValues, new: newValues, baseMedian: baseMedian, newMedian: newMedian,
                    change: relativeChange(from: baseMedian, to: newMedian), threshold: settings.threshold(for: metric.name),
                    test: test, adjustedP: 1, gates: settings.gate.contains(metric.name), tested: tested, settled: settled,
                    verdict: .unchanged))
            }
        }
        for gating in [true, false] {
            // A settled count needs no test, so it takes no share of the others' alpha.
            let family = comparisons.indices.filter {
                comparisons[$0].gates == gating && comparisons[$0].tested && !comparisons[$0].settled
            }
            let adjusted = HolmAdjustment.adjust(family.map { comparisons[$0].test.p })
            for (index, p) in zip(family, adjusted) { comparisons[index].adjustedP = p }
        }
        for index in comparisons.indices {
            comparisons[index].verdict = verdict(comparisons[index], alpha: settings.alpha)
        }

        let gating = comparisons.filter { $0.gates && $0.tested && !$0.settled }
        let (needed, note, possible) = power(of: gating, alpha: settings.alpha)
        let onlyInBase = baseSamples.order.filter { newSamples.values[$0] == nil }
        let missingGatingCells = onlyInBase.filter { cell in
            baseSamples.values[cell]?.contains { settings.gate.contains($0.key) && !$0.value.isEmpty } ?? false
        }
        let status: ComparisonReport.Status =
            comparisons.isEmpty ? .nothingComparable
            : comparisons.contains { $0.gates && $0.verdict == .regressed } ? .regression
            : !missingGatingCells.isEmpty && !settings.allowMissing ? .regression
            : .noRegression
        return ComparisonReport(
            baseName: base.name, newName: new.name, settings: settings, comparisons: comparisons,
            onlyInBase: onlyInBase,
            onlyInNew: newSamples.order.filter { baseSamples.values[$0] == nil },
            missingGatingCells: missingGatingCells,
            baseCPUs: cpuModels(base), newCPUs: cpuModels(new),
            gatingFamilySize: gating.count, repetitionsNeeded: needed, powerNote: note,
            canShowRegression: possible, status: status)
    }

    /// The CPU models a file's rows were measured on (its `cpu` column), in order of appearance.
    static func cpuModels(_ file: ResultTable) -> [String] {
        var seen = Set<String>(), models: [String] = []
        for row in file.rows {
            guard let model = row["cpu"], !model.isEmpty, seen.insert(model).inserted else { continue }
            models.append(model)
        }
        return models
    }

    /// (max − min) / |median| of `values`; 0 for one value or all equal, infinity around a zero median.
    static func relativeSpread(_ values: [Double]) -> Double {
        guard let low = values.min(), let high = values.max(), high != low else { return 0 }
        let median = abs(MarkdownTable.median(values))
        return median > 0 ? (high - low) / median : .infinity
    }

    /// (new − base) / |base|; 0 for two zeros, ±infinity from a zero base.
    static func relativeChange(from base: Double, to new: Double) -> Double {
        if base == new { return 0 }
        if base == 0 { return new > 0 ? .infinity : -.infinity }
        return (new - base) / abs(base)
    }

    static func verdict(_ comparison: MetricComparison, alpha: Double) -> Verdict {
        Verdict.judge(worsening: comparison.worsening, threshold: comparison.threshold, settled: comparison.settled,
                      tested: comparison.tested, adjustedP: comparison.adjustedP, alpha: alpha)
    }

    /// Whether Holm's first step can ever pass: the smallest p-value any gating comparison can
    /// reach with its sample sizes (2 / C(n + m, n)) must be at most alpha / m.
    static func power(of gating: [MetricComparison], alpha: Double) -> (Int?, String?, Bool) {
        guard !gating.isEmpty else { return (nil, nil, false) }
        let family = Double(gating.count)
        let reachable = gating.map { MannWhitney.smallestP($0.base.count, $0.new.count) }
        let needed = (1...1000).first { MannWhitney.smallestP($0, $0) * family <= alpha }
        let blocked = reachable.filter { $0 * family > alpha }.count
        guard blocked > 0, let smallest = reachable.min() else { return (needed, nil, true) }
        let sizes = Set(gating.map { "\($0.base.count)/\($0.new.count)" }).sorted().joined(separator: ", ")
        let advice = needed.map { "; use at least \($0) repetitions per side" } ?? ""
        let subject = blocked == gating.count
            ? "no gating comparison can show a regression"
            : "\(blocked) of \(gating.count) gating comparisons cannot show a regression"
        let p = smallest.formatted(significant: 3), limit = (alpha / family).formatted(significant: 3)
        return (needed, "\(subject): with \(sizes) repetitions (base/new) the smallest exact p is \(p), "
            + "but Holm over \(gating.count) gating comparisons needs p ≤ \(limit) at alpha \(alpha)\(advice)", blocked < gating.count)
    }

    /// Each cell's values per metric, cells in order of first appearance.
    struct Samples {
        var order: [CellKey] = []
        var values: [CellKey: [String: [Double]]] = [:]
    }

    static func samples(_ file: ResultTable, keyColumns: [String], metrics: [CompareMetric], reference: String) -> Samples {
        let runs = RunIndex(file.rows)
        var samples = Samples()
        for row in file.rows {
            let cell = CellKey(row: row, columns: keyColumns)
            if samples.values[cell] == nil {
                samples.order.append(cell)
                samples.values[cell] = [:]
            }
            for metric in metrics {
                guard let value = metric.value(row, runs, reference), value.isFinite else { continue }
                samples.values[cell, default: [:]][metric.name, default: []].append(value)
            }
        }
        return samples
    }
}
