import Foundation
import Results

/// What `agingbench sensitivity` writes: the CSV of every point, the ratio tables on stdout and
/// one heat map per vCPU count and ratio.
///
/// Contract: the CSV has a header and one row per grid point, in the grid's order, every row
/// carrying `schemaVersion`; numbers are in the C locale; a ratio that could not be formed is an
/// empty field. A heat map has latencies along x (as given), shares along y (as given, the first
/// at the bottom) and one cell per (share, latency) of its vCPU count.
struct SensitivityReport {
    /// The version of the CSV's columns; raised when a column changes meaning or goes away.
    static let schemaVersion = 1

    static let columns = [
        "schema", "vcpus", "mmu_lock_share", "line_transfer_ns", "write_locked", "lockless", "memory_per_vcpu",
        "pass_ratio", "populate_ratio",
        "write_locked_pass_ms", "lockless_pass_ms", "write_locked_passes", "lockless_passes",
        "populate_aging_s", "populate_no_aging_s", "lockless_populate_s",
        "vcpu_lock_wait_ms", "vcpu_lock_contended", "lockless_vcpu_lock_wait_ms", "lockless_vcpu_lock_contended",
        "machine", "placement", "calibration", "commit",
    ]

    let grid: SensitivityGrid
    let pair: SensitivityPair
    let memoryPerVCPU: ByteSize
    let results: [SensitivityResult]

    /// The CSV document: header, then one row per point.
    func csv() -> String {
        var lines = [Self.columns.joined(separator: ",")]
        for result in results {
            let on = result.writeLockedAging, lockless = result.locklessAging, off = result.writeLockedNoAging
            let fields: [String] = [
                String(Self.schemaVersion), String(result.point.vcpus), SensitivityGrid.text(result.point.share),
                SensitivityGrid.text(result.point.latencyNanos), pair.writeLocked.name, pair.lockless.name,
                memoryPerVCPU.description,
                result.passRatio.map(Self.number) ?? "", result.populateRatio.map(Self.number) ?? "",
                Self.number(on.passAverageSeconds * 1e3), Self.number(lockless.passAverageSeconds * 1e3),
                String(on.agingPasses), String(lockless.agingPasses),
                Self.number(on.populateSeconds), Self.number(off.populateSeconds), Self.number(lockless.populateSeconds),
                Self.number(Double(on.vcpuLockWaitNanos) / 1e6), String(on.vcpuLockContended),
                Self.number(Double(lockless.vcpuLockWaitNanos) / 1e6), String(lockless.vcpuLockContended),
                Self.field(on.machine), Self.field(on.placement), Self.field(on.calibration), Self.field(on.commit),
            ]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Six significant digits in the C locale: enough to recompute a ratio from its figures.
    static func number(_ value: Double) -> String { value.formatted(significant: 6) }

    /// A free-text field quoted when it holds a comma, a quote or a line break (RFC 4180).
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The results of one vCPU count as `values[share][latency]`, in the grid's order.
    func values(vcpus: Int, ratio: SensitivityRatio) -> [[Double?]] {
        grid.shares.map { share in
            grid.latencies.map { latency in
                results.first { $0.point == SensitivityGrid.Point(vcpus: vcpus, share: share, latencyNanos: latency) }?.ratio(ratio)
            }
        }
    }

    /// What each pass ratio is over, printed under it: the two cells' aging passes (a mean over
    /// one pass, as at many vCPUs when a write-locked pass outlasts populate, is one sample).
    func passCounts(vcpus: Int) -> [[String]] {
        grid.shares.map { share in
            grid.latencies.map { latency in
                guard let result = results.first(where: {
                    $0.point == SensitivityGrid.Point(vcpus: vcpus, share: share, latencyNanos: latency)
                }) else { return "" }
                return "\(result.writeLockedAging.agingPasses) / \(result.locklessAging.agingPasses) passes"
            }
        }
    }

    /// The file name of a map beside the CSV: `<stem>-<ratio>-<n>vcpu.svg`.
    static func chartName(stem: String, ratio: SensitivityRatio, vcpus: Int) -> String {
        "\(stem)-\(ratio.rawValue)-\(vcpus)vcpu.svg"
    }

    /// One heat map per vCPU count and ratio, with the file name each goes to.
    func heatMaps(source: String, stem: String, note: String) -> [(name: String, chart: HeatMapChart)] {
        grid.vcpuCounts.flatMap { vcpus in
            SensitivityRatio.allCases.map { ratio in
                var chart = HeatMapChart(
                    title: "\(ratio.describe(writeLocked: pair.writeLocked.name, lockless: pair.lockless.name)), \(vcpus) vCPUs",
                    source: source,
                    xTitle: "cache-line transfer latency (ns)",
                    yTitle: "mmu_lock share of a fault (%)",
                    columns: grid.latencies.map(SensitivityGrid.text),
                    rows: grid.shares.map(Self.percent),
                    values: values(vcpus: vcpus, ratio: ratio),
                    note: ratio == .pass ? note + " Under each ratio: the aging passes of each mean (write-locked / lockless)." : note)
                if ratio == .pass { chart.cellNotes = passCounts(vcpus: vcpus) }
                chart.aboveMeaning = ratio.aboveMeaning
                chart.belowMeaning = ratio.belowMeaning
                return (Self.chartName(stem: stem, ratio: ratio, vcpus: vcpus), chart)
            }
        }
    }

    /// A share as a percentage with no trailing zeros ("1", "12.5").
    static func percent(_ share: Double) -> String {
        let value = (share * 100 * 1000).rounded() / 1000
        return SensitivityGrid.text(value)
    }

    /// The ratio tables for stdout: per vCPU count and ratio, shares down, latencies across.
    func summary(csvPath: String, chartPaths: [String]) -> String {
        var text = "# Sensitivity: \(pair.writeLocked.name) (write-locked aging) vs \(pair.lockless.name) (lockless), "
            + "\(memoryPerVCPU) per vCPU\n"
        for vcpus in grid.vcpuCounts {
            for ratio in SensitivityRatio.allCases {
                text += "\n## \(vcpus) vCPUs: \(ratio.describe(writeLocked: pair.writeLocked.name, lockless: pair.lockless.name))\n\n"
                text += "| share \\ line ns | " + grid.latencies.map(SensitivityGrid.text).joined(separator: " | ") + " |\n"
                text += "|---|" + String(repeating: "---:|", count: grid.latencies.count) + "\n"
                for (share, row) in zip(grid.shares, values(vcpus: vcpus, ratio: ratio)) {
                    let cells = row.map { $0.map { String(format: "%.2f", locale: nil, $0) } ?? "n/a" }
                    text += "| \(Self.percent(share))% | " + cells.joined(separator: " | ") + " |\n"
                }
            }
        }
        text += "\nRows: \(csvPath)\n"
        if !chartPaths.isEmpty { text += "Maps: " + chartPaths.joined(separator: ", ") + "\n" }
        return text
    }
}
