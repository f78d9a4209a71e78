import ArgumentParser
import Results

/// `--costs` and `--calibration`, shared by the commands that time cells (`run`, `ablation`).
///
/// Contract: `--calibration` names a file only a calibrated run (or, where the command has one,
/// the virtual engine) reads; anywhere else it is refused rather than ignored.
struct CostOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Costs: calibrated (host side and the calibrated remainders), host-only (host side, no remainders) or raw (the bare secondary MMU).")
    var costs = CostsChoice.calibrated
    @Option(parsing: .unconditional, help: "Calibration file (default results/calibration-<host>.json; made first when missing).")
    var calibration: String?

    var calibrated: Bool { costs == .calibrated }

    /// Refuses a `--calibration` nothing would read, and an empty one.
    ///
    /// - Parameters:
    ///   - virtualEngine: nil for a command without `--engine`; otherwise whether the run uses the
    ///     virtual engine, which reads the calibration whatever `--costs` says.
    func checkCalibration(virtualEngine: Bool?) throws(InputError) {
        if !calibrated && virtualEngine != true && calibration != nil {
            let readers = virtualEngine == nil ? "--costs calibrated" : "--costs calibrated or --engine virtual"
            throw InputError("--calibration applies to \(readers) only")
        }
        if calibration == "" { throw InputError("--calibration is empty: give a calibration file") }
    }

    /// The calibration `--calibration` names, or this host's (made first when missing), with the
    /// path it came from.
    func loadCalibration(context: RunContext, progress: ProgressOptions) throws(InputError) -> (Calibration, path: String) {
        try Calibration.loadOrMake(
            path: calibration, context: context, progress: progress.report, notice: StandardError.write)
    }
}
