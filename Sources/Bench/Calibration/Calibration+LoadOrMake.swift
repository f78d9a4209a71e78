import Foundation
import Results

extension Calibration {
    /// The calibration a calibrated or virtual run uses: the file at `path` when one is named,
    /// else this host's; when this host has none yet, one is made first, as `agingbench
    /// calibrate` would, and written where later runs look for it.
    ///
    /// - Parameters:
    ///   - path: the file `--calibration` names, or nil for this host's default file.
    ///   - context: the host and build, which name the default file and go into a new calibration.
    ///   - progress: receives the calibrator's progress lines, without line breaks (the caller decides whether to show them).
    ///   - notice: receives text (line breaks included) the user must see whatever `--quiet` says: that a calibration is
    ///     being made, the machine was busy, and what was measured.
    /// - Returns: the calibration and the path it was read from or written to.
    static func loadOrMake(
        path: String?, context: RunContext, progress: (String) -> Void, notice: (String) -> Void
    ) throws(InputError) -> (Calibration, path: String) {
        if let path { return (try load(from: path), path) }
        let hostPath = defaultPath(host: context.host, build: context.build)
        if FileManager.default.fileExists(atPath: hostPath) { return (try load(from: hostPath), hostPath) }
        notice("agingbench: no calibration for this host yet: calibrating first (under a minute), writing \(hostPath)\n")
        try AtomicFileWriter.checkWritable(path: hostPath, createParent: true)
        let calibration = try Calibrator(
            memory: try ByteSize(parsing: "1G"), targetPopulateSeconds: publishedPopulateSeconds,
            targetPassSeconds: publishedPassSeconds, repetitions: 3, context: context
        ).run(progress: progress, warning: { notice(Calibrator.busyWarning($0)) })
        try calibration.save(to: hostPath, createParent: true)
        notice(
            "agingbench: calibrated: fault remainder \(Int(calibration.faultRemainderNanos)) ns, aging remainder \(Int(calibration.agingRemainderNanosPerPage.rounded())) ns/page\n")
        return (calibration, hostPath)
    }
}
