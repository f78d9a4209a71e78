import Foundation

extension ComparisonReport {
    /// The report as a JSON document (`compare --json`): the settings, the outcome and every
    /// comparison with its samples, so a script can re-judge without the results files. Non-finite
    /// numbers (a change from a zero base) are `null`.
    public func json() -> String {
        func number(_ value: Double) -> Any { value.isFinite ? value : NSNull() }
        let items: [[String: Any]] = comparisons.map { row in
            [
                "cell": Dictionary(zip(row.cell.columns, row.cell.values), uniquingKeysWith: { first, _ in first }),
                "label": row.cell.label,
                "metric": row.metric,
                "better": row.direction.rawValue,
                "unit": row.unit,
                "base": row.base.map(number),
                "new": row.new.map(number),
                "base_median": number(row.baseMedian),
                "new_median": number(row.newMedian),
                "change": number(row.change),
                "threshold": row.threshold,
                "u": row.test.u,
                "p": row.test.p,
                "p_exact": row.test.exact,
                "p_holm": row.adjustedP,
                "tested": row.tested,
                "gates": row.gates,
                "verdict": row.verdict.rawValue,
            ]
        }
        var object: [String: Any] = [
            "base": baseName,
            "new": newName,
            "alpha": settings.alpha,
            "default_threshold": settings.defaultThreshold,
            "thresholds": settings.thresholds,
            "gate": settings.gate.sorted(),
            "reference_backend": settings.reference,
            "status": status.rawValue,
            "exit_status": Int(exitStatus.rawValue),
            "gating_comparisons": gatingFamilySize,
            "can_show_regression": canShowRegression,
            "comparisons": items,
            "only_in_base": onlyInBase.map(\.label),
            "only_in_new": onlyInNew.map(\.label),
            "missing_gating_cells": missingGatingCells.map(\.label),
            "allow_missing": settings.allowMissing,
            "base_cpus": baseCPUs,
            "new_cpus": newCPUs,
            "cpu_mismatch": cpuMismatch,
        ]
        if let powerNote { object["power_note"] = powerNote }
        if let repetitionsNeeded { object["repetitions_needed"] = repetitionsNeeded }
        return JSONWriter.render(object)
    }

    /// The new side's medians of the lower-is-better comparisons in github-action-benchmark's
    /// `customSmallerIsBetter` format (an array of name, unit, value, range), for its trend pages
    /// and alerts. Names are `<cell> <metric>`, stable across runs of one sweep.
    public func benchmarkActionJSON() -> String {
        let items: [Any] = comparisons.filter { $0.direction == .lowerIsBetter && $0.newMedian.isFinite }.map { row in
            let spread = (row.new.max() ?? 0) - (row.new.min() ?? 0)
            return [
                "name": "\(row.cell.label) \(row.metric)",
                "unit": row.unit,
                "value": row.newMedian,
                "range": "± \((spread / 2).formatted(significant: 3))",
                "extra": "base median \(row.baseMedian.formatted(significant: 4)); verdict \(row.verdict.rawValue)",
            ] as [String: Any]
        }
        return JSONWriter.renderArray(items)
    }
}
