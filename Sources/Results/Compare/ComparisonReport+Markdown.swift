extension ComparisonReport {
    /// The report as GitHub-flavoured Markdown, for a terminal or a CI step summary: a verdict
    /// line, the warnings (power, CPU models), then the gating metrics — what changed (regressions
    /// first), the unchanged folded into a `<details>` block — and apart from them, under their
    /// own heading, the informational metrics, which never decide the verdict.
    public func markdown() -> String {
        var text = "## agingbench compare\n\n"
        text += "Base `\(baseName)` → new `\(newName)`: \(comparisons.count) comparisons in "
            + "\(Set(comparisons.map(\.cell)).count) cells; \(gatingFamilySize) gate (Holm, alpha \(settings.alpha)).\n\n"
        let gatingRegressions = comparisons.filter { $0.gates && $0.verdict == .regressed }.count
        switch status {
        case .regression:
            var reasons: [String] = []
            if gatingRegressions > 0 { reasons.append("\(gatingRegressions) gating comparison(s) regressed") }
            if missingCellsFail {
                reasons.append("\(missingGatingCells.count) gating cell(s) of the base are missing from the new run "
                    + "(a backend that changed its driver or lost a configuration; --allow-missing accepts this)")
            }
            text += "**Regression**: \(reasons.joined(separator: "; ")).\n\n"
        case .noRegression: text += "**No regression** in the gating metrics.\n\n"
        case .nothingComparable: text += "**Nothing comparable**: no cell and metric is in both files.\n\n"
        }
        if let powerNote { text += "> **Warning**: \(powerNote).\n\n" }
        if let cpuMismatchNote { text += "> **Warning**: \(cpuMismatchNote).\n\n" }
        let shared = sharedParameters
        if !shared.isEmpty {
            text += "Every cell has " + shared.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + ".\n\n"
        }

        let sections = [
            (true, "Gating metrics", ""),
            (false, "Informational metrics", "These never fail the comparison: their verdicts say which way they moved.\n\n"),
        ]
        for (gates, heading, preface) in sections {
            let rows = comparisons.filter { $0.gates == gates }
            guard !rows.isEmpty else { continue }
            text += "### \(heading)\n\n" + preface
            let changed = [Verdict.regressed, .improved, .notSignificant].flatMap { verdict in rows.filter { $0.verdict == verdict } }
            if !changed.isEmpty { text += table(changed) + "\n\n" }
            let unchanged = rows.filter { $0.verdict == .unchanged }
            if !unchanged.isEmpty {
                text += "<details><summary>\(unchanged.count) unchanged</summary>\n\n" + table(unchanged) + "\n\n</details>\n\n"
            }
        }
        if !missingGatingCells.isEmpty {
            text += "Gating cells missing from new (\(missingGatingCells.count)\(settings.allowMissing ? ", allowed" : ", fail")): "
                + missingGatingCells.map { "`\($0.label)`" }.joined(separator: ", ") + "\n\n"
        }
        let missing = Set(missingGatingCells)
        for (side, cells) in [("base", onlyInBase.filter { !missing.contains($0) }), ("new", onlyInNew)] where !cells.isEmpty {
            text += "Only in \(side) (\(cells.count)): " + cells.map { "`\($0.label)`" }.joined(separator: ", ") + "\n\n"
        }
        text += "_Thresholds: \(Int((settings.defaultThreshold * 100).rounded()))% unless set per metric; "
            + "gating metrics: \(settings.gate.sorted().joined(separator: ", "))._\n"
        return text
    }

    /// Parameters beyond the first five with one value in every cell: said once, not per row.
    private var sharedParameters: [(String, String)] {
        CellKey.sharedParameters(comparisons.map(\.cell))
    }

    private func table(_ rows: [MetricComparison]) -> String {
        let header = ["verdict", "cell", "metric", "base", "new", "change", "threshold", "p", "Holm p"]
        let body = rows.map { row in
            [
                row.verdict.rawValue, row.cell.label(omitting: Set(sharedParameters.map(\.0))).replacingOccurrences(of: "|", with: "\\|"), row.metric,
                "\(row.baseMedian.formatted(significant: 4)) \(row.unit)", "\(row.newMedian.formatted(significant: 4)) \(row.unit)",
                percent(row.change), "\(percent(row.threshold).dropFirst())",
                row.test.p.formatted(significant: 3), row.tested ? row.adjustedP.formatted(significant: 3) : "–",
            ]
        }
        return TextTable.render(header: header, rows: body,
                                rightAligned: [false, false, false, true, true, true, true, true, true])
    }

    private func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return fraction.formatted(significant: 3) }
        return (fraction >= 0 ? "+" : "") + (fraction * 100).formatted(significant: 3) + "%"
    }
}
