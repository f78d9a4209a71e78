import Foundation

/// The report's charts, built from results rows alone: aging pass time, vCPU slowdown and fault
/// p99 against vCPUs per backend, requests per second and request latency when rows served
/// requests, and pass time per GiB against guest size (the ablation's charts
/// are Bench's, which knows its grid).
///
/// Contract: every point is the median and range over a grid point's repetitions (or, for the
/// slowdown, over the ratios of matched aging-on and aging-off cells of one repetition); a chart
/// whose rows are absent is not made. Names are `<stem>-<chart>.svg`.
public enum ResultCharts {
    /// The charts of a sweep's rows: the vCPU axis and the size axis.
    ///
    /// - Parameters:
    ///   - records: sweep rows only; ablation cells would show as backends of their own.
    public static func sweepCharts(_ records: [RunRecord], source: String, stem: String) -> [(name: String, chart: SVGChart)] {
        var charts: [(name: String, chart: SVGChart)] = []
        charts += vcpuCharts(records, source: source, stem: stem)
        charts += requestCharts(records, source: source, stem: stem)
        if let chart = sizeChart(records, source: source) { charts.append(("\(stem)-pass-per-gib-vs-size.svg", chart)) }
        return charts
    }

    /// Backends (with their variant when not the default) in the order rows first name them.
    static func seriesNames(_ records: [RunRecord]) -> [String] {
        var seen = Set<String>()
        return records.map(\.backendLabel).filter { seen.insert($0).inserted }
    }

    static func vcpuCategory(_ vcpus: Int, _ records: [RunRecord]) -> String {
        records.contains { $0.vcpus == vcpus && $0.oversubscribed != 0 } ? "\(vcpus)*" : String(vcpus)
    }

    static func vcpuCharts(_ records: [RunRecord], source: String, stem: String) -> [(String, SVGChart)] {
        let on = records.filter { $0.aging == .on }
        // The memory size with the most vCPU counts (the largest on a tie) is the vCPU axis's.
        let sizes = Dictionary(grouping: on, by: \.memoryPerVCPUBytes).mapValues { Set($0.map(\.vcpus)).count }
        guard let memory = sizes.max(by: { ($0.value, $0.key) < ($1.value, $1.key) })?.key,
              let counts = sizes[memory], counts >= 2 else { return [] }
        let rows = on.filter { $0.memoryPerVCPUBytes == memory }
        let vcpus = Array(Set(rows.map(\.vcpus))).sorted()
        let categories = vcpus.map { vcpuCategory($0, rows) }
        let size = ByteSize(uncheckedBytes: memory).description
        let oversubscribed = rows.contains { $0.oversubscribed != 0 }
            ? "* more runnable threads (vCPUs + aging) than CPUs: oversubscribed. " : ""
        func series(_ value: (RunRecord) -> Double?) -> [SVGChart.Series] {
            seriesNames(rows).map { name in
                SVGChart.Series(name: name, points: vcpus.compactMap { count in
                    let values = rows.filter { $0.backendLabel == name && $0.vcpus == count }.compactMap(value)
                    return Spread(values).map { SVGChart.Point(category: vcpuCategory(count, rows), spread: $0) }
                })
            }
        }
        let pass = SVGChart(
            title: "Aging pass time vs vCPUs (\(size) per vCPU, aging during populate)", source: source,
            xTitle: "vCPUs", yTitle: "mean aging pass (ms, log scale)", categories: categories,
            series: series { $0.agingPasses > 0 ? $0.passAverageSeconds * 1e3 : nil }, logY: true,
            note: oversubscribed + "Median and min–max over repetitions.")
        let p99 = SVGChart(
            title: "Fault latency p99 vs vCPUs (\(size) per vCPU, aging on)", source: source,
            xTitle: "vCPUs", yTitle: "fault p99 (µs, log scale)", categories: categories,
            series: series { $0.faultP99Nanos > 0 ? Double($0.faultP99Nanos) / 1e3 : nil }, logY: true,
            note: oversubscribed + "Faults of the populate and access phases.")

        struct Match: Hashable { let backend: String; let vcpus: Int; let repetition: Int }
        var off: [Match: Double] = [:]
        for record in records where record.aging == .off && record.memoryPerVCPUBytes == memory {
            off[Match(backend: record.backendLabel, vcpus: record.vcpus, repetition: record.repetition)] = record.populateSeconds
        }
        let slowdownSeries = series { record in
            guard let base = off[Match(backend: record.backendLabel, vcpus: record.vcpus, repetition: record.repetition)], base > 0
            else { return nil }
            return record.populateSeconds / base
        }
        var charts = [("\(stem)-pass-vs-vcpus.svg", pass), ("\(stem)-fault-p99-vs-vcpus.svg", p99)]
        if slowdownSeries.contains(where: { !$0.points.isEmpty }) {
            var slowdown = SVGChart(
                title: "vCPU slowdown from aging vs vCPUs (\(size) per vCPU)", source: source,
                xTitle: "vCPUs", yTitle: "populate time, aging on / aging off (×)", categories: categories,
                series: slowdownSeries,
                note: oversubscribed + "Ratio within one repetition; populate is fault-bound, as the selftest's vCPU time.")
            slowdown.referenceY = 1
            charts.insert(("\(stem)-slowdown-vs-vcpus.svg", slowdown), at: 1)
        }
        return charts
    }

    static func sizeChart(_ records: [RunRecord], source: String) -> SVGChart? {
        // Passes over populated memory (--aging-only) when the file has them: a pass during
        // populate covers a guest still growing, so its mean grows with the populate time.
        let only = records.filter { $0.aging == .only && $0.vcpus == 1 && $0.agingPasses > 0 }
        let rows = only.isEmpty ? records.filter { $0.aging == .on && $0.vcpus == 1 && $0.agingPasses > 0 } : only
        let sizes = Array(Set(rows.map(\.memoryPerVCPUBytes))).sorted()
        guard sizes.count >= 2 else { return nil }
        let categories = sizes.map { ByteSize(uncheckedBytes: $0).description }
        let series = seriesNames(rows).map { name in
            SVGChart.Series(name: name, points: sizes.compactMap { size in
                let values = rows.filter { $0.backendLabel == name && $0.memoryPerVCPUBytes == size }
                    .map { $0.passAverageSeconds * 1e3 / (Double(size) / Double(1 << 30)) }
                return Spread(values).map { SVGChart.Point(category: ByteSize(uncheckedBytes: size).description, spread: $0) }
            })
        }
        return SVGChart(
            title: "Aging pass time per GiB vs guest size (1 vCPU, \(only.isEmpty ? "passes during populate" : "passes over populated memory"))",
            source: source, xTitle: "guest memory",
            yTitle: "mean aging pass per GiB of guest (ms/GiB, log scale)", categories: categories, series: series,
            logY: true, note: (only.isEmpty
                ? "Passes during populate cover a guest still growing: the mean pass rises with the populate time. "
                : "A flat line: a pass costs the same per page at every size. ") + "Median and min–max over repetitions.")
    }
}
