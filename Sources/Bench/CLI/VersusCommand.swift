import ArgumentParser
import Results

/// `agingbench versus FILE --backends A,B[,C…]`: within one results file, every backend against
/// the first, in every configuration they both ran, with an interval and a paired test per metric.
///
/// Exit status: 0 the report was written (whatever it says); 2 bad usage, a malformed file, a
/// backend the file lacks, fewer than two backends, or nothing paired (one line on stderr).
struct VersusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "versus",
        abstract: "Compare backends within one results file: ratio, interval and verdict per configuration and metric.",
        discussion: """
            The first backend is the reference. Rows pair when they share every parameter but the \
            backend and driver, the run and the repetition index. Per metric: the ratio of medians \
            (other ÷ reference), a Hodges-Lehmann interval on the pairs' log ratios (exact signed-rank), \
            the exact Wilcoxon signed-rank test, Holm over every tested comparison in the report; \
            verdict faster, slower or not separable. Virtual-engine rows are deterministic: their ratio \
            is exact and untested. Exit status: 0 report written; 2 bad input.
            Metrics: \(CompareMetric.catalog.map(\.name).joined(separator: ", ")).
            """)

    @Argument(help: "Results file (CSV or Google Benchmark JSON; shards may be concatenated).")
    var file: String
    @Option(parsing: .unconditional, help: "Backends to compare, the reference first (default: x86-tdp, then every other backend in the file).")
    var backends: String?
    @Option(parsing: .unconditional, help: "Metrics: a comma list or 'all' (default: \(BackendVersus.defaultMetrics.joined(separator: ","))).")
    var metrics: String?
    @Option(parsing: .unconditional, help: "Significance level after Holm's adjustment, in (0, 1).")
    var alpha = 0.05
    @Option(parsing: .unconditional, help: "Also write the comparisons as CSV to this file.")
    var csv: String?
    @Option(parsing: .unconditional, help: "Also write the comparisons as JSON to this file.")
    var json: String?
    @Option(parsing: .unconditional, help: "Also write an SVG forest plot (a panel per metric) to this file.")
    var plot: String?

    static let defaultReference = "x86-tdp"

    func run() throws {
        guard alpha > 0 && alpha < 1 else { throw InputError("--alpha \(alpha) must be between 0 and 1") }
        for path in [csv, json, plot].compactMap({ $0 }) {
            if path.isEmpty { throw InputError("an output path is empty") }
            try AtomicFileWriter.checkWritable(path: path)
        }
        let table = try ResultTable.load(path: file)
        var settings = BackendVersus.Settings(backends: try Self.backends(backends, in: table))
        settings.alpha = alpha
        switch metrics {
        case nil: break
        case "all": settings.metrics = CompareMetric.catalog.map(\.name)
        case let list?:
            // A list, not `metricSet`'s set: the report keeps the order asked for.
            let names = RunCommand.list(list)
            try CompareCommand.requireKnown(names, option: "--metrics")
            settings.metrics = names
        }
        let report = try BackendVersus.compare(table, settings: settings)
        print(report.markdown(), terminator: "")
        if let csv { try AtomicFileWriter.write(report.csv(), to: csv) }
        if let json { try AtomicFileWriter.write(report.json(), to: json) }
        if let plot { try AtomicFileWriter.write(report.forestPlot(), to: plot) }
    }

    /// `--backends` as given, or the default: x86-tdp first, then the file's other backends in
    /// file order (the file's first backend leads when it has no x86-tdp).
    static func backends(_ option: String?, in table: ResultTable) throws(InputError) -> [String] {
        if let option {
            let names = RunCommand.list(option)
            if let empty = names.firstIndex(of: "") { throw InputError("--backends: entry \(empty + 1) is empty") }
            return names
        }
        let present = BackendVersus.backends(in: table)
        let reference = present.contains(defaultReference) ? defaultReference : present.first ?? defaultReference
        return [reference] + present.filter { $0 != reference }
    }
}
