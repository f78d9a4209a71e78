import Foundation
import Results
#if canImport(Glibc)
import Glibc
#endif

extension RunCommand {
    func run() throws {
        var options = try validated()
        try MemoryEstimate.check(options.plan, hostSide: options.costs.hostSide, frames: options.settings.engine == .real)
        if case .file(let path, let createParent) = options.destination {
            try AtomicFileWriter.checkWritable(path: path, createParent: createParent)
            if options.format == .csv {
                try AtomicFileWriter.checkWritable(path: IncompleteMarker.sidecarPath(for: path))
            }
        }
        let build = BuildKind.current
        var context = RunContext.detect(build: build)
        if options.calibrated || options.settings.engine == .virtual {
            var (calibration, path) = try costOptions.loadCalibration(context: context, progress: progress)
            if options.calibrated { options.settings.costs = calibration.costModel }
            if options.settings.engine == .virtual {
                options.settings.engineCosts = try calibration.engineCosts(
                    for: options.backendConfigurations, savingTo: path, progress: progress.report)
                options.settings.engineCalibration = calibration.id
            }
        }
        let identity = options.identity(context: context)
        var previous: [Int: RunRecord] = [:]
        if options.resume, case .file(let path, _) = options.destination {
            previous = try ResumeState.load(
                path: path, format: options.format, plan: options.plan, settings: options.settings,
                identity: identity, context: context)
        }
        let remaining = options.plan.cells.filter { previous[$0.index] == nil }

        // Warnings only once every check has passed, so an error is the only line a refused run prints.
        if case .file(let path, _) = options.destination, let warning = Self.extensionWarning(path: path, format: options.format) {
            AgingBenchMain.printError(warning)
        }
        if build == "debug" {
            AgingBenchMain.printError("""
                agingbench: WARNING: this is a DEBUG build: timings are meaningless and debug-only \
                checks slow every path. Use `swift run -c release agingbench`.
                """)
        }
        var runner = SweepRunner(plan: options.plan, settings: options.settings, context: context, quiet: progress.quiet)
        runner.jobs = options.jobs
        let workers = runner.workerCount(for: remaining)
        if workers < min(options.jobs, remaining.count) {
            progress.report("""
                agingbench: note: running \(workers) cell\(workers == 1 ? "" : "s") at a time instead of \(options.jobs): \
                the largest cells side by side would not fit in memory
                """)
        }
        // Side by side, cells finish about `workers` times as fast, and no sooner than the largest.
        let largest = remaining.map { SweepEstimate.seconds(cells: [$0], settings: options.settings) }.max() ?? 0
        let estimate = max(SweepEstimate.seconds(cells: remaining, settings: options.settings) / Double(workers), largest)
        if estimate > SweepEstimate.longSeconds {
            AgingBenchMain.printError("""
                agingbench: note: \(remaining.count) cells, estimated \(SweepEstimate.describe(seconds: estimate)) \
                (more on a debug build or a busy machine); Ctrl-C keeps the finished cells and --resume continues
                """)
        }

        runner.estimatedSeconds = estimate
        // Installed until the results are written: a first signal while writing finished cells
        // must not kill the process and lose them.
        Interruption.install()
        defer { Interruption.restore() }
        // The cells run are a prefix of `remaining` (`SweepRunner.run`), so they pair up in order.
        let fresh = try runner.run(skipping: Set(previous.keys)) { Interruption.requested != nil }
        let signal = Interruption.requested

        // Rows and the context say when the run ended, as a results file's date should.
        context.timestamp = RunContext.isoTimestamp(Date())
        var byIndex = previous
        for (cell, record) in zip(remaining, fresh) {
            var ended = record
            ended.timestamp = context.timestamp
            byIndex[cell.index] = ended
        }
        let records = options.plan.cells.compactMap { byIndex[$0.index] }
        // A signal after the last cell loses nothing: the sweep is complete and says so.
        let marker = records.count == options.plan.cells.count ? nil : IncompleteMarker(
            signal: Interruption.name(of: signal ?? SIGINT), cellsDone: records.count, cellsTotal: options.plan.cells.count)

        try write(records, options: options, context: context, identity: identity, marker: marker)
        if options.destination != .standardOutput {
            print(MarkdownTable.render(records, source: summaryNames ?? options.destination.name))
        }
        if let violated = Self.invariantOutcome(records, outputPath: options.destination.name) { throw violated }
        if let marker {
            throw RunOutcome(
                status: Interruption.exitStatus(for: signal ?? SIGINT),
                message: """
                    interrupted by \(marker.signal): \(marker.cellsDone) of \(marker.cellsTotal) cells written to \
                    \(options.destination.name), marked incomplete; the same command with --resume runs the rest
                    """)
        }
    }

    /// Writes the results; for an incomplete CSV file the sidecar mark goes first, so no reader
    /// sees its cells unmarked, and a complete file's stale mark is removed after it.
    private func write(
        _ records: [RunRecord], options: Validated, context: RunContext, identity: SweepIdentity, marker: IncompleteMarker?
    ) throws(InputError) {
        let text = options.format.render(records, context: context, sweep: identity, incomplete: marker)
        switch options.destination {
        case .standardOutput:
            print(text, terminator: "")
        case .file(let path, let createParent):
            let sidecar = IncompleteMarker.sidecarPath(for: path)
            if let marker, options.format == .csv {
                try AtomicFileWriter.write(marker.sidecarText(sweep: identity), to: sidecar, createParent: createParent)
            }
            try AtomicFileWriter.write(text, to: path, createParent: createParent)
            if marker == nil || options.format != .csv {
                Self.removeStaleMark(sidecar)
            }
        }
    }

    /// Removes `path` only if it is an incomplete mark of ours: anything else there is not ours to delete.
    private static func removeStaleMark(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
              let text = try? String(contentsOfFile: path, encoding: .utf8),
              (try? IncompleteMarker.readSidecar(text, what: path)) != nil
        else { return }
        unlink(path)
    }

    /// A warning when the output's extension names another format than `--format`.
    static func extensionWarning(path: String, format: OutputFormat) -> String? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...].lowercased()
        let named: OutputFormat? = switch ext {
        case "csv": .csv
        case "json": .json
        case "md", "markdown": .markdown
        default: nil
        }
        guard let named, named != format else { return nil }
        return "agingbench: warning: --output '\(path)' ends in .\(ext) but --format is \(format.rawValue); writing \(format.rawValue)"
    }
}
