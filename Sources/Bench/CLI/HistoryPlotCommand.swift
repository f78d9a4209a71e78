import ArgumentParser
import Foundation
import Results

/// `agingbench history plot`: one SVG per metric in the history (`<dir>/<metric>.svg`), written
/// atomically, for a person to open in a browser.
struct HistoryPlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot", abstract: "Write one SVG trend chart per metric (a line per backend, change points marked).")

    @Option(parsing: .unconditional, help: "History file.")
    var history = HistoryCommand.defaultPath
    // `plot`'s spelling; --output-dir, this command's first one, still works.
    @Option(name: [.customLong("output-directory"), .customLong("output-dir")], parsing: .unconditional,
            help: "Directory for the charts (created when missing; --output-dir also works).")
    var outputDirectory = "results/history"
    @Option(parsing: .unconditional, help: "Metrics to draw: a comma list or 'all' (default: the gate's metrics).")
    var metrics = "gate"

    func run() throws {
        let entries = try HistoryFile.load(path: history)
        guard !entries.isEmpty else { throw InputError("'\(history)': no history yet (agingbench history append FILE --commit SHA)") }
        let wanted: [String] = switch metrics {
        case "gate": CompareMetric.defaultGate
        case "all": CompareMetric.catalog.map(\.name)
        default: Array(try CompareCommand.metricSet(metrics, option: "--metrics"))
        }
        let settings = GateSweep.settings
        var lineOrder: [String] = []
        for entry in entries where !lineOrder.contains(TrendChart.backend(entry.cell)) {
            lineOrder.append(TrendChart.backend(entry.cell))
        }
        var written: [String] = []
        for metric in CompareMetric.catalog where wanted.contains(metric.name) {
            let lines = entries.filter { $0.metric == metric.name }
            guard !lines.isEmpty else { continue }
            let chart = TrendChart(metric: metric.name, summary: metric.summary, unit: metric.unit, entries: lines,
                                   changeThreshold: settings.threshold(for: metric.name), lineOrder: lineOrder)
            let path = "\(outputDirectory)/\(metric.name).svg"
            try AtomicFileWriter.write(chart.svg(), to: path, createParent: true)
            written.append(path)
        }
        guard !written.isEmpty else { throw InputError("'\(history)': none of the metrics asked for has history") }
        StandardError.write("agingbench: \(written.count) chart(s) in \(outputDirectory)\n")
    }
}
