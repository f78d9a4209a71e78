import Foundation

extension BackendVersus.Report {
    /// The columns every configuration shares, left out of the configuration labels.
    var sharedParameters: [(String, String)] {
        CellKey.sharedParameters(comparisons.map(\.configuration))
    }

    /// The report as Markdown: a heading per backend, then one line per configuration × metric
    /// that says the result in words, e.g. `128M ×1 aging on — pass_avg_s: 1.07× [1.03–1.10],
    /// slower (p 0.002, Holm 0.031; 10 pairs)`.
    public func markdown() -> String {
        let reference = settings.reference
        var text = "## agingbench versus: backends against \(reference)\n\n"
        text += "`\(source)`: \(comparisons.count) comparisons; ratio = other ÷ \(reference) (ratio of medians over the "
            + "repetitions both ran, paired by run and repetition); interval: Hodges–Lehmann on the pairs' log ratios "
            + "(exact signed-rank, \(Int((settings.level * 100).rounded()))% or the most the pairs allow); test: exact Wilcoxon "
            + "signed-rank on the log ratios, Holm over \(familySize) comparisons at alpha \(settings.alpha).\n\n"
        if let powerNote { text += "> **Note**: \(powerNote).\n\n" }
        let shared = sharedParameters
        if !shared.isEmpty {
            text += "Every configuration has " + shared.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + ".\n\n"
        }
        let omitted = Set(shared.map(\.0))
        for backend in settings.backends.dropFirst() {
            let rows = comparisons.filter { $0.backend == backend }
            guard !rows.isEmpty else { continue }
            // Drivers go in the heading when one pair of them holds for every line.
            let drivers = Set(rows.map { "\($0.drivers.reference)/\($0.drivers.backend)" })
            if drivers.count == 1, let first = rows.first {
                text += "### \(backend) (driver \(first.drivers.backend)) vs \(reference) (driver \(first.drivers.reference))\n\n"
            } else {
                text += "### \(backend) vs \(reference)\n\n"
            }
            for row in rows { text += "- " + row.sentence(omitting: omitted, drivers: drivers.count > 1) + "\n" }
            text += "\n"
        }
        return text
    }

    /// The columns of `csv()`, in order.
    public static let csvColumns = [
        "reference", "backend", "configuration", "metric", "unit", "better", "pairs", "reference_driver", "backend_driver",
        "reference_median", "backend_median", "ratio", "hl_ratio", "interval_low", "interval_high", "interval_confidence",
        "p", "p_holm", "verdict",
    ]

    /// The columns that hold text; every other holds a number (empty where it does not apply).
    static let textColumns: Set<String> = ["reference", "backend", "configuration", "metric", "unit", "better",
                                           "reference_driver", "backend_driver", "verdict"]

    /// One CSV row per comparison (`csvColumns`), then the configuration's parameter columns.
    public func csv() -> String {
        let parameters = CellKey.parameterColumns.filter { column in comparisons.contains { $0.configuration.columns.contains(column) } }
        var lines = [(Self.csvColumns + parameters).joined(separator: ",")]
        for row in comparisons {
            let fields = row.fields(reference: settings.reference)
            let values = Self.csvColumns.map { fields[$0] ?? "" } + parameters.map { row.configuration.value($0) }
            lines.append(values.map(CSVWriter.escape).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The report as JSON: the settings, then every comparison with its paired values.
    public func json() -> String {
        func number(_ value: Double?) -> Any { value.flatMap { $0.isFinite ? $0 : nil } ?? NSNull() }
        let items: [[String: Any]] = comparisons.map { row in
            var item: [String: Any] = [:]
            for (column, value) in row.fields(reference: settings.reference) {
                item[column] = Self.textColumns.contains(column) ? value : (value.isEmpty ? NSNull() : number(Double(value)))
            }
            item["configuration"] = Dictionary(zip(row.configuration.columns, row.configuration.values), uniquingKeysWith: { first, _ in first })
            item["reference_values"] = row.paired.referenceValues.map { number($0) }
            item["backend_values"] = row.paired.otherValues.map { number($0) }
            return item
        }
        return JSONWriter.render([
            "source": source, "reference": settings.reference, "backends": settings.backends,
            "alpha": settings.alpha, "level": settings.level, "holm_family": familySize,
            "power_note": powerNote ?? NSNull(), "comparisons": items,
        ])
    }

    /// A forest plot: one panel per metric (log axis, a dashed line at 1), the configurations along
    /// x, per backend a dot at the ratio and a bar over its interval.
    public func forestPlot() -> String {
        let omitted = Set(sharedParameters.map(\.0)).union(["backend"])
        let panels = settings.metrics.compactMap { name -> String? in
            let rows = comparisons.filter { $0.metric.name == name }
            guard let first = rows.first else { return nil }
            let note = [
                rows.contains(where: \.deterministic) ? "virtual-time rows: exact ratios, no interval" : nil,
                ForestPlot.confidenceNote(rows.compactMap(\.test)),
            ].compactMap { $0 }.joined(separator: "; ")
            return ForestPlot.panel(
                title: "\(name): other ÷ \(settings.reference)", source: source,
                yTitle: "ratio to \(settings.reference) (\(name), \(first.metric.direction.rawValue) is better)",
                series: Array(settings.backends.dropFirst()),
                points: rows.compactMap { row in
                    row.ratio.map { ForestPlot.Point(category: row.configuration.label(omitting: omitted), series: row.backend,
                                                     ratio: $0, interval: row.interval, pairs: row.pairs) }
                },
                note: note)
        }
        return ForestPlot.stack(panels)
    }
}

extension BackendVersus.Comparison {
    /// `128M ×1 aging on — pass_avg_s: 1.07× [1.03–1.10], slower (p 0.002, Holm 0.031; 10 pairs)`.
    func sentence(omitting omitted: Set<String>, drivers showDrivers: Bool) -> String {
        var text = configuration.label(omitting: omitted.union(["backend"]))
        if showDrivers { text += " (drivers \(drivers.reference) / \(drivers.backend))" }
        text += " — \(metric.name): " + paired.text
        guard ratio != nil else { return text + "; \(pairs) pairs" }
        if let test {
            text += ", \(verdict.rawValue) (p \(test.p.formatted(significant: 2)), Holm \(adjustedP.formatted(significant: 2)); \(test.pairs) pairs)"
        } else if deterministic {
            text += ", \(verdict.rawValue)"
        } else {
            text += ", \(verdict.rawValue) (no pair with a log ratio: a zero on one side; \(pairs) pairs)"
        }
        return text
    }

    /// The comparison's scalar fields by CSV column name.
    func fields(reference: String) -> [String: String] {
        func text(_ value: Double?) -> String { value.map { $0.isFinite ? String($0) : "nan" } ?? "" }
        return [
            "reference": reference, "backend": backend, "configuration": configuration.label(omitting: ["backend"]),
            "metric": metric.name, "unit": metric.unit, "better": metric.direction.rawValue, "pairs": String(pairs),
            "reference_driver": drivers.reference, "backend_driver": drivers.backend,
            "reference_median": text(MarkdownTable.median(paired.referenceValues)), "backend_median": text(MarkdownTable.median(paired.otherValues)),
            "ratio": text(ratio), "hl_ratio": text(test.map { exp($0.estimate) }),
            "interval_low": text(interval?.lower), "interval_high": text(interval?.upper),
            "interval_confidence": text(test?.confidence), "p": text(test?.p),
            "p_holm": test == nil ? "" : text(adjustedP), "verdict": verdict.rawValue,
        ]
    }
}
