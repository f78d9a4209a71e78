import ArgumentParser
import Results

/// `agingbench baseline check RESULTS`: `compare BASELINE RESULTS` with the gate's metrics and
/// thresholds. Exit statuses as `compare`: 0 no regression, 1 regression, 2 bad input, 3 nothing
/// comparable.
struct BaselineCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Compare results with this machine kind's baseline, as the CI gate does.")

    @Argument(help: "Results of the gate's sweep (baseline run; shards may be concatenated).")
    var results: String
    @Option(parsing: .unconditional, help: "Machine kind naming the baseline (default $AGINGBENCH_MACHINE, else \(GateSweep.defaultMachine)).")
    var machine: String?
    @Option(parsing: .unconditional, help: "Baseline file (default results/baseline-<machine kind>.csv).")
    var baseline: String?
    @Flag(help: "Report gating cells of the baseline that RESULTS lacks instead of failing on them.")
    var allowMissing = false
    @Option(parsing: .unconditional, help: "Also write the report as JSON to this file.")
    var json: String?
    @Option(parsing: .unconditional, help: "Also write the new medians in github-action-benchmark's customSmallerIsBetter format to this file.")
    var benchmarkAction: String?

    func run() throws {
        let path = try baseline ?? GateSweep.baselinePath(machine: GateSweep.machine(machine))
        for output in [json, benchmarkAction].compactMap({ $0 }) { try AtomicFileWriter.checkWritable(path: output) }
        var settings = GateSweep.settings
        settings.allowMissing = allowMissing
        let report = Comparer.compare(
            base: try ResultTable.load(path: path), new: try ResultTable.load(path: results), settings: settings)
        try CompareCommand.finish(report, json: json, benchmarkAction: benchmarkAction)
    }
}
