import Foundation
import Results

/// The CI gate's sweep and how its results are judged: the one definition `baseline update`,
/// `baseline run` and `baseline check` share, so the baseline and the run it gates are always
/// made and compared the same way.
///
/// Contract: `sweeps` are `run` argument lists (without `--output`, `--shard` or `--quiet`), each
/// with enough comparison groups for any shard count up to `maximumShards`. Their CSV outputs, concatenated,
/// are the gate's results. Each sweep runs `repetitions` times per cell, enough that Holm's
/// adjustment over the gating comparisons can still reach alpha (see docs/ci-gate.md, "Comparing runs and
/// the CI gate"). `settings` are `compare`'s with the gate's thresholds: 1% for instruction
/// counts, 5% for other exact counts, wider for timing ratios, whose spread on a shared 2-core
/// machine the A/A record shows.
public enum GateSweep {
    /// Repetitions per cell: 2 / C(16, 8) = 0.00016 ≤ 0.05 / 300, so up to 300 gating comparisons
    /// can show a change.
    public static let repetitions = 8

    /// The largest `--shard` count every sweep has cells for: shards deal out whole comparison
    /// groups (memory × vCPUs × repetition), and the instruction sweep has two.
    public static let maximumShards = 2

    /// The default calibration of the calibrated sweep: committed, so every machine runs the gate
    /// with the same remainders.
    public static let defaultCalibration = "results/reference-calibration.json"

    /// The machine kind whose baseline is used when neither `--machine` nor `AGINGBENCH_MACHINE` names one.
    public static let defaultMachine = "swift-packages-b"

    /// The `run` argument lists.
    public static func sweeps(calibration: String) -> [[String]] {
        [
            // Aging alone over populated memory, raw costs: pass_vs_limit (the C reference times
            // the same pass beside the backend's), and per-pass exact counts.
            ["run", "--aging-only", "--costs", "raw", "--memory", "256M", "--vcpus", "1,2", "--passes", "10",
             "--repetitions", String(repetitions)],
            // Populate with and without aging, on the calibrated model, and a short access phase
            // with eviction: the on/off and backend/backend ratios, refaults.
            ["run", "--calibration", calibration, "--memory", "32M", "--vcpus", "1", "--aging", "on,off",
             "--rounds", "1", "--evict-after", "3", "--repetitions", String(repetitions)],
            // Instructions per fault, per aged page and per notifier call under callgrind: counts
            // that repeat to about 1e-6 whatever the machine's load, so a 1% threshold holds.
            // Two repetitions show that they repeat.
            ["run", "--count", "instructions", "--aging-only", "--costs", "raw", "--memory", "16M", "--vcpus", "1",
             "--passes", "3", "--repetitions", "2"],
        ]
    }

    /// Thresholds of the timing ratios, in percent. On a shared 2-core machine their medians move
    /// by tens of percent between runs of one build as other work comes and goes; what keeps such
    /// moves from failing the gate is that they are not significant after Holm's adjustment. The
    /// threshold keeps a significant but small move from failing it, and stays below the twofold
    /// change of a real regression such as an aging walk that stops inlining.
    public static let ratioThresholdPercent = 50.0

    /// Threshold of the instruction counts, in percent: their A/A spread is about 1e-6, so a 2%
    /// regression is twice over it.
    public static let instructionThresholdPercent = 1.0

    /// `compare`'s settings for the gate.
    public static var settings: CompareSettings {
        var settings = CompareSettings()
        settings.gate = Set(CompareMetric.defaultGate)
        for metric in CompareMetric.catalog where metric.unit == "×" {
            settings.thresholds[metric.name] = ratioThresholdPercent / 100
        }
        for metric in CompareMetric.catalog where metric.unit == "instructions" {
            settings.thresholds[metric.name] = instructionThresholdPercent / 100
        }
        return settings
    }

    /// The baseline file of machine kind `machine`.
    public static func baselinePath(machine: String) -> String {
        "results/baseline-\(machine).csv"
    }

    /// The machine kind: `explicit`, else `AGINGBENCH_MACHINE`, else `defaultMachine`.
    public static func machine(_ explicit: String?) throws(InputError) -> String {
        let name = explicit ?? ProcessInfo.processInfo.environment["AGINGBENCH_MACHINE"] ?? defaultMachine
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }),
              !name.hasPrefix(".") else {
            throw InputError("machine kind '\(name)' must be letters, digits, '-', '_' or '.' (it names results/baseline-<kind>.csv)")
        }
        return name
    }

    /// Runs the sweeps numbered in `only` (1-based; all when nil), shard `shard` of each when
    /// given, and returns their CSV outputs concatenated, one header. Sweep summaries go to stdout
    /// as `run` prints them, naming `destination` (where the caller will write the rows) rather
    /// than the temporary file each sweep writes and this deletes.
    ///
    /// - Throws: `RunOutcome` or `InputError` from a sweep, unchanged.
    public static func run(calibration: String, shard: String?, only: Int? = nil, quiet: Bool, destination: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agingbench-gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var combined = ""
        for (number, sweep) in sweeps(calibration: calibration).enumerated() where only == nil || only == number + 1 {
            let output = directory.appendingPathComponent("sweep-\(number).csv").path
            var arguments = sweep + ["--output", output, "--summary-names", destination]
            if let shard { arguments += ["--shard", shard] }
            if quiet { arguments.append("--quiet") }
            var command = try AgingBench.parseAsRoot(arguments)
            try command.run()
            let text = try String(contentsOfFile: output, encoding: .utf8)
            combined += combined.isEmpty ? text : String(text.drop { $0 != "\n" }.dropFirst())
        }
        return combined
    }
}
