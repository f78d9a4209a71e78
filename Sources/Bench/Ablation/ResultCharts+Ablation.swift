import Results

extension ResultCharts {
    /// Every chart of a results file: the sweep's (`sweepCharts`) over its rows that are not
    /// ablation cells, then one pair of ablation charts per vCPU count.
    public static func charts(_ records: [RunRecord], source: String, stem: String) -> [(name: String, chart: SVGChart)] {
        let sweep = records.filter { AblationConfiguration(backend: $0.backend, variant: $0.variant) == nil }
        return sweepCharts(sweep, source: source, stem: stem) + ablationCharts(records, source: source, stem: stem)
    }

    /// The ablation grid as charts: aging time per page and populate time by configuration and driver.
    static func ablationCharts(_ records: [RunRecord], source: String, stem: String) -> [(String, SVGChart)] {
        let report = AblationReport(records: records)
        guard !report.isEmpty else { return [] }
        let configurations = report.configurations
        // One base backend: its name on every label would only crowd the axis.
        let oneBase = Set(configurations.map(\.base)).count == 1
        func label(_ configuration: AblationConfiguration) -> String {
            let short = "\(configuration.lock.rawValue) \(configuration.bitmap ? "+bitmap" : "-bitmap")"
            return oneBase ? short : "\(configuration.base) \(short)"
        }
        let categories = configurations.map(label)
        let baseNote = oneBase ? " Base: \(configurations[0].base)." : ""
        var charts: [(String, SVGChart)] = []
        for vcpus in report.vcpuCounts {
            let oversubscribed = report.records.contains { $0.vcpus == vcpus && $0.oversubscribed != 0 }
            let marker = oversubscribed ? "; oversubscribed: vCPUs + aging > CPUs" : ""
            for (metric, file, scale) in [(AblationReport.metrics[3], "pass", true), (AblationReport.metrics[1], "populate", false)] {
                let series = report.drivers.map { driver in
                    SVGChart.Series(name: "driver \(driver)", points: configurations.compactMap { configuration in
                        report.spread(metric, configuration, driver: driver, vcpus: vcpus)
                            .map { SVGChart.Point(category: label(configuration), spread: $0) }
                    })
                }
                var chart = SVGChart(
                    title: "Ablation: \(scale ? "aging time per page" : "populate time under aging") by aging lock × bitmap × driver, \(vcpus) vCPU\(vcpus == 1 ? "" : "s")",
                    source: source, xTitle: "configuration (base backend, aging lock, bitmap support)",
                    yTitle: scale ? "aging pass time per present page (ns, log scale)" : "populate time under aging (s)",
                    categories: categories, series: series, logY: scale,
                    note: "Median and min–max over repetitions\(marker).\(baseNote)")
                chart.connect = false
                charts.append(("\(stem)-ablation-\(file)-\(vcpus)vcpu.svg", chart))
            }
        }
        return charts
    }
}
