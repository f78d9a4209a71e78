import Foundation

/// A GitHub-flavoured Markdown summary of records, meant for stdout and pull-request comments.
///
/// Contract: one row per (backend, variant, memory, vCPUs, aging) in order of first appearance, so
/// a sweep's canonical order is kept; each number is the median over that row's repetitions, which
/// resists the odd disturbed run better than a mean, followed by its spread `[min–max]` when the
/// repetitions differ, because a median alone hides how far one run can stray on a shared machine.
/// `on/off` is the median populate time of an aging-on row divided by that of its aging-off twin
/// (same backend, memory and vCPUs). Numeric columns are right-aligned and cells are padded so the
/// table also reads well as plain text. The units are in the column headers. A row whose cells had
/// more runnable threads than CPUs shows its vCPU count with a `*`. Notes under the table say what
/// the numbers are (medians of how many repetitions) and, when given, which file holds every row.
public enum MarkdownTable {
    private struct Metric: Sendable {
        let title: String
        let decimals: Int
        /// Shown only when some record has a non-zero value (e.g. `vs limit` outside `--aging-only`).
        var whenPresent = false
        let extract: @Sendable (RunRecord) -> Double
    }

    private static let metrics: [Metric] = [
        Metric(title: "populate (s)", decimals: 3) { $0.populateSeconds },
        Metric(title: "vCPU wall (s)", decimals: 3) { $0.vcpuWallSeconds },
        Metric(title: "passes", decimals: 0) { Double($0.agingPasses) },
        Metric(title: "pass avg (ms)", decimals: 3) { $0.passAverageSeconds * 1e3 },
        Metric(title: "vs limit", decimals: 2, whenPresent: true) { $0.passVsLimit },
        Metric(title: "fault p99 (µs)", decimals: 1) { Double($0.faultP99Nanos) / 1e3 },
        Metric(title: "vCPU lock wait (ms)", decimals: 3) { Double($0.vcpuLockWaitNanos) / 1e6 },
        Metric(title: "evictions", decimals: 0, whenPresent: true) { Double($0.evictions) },
        Metric(title: "requests/s", decimals: 0, whenPresent: true) { $0.requestsPerSecond },
        Metric(title: "request p99.9 (µs)", decimals: 2, whenPresent: true) { Double($0.requestP999Nanos) / 1e3 },
        Metric(title: "non-A changes", decimals: 0) { Double($0.nonABitChanges) },
    ]

    /// The table and its notes, newline-terminated; a one-line note when there are no records.
    /// - Parameter source: the results file the rows were written to, named in a note.
    public static func render(_ records: [RunRecord], source: String? = nil) -> String {
        guard !records.isEmpty else { return "_no results_\n" }

        struct Key: Hashable {
            let backend: String
            let memory: UInt64
            let vcpus: Int
            let aging: AgingLabel
        }
        var order: [Key] = []
        var groups: [Key: [RunRecord]] = [:]
        for record in records {
            let key = Key(backend: record.backendLabel, memory: record.memoryPerVCPUBytes,
                          vcpus: record.vcpus, aging: record.aging)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(record)
        }

        let metrics = Self.metrics.filter { metric in
            !metric.whenPresent || records.contains { metric.extract($0) != 0 }
        }
        let titles = ["backend", "memory/vCPU", "vCPUs", "aging", "reps"] + metrics.map(\.title) + ["populate on/off"]
        let rightAligned = [false, true, true, false, true] + metrics.map { _ in true } + [true]
        func populateMedian(_ key: Key) -> Double? {
            guard let group = groups[key], !group.isEmpty else { return nil }
            return median(group.map(\.populateSeconds))
        }
        let rows: [[String]] = order.map { key in
            let group = groups[key] ?? []
            let labels: [String] = [
                escape(key.backend), ByteSize(uncheckedBytes: key.memory).description,
                String(key.vcpus), escape(key.aging.rawValue), String(group.count),
            ]
            var row = labels
            if group.contains(where: { $0.oversubscribed != 0 }) { row[2] += "*" }
            var ratio = "–"
            if key.aging == .on,
                let on = populateMedian(key),
                let off = populateMedian(Key(backend: key.backend, memory: key.memory, vcpus: key.vcpus, aging: .off)),
                off > 0
            {
                ratio = format(on / off, decimals: 2)
            }
            return row + metrics.map { metric in
                let values = group.map(metric.extract)
                let middle = format(median(values), decimals: metric.decimals)
                guard let low = values.min(), let high = values.max(), low != high else { return middle }
                return "\(middle) [\(format(low, decimals: metric.decimals))–\(format(high, decimals: metric.decimals))]"
            } + [ratio]
        }

        var table = TextTable.render(header: titles, rows: rows, rightAligned: rightAligned) + "\n"
        let counts = Set(order.map { groups[$0]?.count ?? 0 }).sorted()
        let repetitions = counts.count == 1 ? "\(counts[0])" : "\(counts.first!)–\(counts.last!)"
        table += "\nMedians of \(repetitions) repetition\(counts == [1] ? "" : "s") [min–max over them]"
            + (source.map { "; every row is in \($0)" } ?? "") + ".\n"
        if records.contains(where: { $0.oversubscribed != 0 }) {
            table += "\n\\* more runnable threads than CPUs: the scheduler shares CPUs and can preempt a lock "
                + "holder (a kernel rwlock holder never is), so waits in these rows measure the scheduler too.\n"
        }
        return table
    }

    /// The median: the middle value, or the mean of the two middle values for an even count.
    ///
    /// - Returns: NaN for an empty array, since there is no neutral value that would not look like a result.
    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    private static func format(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "–" }
        // An even number of repetitions can put a count's median halfway between two integers.
        if decimals == 0 && value != value.rounded() {
            return String(format: "%.1f", locale: nil, value)
        }
        return String(format: "%.\(decimals)f", locale: nil, value)
    }

    /// A pipe would end the cell early; newlines would end the row.
    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "\r", with: " ")
    }
}
