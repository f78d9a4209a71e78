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
/// the deterministic virtual engine gives the same row every time. Cells are numbered in the
/// order they run (points in `SensitivityGrid.points` order, the three cells in the order above),
/// and one result per point comes back in that order.
struct SensitivityRunner {
    let grid: SensitivityGrid
    let pair: SensitivityPair
    let memoryPerVCPU: ByteSize
    /// The workload and the engine's costs; the engine must be the virtual one.
    let settings: WorkloadSettings
    let context: RunContext
    let quiet: Bool

    static let cellsPerPoint = 3

    var cellCount: Int { grid.points.count * Self.cellsPerPoint }

    func run() throws(InputError) -> [SensitivityResult] {
        // As `SweepRunner`: on a terminal one line rewritten before each cell, in a log (a pipe,
        // CI) one plain line per finished point, so the log shows how far the map got.
        let onTerminal = !quiet && isatty(STDERR_FILENO) == 1
        let inLog = !quiet && !onTerminal
        let start = Ticks.monotonicNanoseconds()
        var results: [SensitivityResult] = []
        var index = 0
        for point in grid.points {
            var pointSettings = settings
            pointSettings.mmuLockShareOverride = point.share
            pointSettings.lineTransferOverride = point.latencyNanos
            func cell(_ backend: BackendDescriptor, aging: Bool) throws(InputError) -> RunRecord {
                if onTerminal {
                    StandardError.write("\r\u{1B}[K" + progress(index, since: start, point: point) + " \(backend.name) aging:\(aging ? "on" : "off")")
                }
                let sweepCell = SweepCell(
                    backend: backend.name, memoryPerVCPU: memoryPerVCPU, vcpus: point.vcpus, aging: aging,
                    repetition: 0, index: index)
                index += 1
                return try CellRunner.run(sweepCell, descriptor: backend, settings: pointSettings, context: context)
            }
            let writeLockedAging = try cell(pair.writeLocked, aging: true)
            let locklessAging = try cell(pair.lockless, aging: true)
            let writeLockedNoAging = try cell(pair.writeLocked, aging: false)
            results.append(SensitivityResult(
                point: point, writeLockedAging: writeLockedAging, locklessAging: locklessAging,
                writeLockedNoAging: writeLockedNoAging))
            if inLog { StandardError.write("agingbench: " + progress(index, since: start, point: point, done: true) + "\n") }
        }
        if onTerminal { StandardError.write("\r\u{1B}[K") }
        return results
    }

    /// "[sensitivity i/n] vcpus:… share:… line:…ns, elapsed …, about … left", `done` cells
    /// counted when the point has finished, the next cell's number otherwise.
    private func progress(_ cells: Int, since start: UInt64, point: SensitivityGrid.Point, done: Bool = false) -> String {
        let elapsed = Double(Ticks.monotonicNanoseconds() - start) / 1e9
        let left = cells == 0 ? "?" : SweepEstimate.describe(seconds: elapsed / Double(cells) * Double(cellCount - cells))
        return "[sensitivity \(done ? cells : cells + 1)/\(cellCount)\(done ? " done" : "")] vcpus:\(point.vcpus) "
            + "share:\(SensitivityGrid.text(point.share)) line:\(SensitivityGrid.text(point.latencyNanos))ns, "
            + "elapsed \(SweepEstimate.describe(seconds: elapsed)), about \(left) left"
    }
}
