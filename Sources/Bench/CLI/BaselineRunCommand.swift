import ArgumentParser

/// `agingbench baseline run --output FILE [--shard i/n]`: the gate's sweep, written atomically as
/// one CSV (the concatenation of its sweeps), so a CI matrix can run its shards.
struct BaselineRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the gate's sweep and write its results (CSV).")

    @Option(parsing: .unconditional, help: "Output file.")
    var output: String
    @Option(parsing: .unconditional, help: "Run shard i of n of each of the gate's sweeps.")
    var shard: String?
    @Option(parsing: .unconditional, help: "Calibration of the calibrated sweep.")
    var calibration = GateSweep.defaultCalibration
    @Flag(help: "No progress on stderr.")
    var quiet = false

    func run() throws {
        if let shard {
            let slice = try Shard(parsing: shard)
            guard slice.count <= GateSweep.maximumShards else {
                throw InputError("shard '\(shard)': the gate's sweeps have cells for at most \(GateSweep.maximumShards) shards")
            }
        }
        try AtomicFileWriter.checkWritable(path: output)
        let text = try GateSweep.run(calibration: calibration, shard: shard, quiet: quiet)
        try AtomicFileWriter.write(text, to: output)
    }
}
