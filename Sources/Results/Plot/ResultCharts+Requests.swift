import Foundation

extension ResultCharts {
    /// The percentiles a request latency chart shows, left to right, with their columns: the
    /// percentile distribution HdrHistogram plots, on a categorical "nines" axis.
    static let requestPercentiles: [(label: String, value: @Sendable (RunRecord) -> UInt64)] = [
        ("p50", \.requestP50Nanos), ("p90", \.requestP90Nanos), ("p99", \.requestP99Nanos),
        ("p99.9", \.requestP999Nanos), ("p99.99", \.requestP9999Nanos), ("max", \.requestMaxNanos),
    ]

    /// The request workload's charts, when rows served requests: requests per second against
    /// vCPUs per backend, and per vCPU count the latency distribution per backend.
    ///
    /// Contract: only rows with requests count; the vCPU axis is the memory size with the most
    /// vCPU counts, as `vcpuCharts`; a point is the median and range over repetitions.
    static func requestCharts(_ records: [RunRecord], source: String, stem: String) -> [(String, SVGChart)] {
        let served = records.filter { $0.requests > 0 }
        let sizes = Dictionary(grouping: served, by: \.memoryPerVCPUBytes).mapValues { Set($0.map(\.vcpus)).count }
        guard let memory = sizes.max(by: { ($0.value, $0.key) < ($1.value, $1.key) })?.key else { return [] }
        let rows = served.filter { $0.memoryPerVCPUBytes == memory }
        let vcpus = Array(Set(rows.map(\.vcpus))).sorted()
        let size = ByteSize(uncheckedBytes: memory).description
        let workload = rows.first?.requestWorkload ?? ""
        let pressure = rows.first.map { $0.hostMemoryPages > 0
            ? "Guests \(String(format: "%.2f", Double($0.memoryPerVCPUBytes) / 4096 * Double($0.vcpus) / Double($0.hostMemoryPages)))× the host's memory, swap \($0.swap). "
            : "No memory pressure. " } ?? ""
        let oversubscribed = rows.contains { $0.oversubscribed != 0 }
            ? "* more runnable threads (vCPUs + aging) than CPUs: oversubscribed. " : ""
        var charts: [(String, SVGChart)] = []
        if vcpus.count >= 2 {
            let categories = vcpus.map { vcpuCategory($0, rows) }
            let series = seriesNames(rows).map { name in
                SVGChart.Series(name: name, points: vcpus.compactMap { count in
                    Spread(rows.filter { $0.backendLabel == name && $0.vcpus == count }.map { $0.requestsPerSecond / 1e6 })
                        .map { SVGChart.Point(category: vcpuCategory(count, rows), spread: $0) }
                })
            }
            charts.append(("\(stem)-requests-vs-vcpus.svg", SVGChart(
                title: "Requests per second vs vCPUs (\(workload), \(size) per vCPU)", source: source,
                xTitle: "vCPUs", yTitle: "requests per second (millions, all vCPUs)", categories: categories,
                series: series, note: oversubscribed + pressure + "Median and min–max over repetitions; the measured phase's wall time.")))
        }
        for count in vcpus {
            let cell = rows.filter { $0.vcpus == count }
            let series = seriesNames(cell).map { name in
                SVGChart.Series(name: name, points: requestPercentiles.compactMap { percentile in
                    Spread(cell.filter { $0.backendLabel == name }.map { Double(percentile.value($0)) / 1e3 }.filter { $0 > 0 })
                        .map { SVGChart.Point(category: percentile.label, spread: $0) }
                })
            }
            charts.append(("\(stem)-request-latency-\(count)vcpu.svg", SVGChart(
                title: "Request latency, \(count) vCPUs (\(workload), \(size) per vCPU)", source: source,
                xTitle: "percentile", yTitle: "request latency (µs, log scale)",
                categories: requestPercentiles.map(\.label), series: series, logY: true,
                note: oversubscribed + pressure + "HdrHistogram percentiles of every request of every vCPU, from its first access issued to its last completed.")))
        }
        return charts
    }
}
