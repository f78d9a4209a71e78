extension ComparisonReport {
    /// The report as GitHub-flavoured Markdown, for a terminal or a CI step summary: a verdict
    /// line, the power note when there is one, a table of what changed (regressions first, gating
    /// before informational) and the unchanged comparisons folded into a `<details>` block.
    public func markdown() -> String {
        var text = "## agingbench compare\n\n"
        text += "Base `\(baseName)` → new `\(newName)`: \(comparisons.count) comparisons in "
            + "\(Set(comparisons.map(\.cell)).count) cells; \(gatingFamilySize) gate (Holm, alpha \(settings.alpha)).\n\n"
        let gatingRegressions = comparisons.filter { $0.gates && $0.verdict == .regressed }.count
        switch status {
        case .regression: text += "**Regression**: \(gatingRegressions) gating comparison(s) regressed.\n\n"
        case .noRegression: text += "**No regression** in the gating metrics.\n\n"
        case .nothingComparable: text += "**Nothing comparable**: no cell and metric is in both files.\n\n"
        }
        if let powerNote { text += "> **Warning**: \(powerNote).\n\n" }
        let shared = sharedParameters
        if !shared.isEmpty {
            text += "Every cell has " + shared.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + ".\n\n"
        }

        let changed = [Verdict.regressed, .improved, .notSignificant].flatMap { verdict in
            with(verdict).sorted { $0.gates && !$1.gates }
        }
        if !changed.isEmpty { text += table(changed) + "\n\n" }
        let unchanged = with(.unchanged)
        if !unchanged.isEmpty {
            text += "<details><summary>\(unchanged.count) unchanged</summary>\n\n" + table(unchanged) + "\n\n</details>\n\n"
        }
        for (side, cells) in [("base", onlyInBase), ("new", onlyInNew)] where !cells.isEmpty {
            text += "Only in \(side) (\(cells.count)): " + cells.map { "`\($0.label)`" }.joined(separator: ", ") + "\n\n"
        }
        text += "_Thresholds: \(Int((settings.defaultThreshold * 100).rounded()))% unless set per metric; "
            + "gating metrics: \(settings.gate.sorted().joined(separator: ", "))._\n"
        return text
    }

    /// Parameters beyond the first five with one value in every cell: said once, not per row.
    private var sharedParameters: [(String, String)] {
        guard let first = comparisons.first?.cell else { return [] }
        return zip(first.columns, first.values).filter { column, value in
            !["backend", "variant", "memory_per_vcpu_bytes", "vcpus", "aging"].contains(column)
                && comparisons.allSatisfy { $0.cell.value(column) == value }
        }
    }

    private func table(_ rows: [MetricComparison]) -> String {
        let header = ["verdict", "cell", "metric", "base", "new", "change", "threshold", "p", "Holm p", "gates"]
        let body = rows.map { row in
            [
                row.verdict.rawValue, row.cell.label(omitting: Set(sharedParameters.map(\.0))).replacingOccurrences(of: "|", with: "\\|"), row.metric,
                "\(row.baseMedian.formatted(significant: 4)) \(row.unit)", "\(row.newMedian.formatted(significant: 4)) \(row.unit)",
                percent(row.change), "\(percent(row.threshold).dropFirst())",
                row.test.p.formatted(significant: 3), row.tested ? row.adjustedP.formatted(significant: 3) : "–",
                row.gates ? "yes" : "no",
            ]
        }
        return TextTable.render(header: header, rows: body,
                                rightAligned: [false, false, false, true, true, true, true, true, true, false])
    }

    private func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return fraction.formatted(significant: 3) }
        return (fraction >= 0 ? "+" : "") + (fraction * 100).formatted(significant: 3) + "%"
    }
}
