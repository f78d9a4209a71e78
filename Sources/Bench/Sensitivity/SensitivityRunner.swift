import Core
import Results

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
        let start = Ticks.monotonicNanoseconds()
        var results: [SensitivityResult] = []
        var index = 0
        for point in grid.points {
            var pointSettings = settings
            pointSettings.mmuLockShareOverride = point.share
            pointSettings.lineTransferOverride = point.latencyNanos
            func cell(_ backend: BackendDescriptor, aging: Bool) throws(InputError) -> RunRecord {
                if !quiet {
                    let elapsed = Double(Ticks.monotonicNanoseconds() - start) / 1e9
                    let left = index == 0 ? "?" : SweepEstimate.describe(seconds: elapsed / Double(index) * Double(cellCount - index))
                    StandardError.write(
                        "\r\u{1B}[K[sensitivity \(index + 1)/\(cellCount)] \(backend.name) aging:\(aging ? "on" : "off") "
                            + "vcpus:\(point.vcpus) share:\(SensitivityGrid.text(point.share)) line:\(SensitivityGrid.text(point.latencyNanos))ns, "
                            + "elapsed \(SweepEstimate.describe(seconds: elapsed)), about \(left) left")
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
        }
        if !quiet { StandardError.write("\r\u{1B}[K") }
        return results
    }
}
