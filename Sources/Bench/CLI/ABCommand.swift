import ArgumentParser
import Foundation
import Results

/// `agingbench ab A B [-- RUN-OPTIONS]` or `agingbench ab --base COMMIT [B]`: two builds run the
/// same cells alternately, A then B, `--rounds` times, judged pair by pair (`PairedRuns`).
///
/// Exit status as `compare`'s: 0 no gating metric regressed; 1 one did; 2 bad usage, a build that
/// cannot be found, made or run, or unreadable output (one line on stderr); 3 nothing comparable.
struct ABCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ab",
        abstract: "Run two builds alternately on the same cells and judge B against A pair by pair; exit 1 on a regression.",
        discussion: """
            A and B are agingbench executables, or --base COMMIT builds A from that commit of the \
            repository in the current directory (a worktree and build cache under .build-ab) and B \
            defaults to this executable. Each round runs A, then B, on the same cells (`run` options \
            after --; default: \(defaultCells.joined(separator: " "))) with one repetition. Per cell \
            and metric: B ÷ A of the medians, a Hodges-Lehmann interval on the rounds' log ratios, the \
            exact Wilcoxon signed-rank test, Holm over the gating comparisons. A regression needs a \
            change beyond the threshold and significance (or, for an exact count that holds still, \
            the threshold alone). Exit status: 0 no regression; 1 regression; 2 bad input or a build \
            that cannot run; 3 nothing comparable.
            """)

    /// The cells `ab` runs without `--`: aging alone over populated memory on the bare secondary
    /// MMU, so the pass (the aging walk) and the populate (the fault path) are both timed; 4G, so
    /// a populate takes about 0.1 s and a pass 2.5 ms here, long enough to time a few percent.
    static let defaultCells = [
        "--aging-only", "--costs", "raw", "--memory", "4G", "--vcpus", "1", "--passes", "20",
        "--backends", "x86-tdp,baseline,arm64-stage2",
    ]
    /// The metrics that gate by default: the two times the default cells measure, and the robust set.
    static let defaultGate = ["pass_avg_s", "populate_s"] + CompareMetric.defaultGate

    @Argument(help: "The executable A (with --base: B, default this executable).")
    var first: String?
    @Argument(help: "The executable B.")
    var second: String?
    @Option(parsing: .unconditional, help: "Build A from this commit (git) instead of naming it.")
    var base: String?
    @Option(parsing: .unconditional, help: "Rounds of A then B (2-1000).")
    var rounds = 10
    @Option(parsing: .unconditional, help: "Significance level after Holm's adjustment, in (0, 1).")
    var alpha = 0.05
    @Option(parsing: .unconditionalSingleValue, help: "Change threshold in percent: a number for every metric (default 1), or METRIC=PERCENT; repeat or comma-separate.")
    var threshold: [String] = []
    @Option(parsing: .unconditional, help: "Metrics whose regression fails: a comma list, 'all' or 'none' (default \(defaultGate.joined(separator: ","))).")
    var gate: String?
    @Option(parsing: .unconditional, help: "Metrics to compare: a comma list or 'all' (default all).")
    var metrics = "all"
    @Option(parsing: .unconditional, help: "Also write the report as JSON to this file.")
    var json: String?
    @Option(parsing: .unconditional, help: "Also write an SVG of the gating metrics' paired ratios with their intervals to this file.")
    var plot: String?
    @OptionGroup var progress: ProgressOptions
    @Argument(parsing: .postTerminator, help: "`run` options for the cells (after --).")
    var runOptions: [String] = []

    func run() throws {
        var defaults = CompareSettings()
        defaults.defaultThreshold = 0.01
        defaults.gate = Set(Self.defaultGate)
        let settings = try CompareCommand.settings(alpha: alpha, threshold: threshold, gate: gate, metrics: metrics, base: defaults)
        guard (2...1000).contains(rounds) else { throw InputError("--rounds \(rounds) must be from 2 to 1000") }
        if let reserved = runOptions.first(where: { ["--output", "--repetitions", "--resume", "--format", "--shard"].contains($0) }) {
            throw InputError("\(reserved) is ab's to set: give only the cells' options after --")
        }
        for path in [json, plot].compactMap({ $0 }) { try AtomicFileWriter.checkWritable(path: path) }
        let (a, b) = try builds()

        let cells = runOptions.isEmpty ? Self.defaultCells : runOptions
        let pairs = try AlternatingRuns(a: a, b: b, cells: cells, rounds: rounds).run(progress: progress.report)
        let report = PairedRuns.compare(pairs, nameA: base.map { "\(a) (\($0))" } ?? a, nameB: b, settings: settings)
        print(report.markdown(), terminator: "")
        if let json { try AtomicFileWriter.write(report.json(), to: json) }
        if let plot { try AtomicFileWriter.write(report.plot(), to: plot) }
        if let note = report.powerNote { StandardError.write("agingbench: warning: \(note)\n") }
        switch report.status {
        case .noRegression: return
        case .regression:
            let first = report.comparisons.first { $0.gates && $0.verdict == .regressed }
            throw RunOutcome(status: .regression, message: "regression: \(first.map { "\($0.cell.label) \($0.metric.name) \($0.paired.text)" } ?? "")")
        case .nothingComparable:
            throw RunOutcome(status: .nothingComparable, message: "nothing comparable: A and B share no cell with a metric")
        }
    }

    /// The executables A and B, A built from `--base` when given.
    func builds() throws(InputError) -> (String, String) {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let executables = [first, second].compactMap { $0 }
        let named: (String, String)
        if let base {
            guard executables.count <= 1 else { throw InputError("with --base, name at most one executable (B)") }
            named = (try CommitBuild.release(commit: base), executables.first ?? me)
        } else {
            guard executables.count == 2 else {
                throw InputError("ab needs two executables (A B), or --base COMMIT and at most one (B); got \(executables.count)")
            }
            named = (executables[0], executables[1])
        }
        for path in [named.0, named.1] where !FileManager.default.isExecutableFile(atPath: path) {
            throw InputError("'\(path)' is not an executable file")
        }
        return named
    }
}
