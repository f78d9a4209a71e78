import Backends
import Core
#if canImport(Glibc)
import Glibc
#endif

/// Runs a plan's cells in order and reports progress on stderr.
///
/// Progress (cell i/n, elapsed, estimated time left) goes to stderr only when it is a terminal
/// and `quiet` is off, so logs and pipes stay clean.
public struct SweepRunner {
    public let plan: SweepPlan
    public let settings: WorkloadSettings
    public let context: RunContext
    public let quiet: Bool

    public init(plan: SweepPlan, settings: WorkloadSettings, context: RunContext, quiet: Bool) {
        self.plan = plan
        self.settings = settings
        self.context = context
        self.quiet = quiet
    }

    public func run() throws(InputError) -> [RunRecord] {
        let showProgress = !quiet && isatty(STDERR_FILENO) == 1
        let start = Ticks.monotonicNanoseconds()
        var records: [RunRecord] = []
        for (position, cell) in plan.cells.enumerated() {
            guard let descriptor = Backends.named(cell.backend) else { continue }
            if showProgress { progress(position, of: plan.cells.count, since: start, cell: cell) }
            records.append(try CellRunner.run(cell, descriptor: descriptor, settings: settings, context: context))
        }
        if showProgress { StandardError.write("\r\u{1B}[K") }
        return records
    }

    private func progress(_ position: Int, of total: Int, since start: UInt64, cell: SweepCell) {
        let elapsed = Double(Ticks.monotonicNanoseconds() - start) / 1e9
        let left = position == 0 ? "?" : "\(Int(elapsed / Double(position) * Double(total - position)))s"
        let line = "\r\u{1B}[K[cell \(position + 1)/\(total)] \(cell.backend) \(cell.memoryPerVCPU) "
            + "vcpus:\(cell.vcpus) aging:\(cell.aging ? "on" : "off") rep \(cell.repetition)  "
            + "elapsed \(Int(elapsed))s, about \(left) left"
        StandardError.write(line)
    }
}
