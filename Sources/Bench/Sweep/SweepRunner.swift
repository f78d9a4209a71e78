import Backends
import Core
import Results
#if canImport(Glibc)
import Glibc
#endif

/// Runs a plan's cells and reports progress on stderr: one after another, or virtual-engine cells
/// on several worker threads at once.
///
/// Progress (cell i/n, elapsed, estimated time left) goes to stderr unless `quiet`: on a terminal
/// as one line rewritten in place; elsewhere (a CI log, a pipe) as one plain line per finished
/// cell, so a log shows how far a sweep got. Before the first cell has finished, the time left is
/// `estimatedSeconds` when given.
///
/// Parallel cells (`jobs` above 1): only virtual-engine cells counted in time, whose rows depend on
/// nothing but the cell, the settings and the context (each runs in virtual time on its own
/// thread, on an MMU, host side and page-table arenas of its own), so a row is the same whichever
/// worker runs it and whatever runs beside it. Real-engine cells and `--count instructions` always
/// run one at a time: cells side by side would take each other's CPUs, caches and memory
/// bandwidth, and their timings would measure the neighbour. Fewer workers run than `jobs` when
/// the largest cells would not fit in memory side by side (`MemoryEstimate.concurrentCells`).
///
/// Interruption: `shouldStop` is asked on the calling thread before each cell starts (never during
/// one), once per cell as in a serial run. Once it says stop, no further cell starts; the cells
/// already running finish (a cell has no cancellation point, and a cut-short cell would be a wrong
/// row) and are kept. Cells start in plan order and every started cell is finished, so the cells
/// run are always a prefix of the cells asked for, each complete.
public struct SweepRunner {
    public let plan: SweepPlan
    public let settings: WorkloadSettings
    public let context: RunContext
    public let quiet: Bool
    /// The up-front estimate of the whole run, in seconds, shown until measured progress replaces it.
    public var estimatedSeconds: Double?
    /// Most cells run at once (at least 1); only virtual-engine cells counted in time run more than
    /// one at a time (see the type's comment).
    public var jobs = 1

    public init(plan: SweepPlan, settings: WorkloadSettings, context: RunContext, quiet: Bool) {
        self.plan = plan
        self.settings = settings
        self.context = context
        self.quiet = quiet
    }

    /// Whether these settings' cells may run side by side: only in virtual time, and not counted
    /// under callgrind.
    public static func runsInParallel(_ settings: WorkloadSettings) -> Bool {
        settings.engine == .virtual && !settings.countInstructions
    }

    /// How many of `cells` run at once: `jobs`, bounded by the cells, by what fits in memory side
    /// by side, and 1 for cells that must run alone.
    public func workerCount(for cells: [SweepCell]) -> Int {
        guard Self.runsInParallel(settings), jobs > 1, cells.count > 1 else { return 1 }
        let fitting = MemoryEstimate.concurrentCells(
            cells, jobs: min(jobs, cells.count), hostSide: settings.costs.hostSide, frames: settings.engine == .real)
        return max(1, min(jobs, cells.count, fitting))
    }

    /// Runs the plan's cells whose index is not in `skipping`, until `shouldStop` says so.
    ///
    /// - Returns: one record per cell run, in plan order; the cells run are a prefix of those
    ///   not skipped (a cell whose backend is not registered runs nowhere and has no record).
    /// - Throws: `InputError` when a cell's host memory cannot be mapped (with parallel cells, the
    ///   first such cell in plan order, once the cells running beside it have finished).
    public func run(skipping done: Set<Int> = [], shouldStop: () -> Bool = { false }) throws(InputError) -> [RunRecord] {
        let cells = plan.cells.filter { !done.contains($0.index) }
        let workers = workerCount(for: cells)
        if workers > 1 {
            return try runInParallel(cells, workers: workers, shouldStop: shouldStop)
        }
        let onTerminal = !quiet && isatty(STDERR_FILENO) == 1
        let inLog = !quiet && !onTerminal
        let start = Ticks.monotonicNanoseconds()
        var records: [RunRecord] = []
        let counter = settings.countInstructions && !cells.isEmpty ? try InstructionCounter.prepare() : nil
        for (position, cell) in cells.enumerated() {
            if shouldStop() { break }
            guard let descriptor = Backends.named(cell.backend) else { continue }
            if onTerminal { StandardError.write("\r\u{1B}[K" + progress(position, of: cells.count, since: start, cell: cell)) }
            let record = if let counter {
                try counter.count(cell, settings: settings, context: context)
            } else {
                try CellRunner.run(cell, descriptor: descriptor, settings: settings, context: context)
            }
            records.append(record)
            if inLog {
                StandardError.write("agingbench: " + progress(position + 1, of: cells.count, since: start, cell: cell, finished: record) + "\n")
            }
        }
        if onTerminal { StandardError.write("\r\u{1B}[K") }
        return records
    }

    /// `run` on `workers` threads: the calling thread deals cells in plan order, one to each idle
    /// worker after asking `shouldStop`, and collects the rows as they finish, in any order, into
    /// their plan positions.
    private func runInParallel(_ cells: [SweepCell], workers: Int, shouldStop: () -> Bool) throws(InputError) -> [RunRecord] {
        let onTerminal = !quiet && isatty(STDERR_FILENO) == 1
        let inLog = !quiet && !onTerminal
        let start = Ticks.monotonicNanoseconds()
        let (settings, context) = (settings, context)
        let pool = CellWorkers(count: workers) { position in
            let cell = cells[position]
            guard let descriptor = Backends.named(cell.backend) else { return .success(nil) }
            return Result { () throws(InputError) -> RunRecord? in
                try CellRunner.run(cell, descriptor: descriptor, settings: settings, context: context)
            }
        }
        var records = [RunRecord?](repeating: nil, count: cells.count)
        var dealt = 0
        var running = 0
        var finished = 0
        var stopping = false
        var failure: (position: Int, error: InputError)?
        // On a terminal: the last finished cell's line, rewritten with the count running once the
        // next cell is dealt; before any has finished, the up-front estimate.
        var lastLine: String?
        while true {
            while !stopping && failure == nil && running < workers && dealt < cells.count {
                if shouldStop() {
                    stopping = true
                    break
                }
                pool.start(dealt)
                dealt += 1
                running += 1
            }
            if onTerminal && running > 0 {
                let line = lastLine ?? parallelProgress(0, of: cells.count, since: start)
                StandardError.write("\r\u{1B}[K" + line + ", \(running) running")
            }
            guard running > 0 else { break }
            let (position, outcome) = pool.next()
            running -= 1
            switch outcome {
            case .success(let record):
                records[position] = record
                finished += 1
                guard let record, !quiet else { break }
                let line = parallelProgress(finished, of: cells.count, since: start, cell: cells[position], finished: record)
                lastLine = line
                if inLog { StandardError.write("agingbench: " + line + "\n") }
            case .failure(let error):
                // The serial run's error: the first failing cell in plan order.
                if failure.map({ position < $0.position }) ?? true { failure = (position, error) }
            }
        }
        pool.finish()
        if onTerminal { StandardError.write("\r\u{1B}[K") }
        if let failure { throw failure.error }
        return records.compactMap { $0 }
    }

    /// "[cell i/n] cell … elapsed, about … left"; with `finished`, "i" counts done cells and the
    /// line carries the cell's headline figure.
    func progress(_ position: Int, of total: Int, since start: UInt64, cell: SweepCell, finished: RunRecord? = nil) -> String {
        let elapsed = Double(Ticks.monotonicNanoseconds() - start) / 1e9
        let left = position == 0
            ? estimatedSeconds.map { "\(SweepEstimate.describe(seconds: $0)) (estimated)" } ?? "?"
            : SweepEstimate.describe(seconds: elapsed / Double(position) * Double(total - position))
        let number = finished == nil ? position + 1 : position
        let headline = finished.map { String(format: " populate %.3f s,", locale: nil, $0.populateSeconds) } ?? ""
        return "[cell \(number)/\(total)\(finished == nil ? "" : " done")] \(cell.backend) \(cell.memoryPerVCPU) "
            + "vcpus:\(cell.vcpus) aging:\(cell.agingLabel(agingOnly: settings.agingOnly)) rep \(cell.repetition) \(headline) "
            + "elapsed \(SweepEstimate.describe(seconds: elapsed)), about \(left) left"
    }

    /// "[cell i/n finished] cell … elapsed, about … left", where i counts the cells finished so
    /// far (parallel cells finish out of plan order; the line names which one it was). Before any
    /// has finished (no `cell`), the time left is `estimatedSeconds`.
    func parallelProgress(
        _ finishedCount: Int, of total: Int, since start: UInt64, cell: SweepCell? = nil, finished: RunRecord? = nil
    ) -> String {
        let elapsed = Double(Ticks.monotonicNanoseconds() - start) / 1e9
        // Cells finished per second so far, whatever the number of workers.
        let left = finishedCount == 0
            ? estimatedSeconds.map { "\(SweepEstimate.describe(seconds: $0)) (estimated)" } ?? "?"
            : SweepEstimate.describe(seconds: elapsed / Double(finishedCount) * Double(total - finishedCount))
        let what = cell.map {
            " \($0.backend) \($0.memoryPerVCPU) vcpus:\($0.vcpus) aging:\($0.agingLabel(agingOnly: settings.agingOnly)) "
                + "rep \($0.repetition),"
        } ?? ""
        let headline = finished.map { String(format: " populate %.3f s,", locale: nil, $0.populateSeconds) } ?? ""
        return "[cell \(finishedCount)/\(total) finished]\(what)\(headline) "
            + "elapsed \(SweepEstimate.describe(seconds: elapsed)), about \(left) left"
    }
}
