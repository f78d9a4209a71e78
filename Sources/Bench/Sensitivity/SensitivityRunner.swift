import Core
import Results
#if canImport(Glibc)
import Glibc
#endif

/// Runs a sensitivity grid in the virtual engine: at each point, the write-locked backend with
/// aging on, the lockless backend with aging on, and the write-locked backend with aging off.
///
/// Contract: every cell goes through `CellRunner.run`, the path `run` takes, with `settings` plus
/// the point's overrides (`mmuLockShareOverride`, `lineTransferOverride`); one repetition, since
/// the deterministic virtual engine gives the same row every time. Cells are numbered in grid
/// order (points in `SensitivityGrid.points` order, the three cells in the order above) and, with
/// `jobs` above 1, run on that many worker threads (`CellWorkers`, as `run --jobs` does, fewer
/// when the largest cells would not fit in memory side by side); each cell's row depends only on
/// its own settings, so the results are a serial run's. One result per point, in grid order.
struct SensitivityRunner {
    let grid: SensitivityGrid
    let pair: SensitivityPair
    let memoryPerVCPU: ByteSize
    /// The workload and the engine's costs; the engine must be the virtual one.
    let settings: WorkloadSettings
    let context: RunContext
    let quiet: Bool
    /// Most cells run at once.
    var jobs = 1

    static let cellsPerPoint = 3

    /// One cell of the grid: what it runs and with which overrides.
    struct Task: Sendable {
        let cell: SweepCell
        let descriptor: BackendDescriptor
        let settings: WorkloadSettings
        let point: SensitivityGrid.Point

        func run(context: RunContext) throws(InputError) -> RunRecord {
            try CellRunner.run(cell, descriptor: descriptor, settings: settings, context: context)
        }
    }

    /// Every cell, in grid order.
    var tasks: [Task] {
        var tasks: [Task] = []
        for point in grid.points {
            var pointSettings = settings
            pointSettings.mmuLockShareOverride = point.share
            pointSettings.lineTransferOverride = point.latencyNanos
            for (descriptor, aging) in [(pair.writeLocked, true), (pair.lockless, true), (pair.writeLocked, false)] {
                let cell = SweepCell(
                    backend: descriptor.name, memoryPerVCPU: memoryPerVCPU, vcpus: point.vcpus, aging: aging,
                    repetition: 0, index: tasks.count)
                tasks.append(Task(cell: cell, descriptor: descriptor, settings: pointSettings, point: point))
            }
        }
        return tasks
    }

    func run() throws(InputError) -> [SensitivityResult] {
        let tasks = self.tasks
        let cells = tasks.map(\.cell)
        let fitting = MemoryEstimate.concurrentCells(
            cells, jobs: min(max(1, jobs), cells.count), hostSide: settings.costs.hostSide, frames: false)
        let workers = max(1, min(jobs, cells.count, fitting))
        // As `SweepRunner`: on a terminal one line rewritten as cells finish, in a log (a pipe,
        // CI) one plain line per finished cell, so the log shows how far the map got.
        let onTerminal = !quiet && isatty(STDERR_FILENO) == 1
        let inLog = !quiet && !onTerminal
        let start = Ticks.monotonicNanoseconds()
        func report(_ finished: Int, _ task: Task) {
            let line = progress(finished, of: tasks.count, since: start, task: task)
            if onTerminal { StandardError.write("\r\u{1B}[K" + line) }
            if inLog { StandardError.write("agingbench: " + line + "\n") }
        }

        var records = [RunRecord?](repeating: nil, count: tasks.count)
        if workers == 1 {
            for (position, task) in tasks.enumerated() {
                records[position] = try task.run(context: context)
                report(position + 1, task)
            }
        } else {
            let context = self.context
            let pool = CellWorkers(count: workers) { position in
                Result { () throws(InputError) -> RunRecord? in try tasks[position].run(context: context) }
            }
            // Every cell is queued at once: the workers bound how many run, and the memory bound
            // is in `workers` already.
            for position in tasks.indices { pool.start(position) }
            var failure: (position: Int, error: InputError)?
            for finished in 1...tasks.count {
                let (position, outcome) = pool.next()
                switch outcome {
                case .success(let record):
                    records[position] = record
                    report(finished, tasks[position])
                case .failure(let error):
                    // The serial run's error: the first failing cell in grid order.
                    if failure.map({ position < $0.position }) ?? true { failure = (position, error) }
                }
            }
            pool.finish()
            if let failure { throw failure.error }
        }
        if onTerminal { StandardError.write("\r\u{1B}[K") }

        var results: [SensitivityResult] = []
        for first in stride(from: 0, to: tasks.count, by: Self.cellsPerPoint) {
            guard let on = records[first], let lockless = records[first + 1], let off = records[first + 2] else { continue }
            results.append(SensitivityResult(
                point: tasks[first].point, writeLockedAging: on, locklessAging: lockless, writeLockedNoAging: off))
        }
        return results
    }

    /// "[sensitivity i/n done] backend aging:… vcpus:… share:… line:…ns, elapsed …, about … left".
    private func progress(_ finished: Int, of total: Int, since start: UInt64, task: Task) -> String {
        let elapsed = Double(Ticks.monotonicNanoseconds() - start) / 1e9
        let left = SweepEstimate.describe(seconds: elapsed / Double(max(1, finished)) * Double(total - finished))
        return "[sensitivity \(finished)/\(total) done] \(task.cell.backend) aging:\(task.cell.aging ? "on" : "off") "
            + "vcpus:\(task.point.vcpus) share:\(SensitivityGrid.text(task.point.share)) "
            + "line:\(SensitivityGrid.text(task.point.latencyNanos))ns, "
            + "elapsed \(SweepEstimate.describe(seconds: elapsed)), about \(left) left"
    }
}
