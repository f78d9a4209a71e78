import Backends
import Core
import Results
#if canImport(Glibc)
import Glibc
#endif

/// Runs a plan's cells in order and reports progress on stderr.
///
/// Progress (cell i/n, elapsed, estimated time left) goes to stderr unless `quiet`: on a terminal
/// as one line rewritten in place before each cell; elsewhere (a CI log, a pipe) as one plain line
/// per finished cell, so a log shows how far a sweep got. Before the first cell has finished, the
/// time left is `estimatedSeconds` when given. `shouldStop` is asked between cells (never during one),
/// so an interrupted sweep returns the cells it finished, each complete.
public struct SweepRunner {
    public let plan: SweepPlan
    public let settings: WorkloadSettings
    public let context: RunContext
    public let quiet: Bool
    /// The up-front estimate of the whole run, in seconds, shown until measured progress replaces it.
    public var estimatedSeconds: Double?

    public init(plan: SweepPlan, settings: WorkloadSettings, context: RunContext, quiet: Bool) {
        self.plan = plan
        self.settings = settings
        self.context = context
        self.quiet = quiet
    }

    /// Runs the plan's cells whose index is not in `skipping`, until `shouldStop` says so.
    ///
    /// - Returns: one record per cell run, in plan order.
    /// - Throws: `InputError` when a cell's host memory cannot be mapped.
    public func run(skipping done: Set<Int> = [], shouldStop: () -> Bool = { false }) throws(InputError) -> [RunRecord] {
        let onTerminal = !quiet && isatty(STDERR_FILENO) == 1
        let inLog = !quiet && !onTerminal
        let start = Ticks.monotonicNanoseconds()
        let cells = plan.cells.filter { !done.contains($0.index) }
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
}
