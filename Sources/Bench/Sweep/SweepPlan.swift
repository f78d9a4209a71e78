import Results

/// The grid of cells a sweep runs, in a canonical order, reduced to one shard.
///
/// Contract: the full grid is the Cartesian product of the inputs, ordered repetition-major, and
/// within a repetition by memory size, then vCPU count, then aging, then backend (innermost), each
/// list in the order given. Repetition-major means slow drift of the machine (thermals, other
/// tenants) spreads over every configuration alike instead of biasing whichever ran last; backend
/// innermost means competing backends run side by side under near-identical conditions. Cells are
/// numbered in that order; the cells of one (repetition, memory, vCPUs) form a comparison group
/// (every backend, aging on and off), and `cells` keeps, in the same order, the groups the shard
/// selects. The order
/// depends only on the inputs, so every host of a sharded sweep computes the same numbering.
public struct SweepPlan: Sendable {
    /// Backend names, in the order given.
    public let backends: [String]
    /// Memory per vCPU sizes, in the order given.
    public let memorySizes: [ByteSize]
    /// vCPU counts, in the order given.
    public let vcpuCounts: [Int]
    /// Aging settings, in the order given.
    public let aging: [Bool]
    /// Repetitions of the whole grid.
    public let repetitions: Int
    /// The slice of the grid this process runs.
    public let shard: Shard
    /// The cells this shard runs, in canonical order, each carrying its full-grid `index`.
    public let cells: [SweepCell]

    /// The number of comparison groups in the full grid: what shards deal out.
    public var groupCount: Int { memorySizes.count * vcpuCounts.count * repetitions }

    /// The number of cells in the full grid, over all shards.
    public var totalCellCount: Int {
        backends.count * memorySizes.count * vcpuCounts.count * aging.count * repetitions
    }

    /// Builds and validates a plan.
    ///
    /// - Parameters:
    ///   - backends: backend names; non-empty, no empty or repeated names.
    ///   - memorySizes: memory per vCPU; non-empty, no repeats.
    ///   - vcpuCounts: vCPU counts; non-empty, each at least 1, no repeats.
    ///   - aging: aging settings; non-empty, no repeats.
    ///   - repetitions: at least 1.
    ///   - shard: the slice to keep; the whole grid by default.
    /// - Throws: `InputError` naming the first invalid input; a repeated value would silently run a
    ///   configuration twice and skew its medians, so it is an error rather than ignored.
    public init(
        backends: [String],
        memorySizes: [ByteSize],
        vcpuCounts: [Int],
        aging: [Bool],
        repetitions: Int,
        shard: Shard = .whole
    ) throws(InputError) {
        try Self.checkList(backends, what: "backend")
        if backends.contains("") {
            throw InputError("empty backend name in the sweep")
        }
        try Self.checkList(memorySizes, what: "memory size")
        try Self.checkList(vcpuCounts, what: "vCPU count")
        if let bad = vcpuCounts.first(where: { $0 < 1 }) {
            throw InputError("vCPU count \(bad) must be at least 1")
        }
        try Self.checkList(aging.map { ($0 ? AgingLabel.on : .off).rawValue }, what: "aging setting")
        guard repetitions >= 1 else {
            throw InputError("repetitions must be at least 1, got \(repetitions)")
        }

        self.backends = backends
        self.memorySizes = memorySizes
        self.vcpuCounts = vcpuCounts
        self.aging = aging
        self.repetitions = repetitions
        self.shard = shard

        var selected: [SweepCell] = []
        var index = 0
        var group = 0
        for repetition in 0..<repetitions {
            for memory in memorySizes {
                for vcpus in vcpuCounts {
                    defer { group += 1 }
                    for agingOn in aging {
                        for backend in backends {
                            if shard.selects(groupIndex: group) {
                                selected.append(SweepCell(
                                    backend: backend, memoryPerVCPU: memory, vcpus: vcpus,
                                    aging: agingOn, repetition: repetition, index: index))
                            }
                            index += 1
                        }
                    }
                }
            }
        }
        cells = selected
    }

    private static func checkList<T: Hashable & CustomStringConvertible>(_ values: [T], what: String) throws(InputError) {
        guard !values.isEmpty else {
            throw InputError("the sweep needs at least one \(what)")
        }
        var seen = Set<T>()
        for value in values where !seen.insert(value).inserted {
            throw InputError("\(what) '\(value)' is listed more than once")
        }
    }
}
