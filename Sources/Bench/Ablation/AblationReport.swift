import Core
import Foundation
import Results

/// What an ablation's rows say: each configuration's figures, each factor's effect on its own,
/// and the bitmap question, all as medians with their range.
///
/// Contract: built from records alone (a committed CSV reproduces the report). An effect is the
/// ratio of a metric between two levels of one factor in cells that match in every other factor
/// and in repetition, so drift between repetitions cancels; it is reported per vCPU count as the
/// median and range over those matched pairs. A factor is compared only where it can act: the
/// aging lock and the bitmap not under `eviction-only` (the secondary MMU is never asked), the
/// bitmap only under the `bitmap` driver (`per-page` never passes one).
public struct AblationReport {
    struct Key: Hashable {
        let configuration: AblationConfiguration
        let driver: DriverLabel
        let vcpus: Int
        let repetition: Int
    }

    /// A measured quantity of a cell.
    struct Metric: Sendable {
        let title: String
        let decimals: Int
        let extract: @Sendable (RunRecord) -> Double
    }

    static let metrics: [Metric] = [
        Metric(title: "pass (ms)", decimals: 3) { $0.passAverageSeconds * 1e3 },
        Metric(title: "populate (s)", decimals: 3) { $0.populateSeconds },
        Metric(title: "calls/pass", decimals: 0) { $0.agingPasses == 0 ? .nan : Double($0.notifierCalls) / Double($0.agingPasses) },
        // Per present page aged: passes during populate range from an empty guest to a full one,
        // so the mean pass depends on how many near-empty passes ran; per page it does not.
        Metric(title: "aging ns/page", decimals: 0) {
            $0.pagesAged == 0 ? .nan : $0.passAverageSeconds * Double($0.agingPasses) * 1e9 / Double($0.pagesAged)
        },
        Metric(title: "calls/64 pages", decimals: 1) { $0.pagesAged == 0 ? .nan : Double($0.notifierCalls) * 64 / Double($0.pagesAged) },
        Metric(title: "fault p99 (µs)", decimals: 1) { Double($0.faultP99Nanos) / 1e3 },
        Metric(title: "vCPU lock wait (ms)", decimals: 3) { Double($0.vcpuLockWaitNanos) / 1e6 },
    ]

    let records: [RunRecord]
    let cells: [Key: RunRecord]
    let vcpuCounts: [Int]

    public init(records: [RunRecord]) {
        var cells: [Key: RunRecord] = [:]
        var kept: [RunRecord] = []
        for record in records {
            guard let configuration = AblationConfiguration(backend: record.backend, variant: record.variant) else { continue }
            kept.append(record)
            cells[Key(configuration: configuration, driver: record.driver, vcpus: record.vcpus, repetition: record.repetition)] = record
        }
        self.records = kept
        self.cells = cells
        vcpuCounts = Array(Set(kept.map(\.vcpus))).sorted()
    }

    /// Whether `records` held any ablation row.
    public var isEmpty: Bool { records.isEmpty }

    /// Configurations and drivers in the order the rows first name them.
    var configurations: [AblationConfiguration] {
        var seen = Set<AblationConfiguration>()
        return records.compactMap { record in
            guard let configuration = AblationConfiguration(backend: record.backend, variant: record.variant),
                  seen.insert(configuration).inserted else { return nil }
            return configuration
        }
    }

    var drivers: [DriverLabel] {
        var seen = Set<DriverLabel>()
        return records.map(\.driver).filter { seen.insert($0).inserted }
    }

    /// One metric over the repetitions of a grid point.
    func spread(_ metric: Metric, _ configuration: AblationConfiguration, driver: DriverLabel, vcpus: Int) -> Spread? {
        Spread(records.filter {
            $0.vcpus == vcpus && $0.driver == driver
                && AblationConfiguration(backend: $0.backend, variant: $0.variant) == configuration
        }.map(metric.extract))
    }

    /// Ratios `metric(treatment) / metric(reference)` over matched cells.
    func effect(
        _ metric: Metric, vcpus: Int,
        pairs: (AblationConfiguration, DriverLabel) -> (AblationConfiguration, DriverLabel)?
    ) -> Spread? {
        var ratios: [Double] = []
        for (key, treatment) in cells where key.vcpus == vcpus {
            guard let (configuration, driver) = pairs(key.configuration, key.driver),
                  let reference = cells[Key(configuration: configuration, driver: driver, vcpus: vcpus, repetition: key.repetition)]
            else { continue }
            let denominator = metric.extract(reference)
            if denominator > 0 { ratios.append(metric.extract(treatment) / denominator) }
        }
        return Spread(ratios)
    }

    /// A comparison of two levels of one factor: its name and how a treatment cell finds its
    /// reference (nil: not a treatment cell of this comparison).
    struct Comparison {
        let factor: String
        let levels: String
        let reference: (AblationConfiguration, DriverLabel) -> (AblationConfiguration, DriverLabel)?
    }

    var comparisons: [Comparison] {
        var result: [Comparison] = []
        let asked: [DriverLabel] = [.perPage, .bitmap]
        let bases = Array(Set(configurations.map(\.base))).sorted()
        for base in bases {
            let locks = configurations.filter { $0.base == base }.map(\.lock)
            guard let reference = locks.first else { continue }
            var seen = Set<LockMode>()
            for lock in locks where lock != reference && seen.insert(lock).inserted {
                result.append(Comparison(factor: "aging lock (\(base))", levels: "\(lock) vs \(reference)") { configuration, driver in
                    guard configuration.base == base, configuration.lock == lock, asked.contains(driver) else { return nil }
                    return (AblationConfiguration(base: base, lock: reference, bitmap: configuration.bitmap), driver)
                })
            }
        }
        result.append(Comparison(factor: "bitmap", levels: "on vs off (driver bitmap)") { configuration, driver in
            guard configuration.bitmap, driver == .bitmap else { return nil }
            return (AblationConfiguration(base: configuration.base, lock: configuration.lock, bitmap: false), driver)
        })
        for driver in [DriverLabel.bitmap, .evictionOnly] {
            result.append(Comparison(factor: "driver", levels: "\(driver) vs per-page") { configuration, cellDriver in
                guard cellDriver == driver else { return nil }
                return (configuration, .perPage)
            })
        }
        return result
    }

    /// The two cells of the bitmap question in an architecture whose first structure has a
    /// lockless level: lockless per-page (upstream) and lockless with the bitmap (v3).
    func bitmapQuestion() -> (perPage: AblationConfiguration, bitmap: AblationConfiguration)? {
        guard let lockless = configurations.first(where: { $0.lock == .none }) else { return nil }
        return (AblationConfiguration(base: lockless.base, lock: .none, bitmap: false),
                AblationConfiguration(base: lockless.base, lock: .none, bitmap: true))
    }

    /// The report as Markdown: the grid, the effects, the bitmap question.
    public func markdown(cores: Int) -> String {
        guard !isEmpty else { return "_no ablation rows_\n" }
        var text = "### Every configuration (median [min–max] over \(Set(records.map(\.repetition)).count) repetitions)\n\n"
        let header = ["configuration", "driver", "vCPUs"] + Self.metrics.map(\.title)
        var rows: [[String]] = []
        for vcpus in vcpuCounts {
            for configuration in configurations {
                for driver in drivers {
                    let values = Self.metrics.map { spread($0, configuration, driver: driver, vcpus: vcpus)?.text(decimals: $0.decimals) ?? "–" }
                    rows.append([configuration.label, driver.rawValue, vcpuLabel(vcpus, cores: cores)] + values)
                }
            }
        }
        text += TextTable.render(header: header, rows: rows) + "\n\n"

        text += "### Each factor on its own (ratio, median [min–max] over matched pairs)\n\n"
        let effectHeader = ["factor", "levels", "vCPUs", "pairs"] + Self.metrics.map(\.title)
        var effectRows: [[String]] = []
        for vcpus in vcpuCounts {
            for comparison in comparisons {
                let effects = Self.metrics.map { effect($0, vcpus: vcpus, pairs: comparison.reference) }
                guard let pairs = effects.compactMap({ $0?.count }).max() else { continue }
                effectRows.append([comparison.factor, comparison.levels, vcpuLabel(vcpus, cores: cores), String(pairs)]
                    + effects.map { $0?.text(decimals: 2, suffix: "×") ?? "–" })
            }
        }
        text += TextTable.render(header: effectHeader, rows: effectRows) + "\n\n"

        if let (perPage, bitmap) = bitmapQuestion() {
            text += "### What the bitmap adds on top of lockless (\(bitmap.base))\n\n"
            var questionRows: [[String]] = []
            for vcpus in vcpuCounts {
                for (name, configuration, driver) in [("lockless per-page", perPage, DriverLabel.perPage), ("lockless bitmap", bitmap, .bitmap)] {
                    questionRows.append([name, vcpuLabel(vcpus, cores: cores)] + Self.metrics.map {
                        spread($0, configuration, driver: driver, vcpus: vcpus)?.text(decimals: $0.decimals) ?? "–"
                    })
                }
                questionRows.append(["bitmap / per-page", vcpuLabel(vcpus, cores: cores)] + Self.metrics.map { metric in
                    effect(metric, vcpus: vcpus) { configuration, driver in
                        configuration == bitmap && driver == .bitmap ? (perPage, .perPage) : nil
                    }?.text(decimals: 2, suffix: "×") ?? "–"
                })
            }
            text += TextTable.render(header: ["", "vCPUs"] + Self.metrics.map(\.title), rows: questionRows) + "\n"
        }
        if vcpuCounts.contains(where: { $0 + 1 > cores }) {
            text += "\n\\* oversubscribed: vCPUs + the aging thread outnumber the \(cores) CPUs, so the scheduler "
                + "shares them and can preempt a lock holder.\n"
        }
        return text
    }

    private func vcpuLabel(_ vcpus: Int, cores: Int) -> String {
        vcpus + 1 > cores ? "\(vcpus)*" : String(vcpus)
    }
}
