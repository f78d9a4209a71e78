import ArgumentParser
import Results

/// `agingbench baseline run --output FILE [--sweep k] [--shard i/n]`: the gate's sweeps, written
/// atomically as one CSV (their outputs concatenated), so a CI matrix can run their shards.
/// `--sweep k` runs only the k-th, so that the shards of one sweep can be put back together by
/// `agingbench merge`, which takes shards of a single sweep only.
struct BaselineRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the gate's sweep and write its results (CSV).")

    @Option(parsing: .unconditional, help: "Output file.")
    var output: String
    @Option(parsing: .unconditional, help: "Run shard i of n of each of the gate's sweeps.")
    var shard: String?
    @Option(parsing: .unconditional, help: "Run only the k-th of the gate's sweeps (1-\(GateSweep.sweeps(calibration: "").count)).")
    var sweep: Int?
    @Option(parsing: .unconditional, help: "Calibration of the calibrated sweep.")
    var calibration = GateSweep.defaultCalibration
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let sweeps = GateSweep.sweeps(calibration: calibration)
        if let sweep, !(1...sweeps.count).contains(sweep) {
            throw InputError("--sweep \(sweep) is out of range: the gate has sweeps 1 to \(sweeps.count)")
        }
        if let shard {
            // Shards deal out comparison groups: one sweep shards as far as its groups go, all of
            // them together as far as the smallest.
            let slice = try Shard(parsing: shard)
            let limit = try sweep.map { number throws in
                let command = try AgingBench.parseAsRoot(Array(sweeps[number - 1].dropFirst()) + ["--output", output])
                return try (command as? RunCommand)?.validated().plan.groupCount ?? GateSweep.maximumShards
            } ?? GateSweep.maximumShards
            guard slice.count <= limit else {
                throw InputError("shard '\(shard)': \(sweep.map { "the gate's sweep \($0) has" } ?? "the gate's sweeps have") cells for at most \(limit) shards")
            }
        }
        try AtomicFileWriter.checkWritable(path: output)
        let text = try GateSweep.run(calibration: calibration, shard: shard, only: sweep, quiet: progress.quiet, destination: output)
        try AtomicFileWriter.write(text, to: output)
    }
}
