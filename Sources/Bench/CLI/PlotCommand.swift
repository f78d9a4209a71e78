import ArgumentParser
import Foundation
import Results

/// `agingbench plot FILE.csv`: SVG charts of a results file, written beside the other results.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Write SVG charts of a results CSV (sweep and ablation rows) into a directory.",
        discussion: """
            Charts: aging pass time, vCPU slowdown and fault p99 against vCPUs per backend; with \
            requests (run --requests), requests per second against vCPUs and the request latency \
            distribution per vCPU count; pass time per GiB against guest size (1 vCPU); the \
            ablation's pass and populate times. \
            Each shows medians with their min-max range and names its source file.
            """)

    @Argument(help: "A results CSV (concatenated files are fine).")
    var file: String
    @Option(name: [.customLong("output-directory"), .customLong("output-dir")], parsing: .unconditional,
            help: "Directory for the SVG files (created when missing: a directory you name, not a results file; --output-dir also works).")
    var outputDirectory = "results"

    func run() throws {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw InputError("cannot read '\(file)'")
        }
        let records = try CSVWriter.records(text, what: file, olderSchemas: true)
        let name = (file as NSString).lastPathComponent
        let stem = (name as NSString).deletingPathExtension
        let charts = ResultCharts.charts(records, source: name, stem: stem)
        guard !charts.isEmpty else {
            throw InputError("'\(file)' has no rows to chart (need two vCPU counts or sizes, or ablation rows)")
        }
        for (chartName, chart) in charts {
            let path = (outputDirectory as NSString).appendingPathComponent(chartName)
            try AtomicFileWriter.write(chart.render(), to: path, createParent: true)
            print(path)
        }
    }
}
