import Results

/// One independent run of a sweep: a backend at one memory size, vCPU count, aging setting and repetition.
///
/// Contract: `index` is the cell's position in the full canonical order of its plan (before any
/// shard filter), so it identifies the cell across hosts and is the key `--resume` matches rows by.
public struct SweepCell: Sendable, Hashable {
    /// The registered backend name.
    public let backend: String
    /// Guest memory owned by each vCPU.
    public let memoryPerVCPU: ByteSize
    /// Number of vCPU threads.
    public let vcpus: Int
    /// Whether the aging thread runs during the measured phase.
    public let aging: Bool
    /// 0-based repetition number.
    public let repetition: Int
    /// 0-based position in the plan's full canonical order.
    public let index: Int

    /// Creates a cell; `SweepPlan` is the usual source, this exists for tests and replays.
    public init(backend: String, memoryPerVCPU: ByteSize, vcpus: Int, aging: Bool, repetition: Int, index: Int) {
        self.backend = backend
        self.memoryPerVCPU = memoryPerVCPU
        self.vcpus = vcpus
        self.aging = aging
        self.repetition = repetition
        self.index = index
    }

    /// The `aging` column's value for this cell: "only" in an `--aging-only` sweep (every cell
    /// ages, nothing else runs), else "on" or "off". Rows, resume and progress all say it so.
    public func agingLabel(agingOnly: Bool) -> AgingLabel {
        agingOnly ? .only : (aging ? .on : .off)
    }
}
