import ArgumentParser
import Core
import Results

/// `agingbench calibrate`: measures the model's own work on this machine, sets the two
/// remainders so that one vCPU reproduces two single-vCPU work figures, writes the host's
/// calibration file (which `run` then uses) and prints what it measured.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Calibrate the two cost remainders to published (or your own) single-vCPU figures.",
        discussion: """
            Runs the x86 TDP MMU with 1 vCPU and lockless per-page aging (v4's "opt"), populate \
            only. The defaults are the v4 cover letter's figures for 1 GiB: populate without aging \
            0.8788 s, average aging pass while populating 7.31 ms. Give your own host's figures \
            with --populate-s and --pass-ms (and the guest size they were measured with).
            """)

    @Option(parsing: .unconditional, help: "Guest memory of the calibrating vCPU, with a K/M/G/T suffix.")
    var memory = "1G"
    @Option(parsing: .unconditional, help: "Target populate time without aging, in seconds.")
    var populateS = Calibration.publishedPopulateSeconds
    @Option(parsing: .unconditional, help: "Target average aging pass while populating, in milliseconds.")
    var passMs = Calibration.publishedPassSeconds * 1e3
    @Option(parsing: .unconditional, help: "Runs per measurement (medians).")
    var repetitions = 3
    @Option(parsing: .unconditional, help: "Calibration file to write (default results/calibration-<host>.json).")
    var output: String?
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let size = try ByteSize(parsing: memory)
        guard populateS.isFinite, populateS > 0 else { throw InputError("invalid --populate-s '\(populateS)': expected seconds above 0") }
        guard passMs.isFinite, passMs > 0 else { throw InputError("invalid --pass-ms '\(passMs)': expected milliseconds above 0") }
        guard (1...50).contains(repetitions) else { throw InputError("invalid --repetitions '\(repetitions)': expected 1 to 50") }
        try MemoryEstimate.requireFits(guestPages: size.pages, structure: .radix, hostSide: true, what: "a \(size) calibration guest")
        let context = RunContext.detect(build: BuildKind.current)
        let path = output ?? Calibration.defaultPath(host: context.host, build: context.build)
        try AtomicFileWriter.checkWritable(path: path, createParent: output == nil)
        let calibration = try Calibrator(
            memory: size, targetPopulateSeconds: populateS, targetPassSeconds: passMs / 1e3,
            repetitions: repetitions, context: context
        ).run(progress: progress.report,
              warning: { StandardError.write(Calibrator.busyWarning($0)) })
        try calibration.save(to: path, createParent: output == nil)
        print(Self.report(calibration, path: path))
    }

    /// What the calibration measured and set, as a table.
    static func report(_ calibration: Calibration, path: String) -> String {
        func ms(_ seconds: Double) -> String { String(format: "%.3f", locale: nil, seconds * 1e3) }
        func ns(_ value: Double) -> String { String(format: "%.1f", locale: nil, value) }
        let rows: [[String]] = [
            ["model work per fault (ns)", ns(calibration.modelFaultNanos), "", ""],
            ["model pass, no remainder (ms)", ms(calibration.modelPassSeconds), "", ""],
            ["present pages per pass", String(format: "%.0f", locale: nil, calibration.modelPagesPerPass), "", ""],
            ["fault remainder (ns)", ns(calibration.faultRemainderNanos), "", ""],
            ["aging remainder (ns/page)", ns(calibration.agingRemainderNanosPerPage), "", ""],
            ["populate, no aging (s)", String(format: "%.4f", locale: nil, calibration.checkedPopulateSeconds),
             String(format: "%.4f", locale: nil, calibration.targetPopulateSeconds),
             String(format: "%+.1f%%", locale: nil, (calibration.checkedPopulateSeconds / calibration.targetPopulateSeconds - 1) * 100)],
            ["pass avg, per-page lockless (ms)", ms(calibration.checkedPassSeconds), ms(calibration.targetPassSeconds),
             String(format: "%+.1f%%", locale: nil, (calibration.checkedPassSeconds / calibration.targetPassSeconds - 1) * 100)],
        ]
        var report = "calibration \(calibration.id) written to \(path)\n\n"
            + TextTable.render(header: ["figure", "model", "target", "off by"], rows: rows, rightAligned: [false, true, true, true])
        if let engine = calibration.engine { report += "\n\n" + engineReport(engine) }
        return report
    }

    /// What the virtual engine will charge for each operation, as two tables (the machine's,
    /// then each backend's).
    static func engineReport(_ costs: EngineCosts) -> String {
        func ns(_ value: Double) -> String { String(format: "%.1f", locale: nil, value) }
        let machine: [(String, Double)] = [
            ("mmu_lock taken and dropped, uncontended", costs.lockPairNanos),
            ("cache line moved between CPUs", costs.lineTransferNanos),
            ("TLB lookup that hits", costs.tlbLookupNanos),
            ("exit and entry around a fault", costs.exitEntryNanos),
            ("GUP, first touch", costs.gupFirstTouchNanos),
            ("GUP, present page", costs.gupPresentNanos),
            ("aging driver, empty window", costs.hostWindowNanos),
            ("host scan, per present page", costs.hostScanNanosPerPage),
            ("folio promotion, per page", costs.promoteNanosPerPage),
            ("host unmap, per page", costs.hostUnmapNanosPerPage),
            ("real engine's fault overhead", costs.faultOverheadNanos),
            ("real engine's aging overhead, per page", costs.agingOverheadNanosPerPage),
        ]
        let backendRows = costs.backends.sorted { $0.key < $1.key }.map { name, own in
            [name, ns(own.accessNanos), ns(own.faultNanos), ns(own.callNanos), ns(own.leafNanos), ns(own.zapNanosPerPage)]
        }
        return "operation costs for --engine virtual (ns, medians):\n\n"
            + TextTable.render(header: ["operation", "ns"], rows: machine.map { [$0.0, ns($0.1)] }, rightAligned: [false, true])
            + "\n\n"
            + TextTable.render(
                header: ["backend", "access", "fault", "call", "call per page", "zap per page"], rows: backendRows,
                rightAligned: [false, true, true, true, true, true])
    }
}
