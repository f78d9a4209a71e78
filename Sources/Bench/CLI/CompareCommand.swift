import ArgumentParser
import Foundation
import Results

/// `agingbench compare BASE NEW`: judges every metric of every cell the two results files share
/// and says whether NEW regressed.
///
/// Exit status: 0 no gating metric regressed; 1 one did; 2 bad usage or a malformed file (one
/// line on stderr); 3 nothing comparable. The Markdown report goes to stdout whatever the outcome.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two results files (CSV or JSON) cell by cell; exit 1 on a regression.",
        discussion: """
            A cell is every parameter column but the repetition; each metric with a known \
            direction is tested over the repetitions (two-sided Mann-Whitney U, exact for small \
            samples), Holm-adjusted over the gating comparisons. A regression needs a median \
            change beyond the metric's threshold and significance. A cell of BASE with a gating \
            metric that NEW lacks is a regression too, unless --allow-missing. Exit status: 0 no \
            regression; 1 a gating metric regressed or a gating cell is missing; 2 bad usage or \
            malformed input; 3 nothing comparable.
            Metrics: \(CompareMetric.catalog.map(\.name).joined(separator: ", ")).
            """)

    @Argument(help: "The baseline results file (CSV or Google Benchmark JSON; shards may be concatenated).")
    var base: String
    @Argument(help: "The results to judge against it.")
    var new: String
    @Option(parsing: .unconditional, help: "Significance level after Holm's adjustment, in (0, 1).")
    var alpha = 0.05
    @Option(parsing: .unconditionalSingleValue, help: """
        Change threshold in percent: a number for every metric (default 5), or METRIC=PERCENT for \
        one; repeat or comma-separate, e.g. --threshold pass_avg_s=10.
        """)
    var threshold: [String] = []
    @Option(parsing: .unconditional, help: "Metrics whose regression fails the comparison: a comma list, 'all' or 'none' (default: the robust set).")
    var gate: String?
    @Option(parsing: .unconditional, help: "Metrics to compare: a comma list or 'all' (default all).")
    var metrics = "all"
    @Option(parsing: .unconditional, help: "The backend *_vs_reference ratios divide by.")
    var reference = "x86-tdp"
    @Flag(help: "Report gating cells of BASE that NEW lacks instead of failing on them.")
    var allowMissing = false
    @Option(parsing: .unconditional, help: "Also write the report as JSON to this file.")
    var json: String?
    @Option(parsing: .unconditional, help: "Also write the new medians in github-action-benchmark's customSmallerIsBetter format to this file.")
    var benchmarkAction: String?

    func run() throws {
        let settings = try settings()
        for path in [json, benchmarkAction].compactMap({ $0 }) {
            if path.isEmpty { throw InputError("an output path is empty") }
            try AtomicFileWriter.checkWritable(path: path)
        }
        let report = Comparer.compare(
            base: try ResultTable.load(path: base), new: try ResultTable.load(path: new), settings: settings)
        try Self.finish(report, json: json, benchmarkAction: benchmarkAction)
    }

    /// Prints and writes `report`, then ends with its exit status (a thrown `RunOutcome` for 1 and 3).
    static func finish(_ report: ComparisonReport, json: String?, benchmarkAction: String?) throws {
        print(report.markdown(), terminator: "")
        if let json { try AtomicFileWriter.write(report.json(), to: json) }
        if let benchmarkAction { try AtomicFileWriter.write(report.benchmarkActionJSON(), to: benchmarkAction) }
        if let note = report.powerNote, !report.canShowRegression {
            StandardError.write("agingbench: warning: \(note)\n")
        }
        if let note = report.cpuMismatchNote { StandardError.write("agingbench: warning: \(note)\n") }
        switch report.status {
        case .noRegression:
            return
        case .regression:
            let gating = report.comparisons.filter { $0.gates && $0.verdict == .regressed }
            if let first = gating.first {
                let change = "\(first.change >= 0 ? "+" : "")\((first.change * 100).formatted(significant: 3))%"
                throw RunOutcome(status: .regression, message: "regression in \(gating.count) gating comparison(s): \(first.cell.label) \(first.metric) \(change)")
            }
            let missing = report.missingGatingCells
            let named = missing.prefix(3).map(\.label).joined(separator: "; ") + (missing.count > 3 ? "; …" : "")
            throw RunOutcome(status: .regression, message: "\(missing.count) gating cell(s) of the base missing from the new run (--allow-missing accepts this): \(named)")
        case .nothingComparable:
            throw RunOutcome(status: .nothingComparable, message: "nothing comparable: '\(report.baseName)' and '\(report.newName)' share no cell with a metric")
        }
    }

    /// The options, checked.
    func settings() throws(InputError) -> CompareSettings {
        var settings = try Self.settings(alpha: alpha, threshold: threshold, gate: gate, metrics: metrics)
        guard !reference.isEmpty else { throw InputError("--reference is empty: give a backend name") }
        settings.reference = reference
        settings.allowMissing = allowMissing
        return settings
    }

    /// `--alpha`, `--threshold`, `--gate` and `--metrics` as `compare` reads them (`ab` reads them
    /// the same way), applied to `base`.
    static func settings(
        alpha: Double, threshold: [String], gate: String?, metrics: String, base: CompareSettings = CompareSettings()
    ) throws(InputError) -> CompareSettings {
        var settings = base
        guard alpha > 0 && alpha < 1 else { throw InputError("--alpha \(alpha) must be between 0 and 1") }
        settings.alpha = alpha
        for item in threshold.flatMap(RunCommand.list) {
            let parts = item.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 2, let percent = Double(parts.last ?? ""), percent.isFinite, percent >= 0 else {
                throw InputError("invalid threshold '\(item)': expected PERCENT or METRIC=PERCENT, e.g. pass_avg_s=10")
            }
            if parts.count == 2 {
                try requireKnown([parts[0]], option: "--threshold")
                settings.thresholds[parts[0]] = percent / 100
            } else {
                settings.defaultThreshold = percent / 100
            }
        }
        if let gate {
            settings.gate = try metricSet(gate, option: "--gate")
        }
        if metrics != "all" {
            settings.metrics = try metricSet(metrics, option: "--metrics")
        }
        return settings
    }

    static func metricSet(_ text: String, option: String) throws(InputError) -> Set<String> {
        switch text {
        case "all": return Set(CompareMetric.catalog.map(\.name))
        case "none": return []
        default:
            let names = RunCommand.list(text)
            try requireKnown(names, option: option)
            return Set(names)
        }
    }

    static func requireKnown(_ names: [String], option: String) throws(InputError) {
        if let unknown = names.first(where: { CompareMetric.named($0) == nil }) {
            throw InputError("\(option): unknown metric '\(unknown)' (known: \(CompareMetric.catalog.map(\.name).joined(separator: ", ")))")
        }
    }
}
