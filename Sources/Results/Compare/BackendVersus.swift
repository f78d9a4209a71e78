import Foundation

/// Backends compared within one results file: each against a reference backend, configuration by
/// configuration, on repetitions paired by run and repetition index.
///
/// Contract: a configuration is every parameter column but the backend and the driver (which
/// differs between backends by design; when one backend ran under several drivers the driver
/// stays in the configuration, so only same-driver rows pair). Two rows pair when they share the
/// configuration, the run (host, timestamp, commit) and the repetition. Per metric a `PairedRatio`
/// of the pairs, other ÷ reference: the ratio of medians, the Hodges–Lehmann interval and the exact
/// Wilcoxon signed-rank test of the pairs' log ratios. Holm's adjustment runs over the family of
/// every tested comparison in the report (configurations × metrics × backends other than the
/// reference). A virtual-engine configuration is deterministic: its single pair gives the ratio
/// alone, exact, and is not in the family. Pure: reads nothing but its arguments.
public enum BackendVersus {
    /// What was asked.
    public struct Settings: Sendable {
        /// The reference first, then the backends compared with it (at least one).
        public var backends: [String]
        /// Metric names from `CompareMetric.catalog`, in report order.
        public var metrics: [String] = BackendVersus.defaultMetrics
        /// Significance level after Holm's adjustment.
        public var alpha = 0.05
        /// The confidence the intervals aim at.
        public var level = 0.95

        public init(backends: [String]) {
            self.backends = backends
        }

        public var reference: String { backends[0] }
    }

    /// The metrics users ask about first: the pass, populate under aging ÷ without, the fault
    /// tail and the vCPUs' wait for `mmu_lock`.
    public static let defaultMetrics = ["pass_avg_s", "populate_on_vs_off", "fault_p99_ns", "vcpu_lock_wait_ns"]

    /// What one comparison concluded.
    public enum Verdict: String, Sendable, CaseIterable {
        /// Better than the reference in the metric's direction, Holm-adjusted p ≤ alpha.
        case faster
        /// Worse than the reference, Holm-adjusted p ≤ alpha.
        case slower
        /// The pairs do not separate the two.
        case notSeparable = "not separable"
        /// A deterministic (virtual-engine) pair: the ratio is exact and nothing is tested.
        case exact = "exact (virtual time)"
    }

    /// One backend against the reference, in one configuration, on one metric.
    public struct Comparison: Sendable {
        public let configuration: CellKey
        public let metric: CompareMetric
        public let backend: String
        /// The drivers the two rows ran (reference's, then the backend's).
        public let drivers: (reference: String, backend: String)
        /// The pairs, their ratio and, unless the configuration is deterministic, the test.
        public let paired: PairedRatio
        public var adjustedP = 1.0
        public var verdict: Verdict = .notSeparable

        public var ratio: Double? { paired.ratio }
        public var test: SignedRank.Result? { paired.test }
        public var interval: (lower: Double, upper: Double)? { paired.interval }
        public var pairs: Int { paired.pairs }
        public var deterministic: Bool { BackendVersus.isDeterministic(configuration) }
    }

    /// The whole comparison.
    public struct Report: Sendable {
        public let source: String
        public let settings: Settings
        public let comparisons: [Comparison]
        /// Tested comparisons, Holm's m.
        public let familySize: Int
        /// Why no comparison can be separated, when that is so: too few pairs for Holm's first step.
        public let powerNote: String?
    }

    /// The backends `table` has rows of, in order of first appearance.
    public static func backends(in table: ResultTable) -> [String] {
        var seen: [String] = []
        for row in table.rows { if let name = row["backend"], !seen.contains(name) { seen.append(name) } }
        return seen
    }

    /// Compares; throws one line when the request cannot be answered from `table`: a backend it
    /// lacks, fewer than two backends, or no configuration where the reference and another
    /// backend share a repetition.
    public static func compare(_ table: ResultTable, settings: Settings) throws(InputError) -> Report {
        let present = backends(in: table)
        guard settings.backends.count >= 2 else {
            throw InputError("'\(table.name)': versus needs at least two backends (the reference and one to compare), got \(settings.backends.joined(separator: ","))")
        }
        if let missing = settings.backends.first(where: { !present.contains($0) }) {
            throw InputError("'\(table.name)': backend '\(missing)' is not in the file (it has \(present.joined(separator: ", ")))")
        }
        if let twice = settings.backends.indices.first(where: { settings.backends[..<$0].contains(settings.backends[$0]) }) {
            throw InputError("backend '\(settings.backends[twice])' is named twice")
        }
        let metrics = try settings.metrics.map { name throws(InputError) -> CompareMetric in
            guard let metric = CompareMetric.named(name) else { throw InputError("unknown metric '\(name)'") }
            return metric
        }

        let columns = configurationColumns(table)
        let runs = RunIndex(table.rows)
        // configuration → backend → pair key → row (the first row of a pair key wins).
        var order: [CellKey] = []
        var rows: [CellKey: [String: [[String]: ResultRow]]] = [:]
        var pairOrder: [CellKey: [[String]]] = [:]
        for row in table.rows {
            guard let backend = row["backend"], settings.backends.contains(backend) else { continue }
            let configuration = CellKey(row: row, columns: columns)
            if rows[configuration] == nil { order.append(configuration); rows[configuration] = [:] }
            let pair = ["host", "timestamp", "commit", "repetition"].map { row[$0] ?? "" }
            if backend == settings.reference { pairOrder[configuration, default: []].append(pair) }
            if rows[configuration]?[backend]?[pair] == nil { rows[configuration, default: [:]][backend, default: [:]][pair] = row }
        }

        var comparisons: [Comparison] = []
        var anyPair = false
        for configuration in order {
            guard let byBackend = rows[configuration], let references = byBackend[settings.reference] else { continue }
            for backend in settings.backends.dropFirst() {
                guard let others = byBackend[backend] else { continue }
                let pairs = (pairOrder[configuration] ?? []).compactMap { key in
                    references[key].flatMap { reference in others[key].map { (reference, $0) } }
                }
                guard let first = pairs.first else { continue }
                anyPair = true
                let deterministic = isDeterministic(configuration)
                for metric in metrics {
                    let values = pairs.compactMap { reference, other -> (reference: Double, other: Double)? in
                        guard let a = metric.value(reference, runs, settings.reference), let b = metric.value(other, runs, settings.reference),
                              a.isFinite, b.isFinite else { return nil }
                        return (a, b)
                    }
                    guard !values.isEmpty else { continue }
                    comparisons.append(Comparison(
                        configuration: configuration, metric: metric, backend: backend,
                        drivers: (first.0["driver"] ?? "", first.1["driver"] ?? ""),
                        paired: PairedRatio(values, level: settings.level, tested: !deterministic)))
                }
            }
        }
        guard anyPair else {
            throw InputError("'\(table.name)': no configuration where \(settings.reference) and \(settings.backends.dropFirst().joined(separator: ", ")) ran in the same run and repetition (nothing to pair)")
        }

        let family = comparisons.indices.filter { comparisons[$0].test != nil }
        let adjusted = HolmAdjustment.adjust(family.map { comparisons[$0].test?.p ?? 1 })
        for (index, p) in zip(family, adjusted) { comparisons[index].adjustedP = p }
        for index in comparisons.indices {
            comparisons[index].verdict = verdict(comparisons[index], alpha: settings.alpha)
        }
        return Report(source: table.name, settings: settings, comparisons: comparisons, familySize: family.count,
                      powerNote: powerNote(comparisons.filter { $0.test != nil }, family: family.count, alpha: settings.alpha))
    }

    /// A virtual-engine configuration (either schedule): its one run is the whole answer.
    static func isDeterministic(_ configuration: CellKey) -> Bool {
        EngineLabel(rawValue: configuration.value("engine"))?.isVirtualTime == true
    }

    static func verdict(_ comparison: Comparison, alpha: Double) -> Verdict {
        guard let test = comparison.test else { return comparison.deterministic ? .exact : .notSeparable }
        guard comparison.adjustedP <= alpha, test.estimate != 0 else { return .notSeparable }
        let higher = test.estimate > 0
        return higher == (comparison.metric.direction == .lowerIsBetter) ? .slower : .faster
    }

    /// The configuration's columns: the cell parameters without the backend, and without the
    /// driver unless some backend ran under more than one.
    static func configurationColumns(_ table: ResultTable) -> [String] {
        var drivers: [String: Set<String>] = [:]
        for row in table.rows { drivers[row["backend"] ?? "", default: []].insert(row["driver"] ?? "") }
        let driverIsAnAxis = drivers.values.contains { $0.count > 1 }
        return CellKey.parameterColumns.filter {
            table.columns.contains($0) && $0 != "backend" && ($0 != "driver" || driverIsAnAxis)
        }
    }

    /// A note when some tested comparison can never be separated: with n pairs the smallest exact
    /// two-sided p is 2 / 2^n, and Holm's first step needs alpha / m.
    static func powerNote(_ tested: [Comparison], family: Int, alpha: Double) -> String? {
        guard family > 0 else { return nil }
        let limit = alpha / Double(family)
        let blocked = tested.filter { SignedRank.smallestP(pairs: $0.test?.pairs ?? 0) > limit }
        guard let fewest = blocked.map({ $0.test?.pairs ?? 0 }).min() else { return nil }
        let needed = (1...64).first { SignedRank.smallestP(pairs: $0) <= limit } ?? 64
        let subject = blocked.count == tested.count ? "no comparison can be separated" : "\(blocked.count) of \(tested.count) comparisons cannot be separated"
        return "\(subject): with \(fewest) pairs the smallest exact p is \(SignedRank.smallestP(pairs: fewest).formatted(significant: 3)), "
            + "but Holm over \(family) comparisons needs p ≤ \(limit.formatted(significant: 3)) at alpha \(alpha); "
            + "\(needed) repetitions would do (or fewer backends, metrics or configurations)"
    }
}
