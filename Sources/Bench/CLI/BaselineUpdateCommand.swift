import ArgumentParser
import Results

/// `agingbench baseline update`: runs the gate's sweep and replaces this machine kind's baseline
/// with it, atomically (a failed or interrupted sweep leaves the old baseline).
struct BaselineUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Run the gate's sweep and write it as results/baseline-<machine kind>.csv.")

    @Option(parsing: .unconditional, help: "Machine kind naming the baseline (default $AGINGBENCH_MACHINE, else \(GateSweep.defaultMachine)).")
    var machine: String?
    @Option(parsing: .unconditional, help: "Calibration of the calibrated sweep.")
    var calibration = GateSweep.defaultCalibration
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let path = GateSweep.baselinePath(machine: try GateSweep.machine(machine))
        try AtomicFileWriter.checkWritable(path: path, createParent: true)
        let text = try GateSweep.run(calibration: calibration, shard: nil, quiet: progress.quiet, destination: path)
        try AtomicFileWriter.write(text, to: path, createParent: true)
        StandardError.write("agingbench: baseline written to \(path)\n")
    }
}
