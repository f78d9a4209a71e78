@testable import Bench
@testable import Results
import Foundation
import Testing

@Suite(.scratchCleanup) struct PlotTests {
    static func record(_ backend: String, vcpus: Int, memory: UInt64, aging: AgingLabel, repetition: Int, pass: Double, populate: Double) -> RunRecord {
        var record = RunRecord(backend: backend, variant: .standard)
        record.vcpus = vcpus
        record.memoryPerVCPUBytes = memory
        record.aging = aging
        record.repetition = repetition
        record.passAverageSeconds = aging == .on ? pass : 0
        record.agingPasses = aging == .on ? 4 : 0
        record.populateSeconds = populate
        record.faultP99Nanos = 2_000
        record.oversubscribed = vcpus > 1 ? 1 : 0
        return record
    }

    /// Each chart names its source and units, draws one dot per (series, category) with its
    /// range, and the slowdown is the matched on/off ratio.
    @Test func chartsCarrySourceUnitsAndOneDotPerPoint() throws {
        var records: [RunRecord] = []
        for repetition in 0..<3 {
            for backend in ["x86-tdp", "baseline"] {
                for vcpus in [1, 2] {
                    let pass = (backend == "baseline" ? 0.010 : 0.002) * Double(vcpus) * Double(repetition + 1)
                    records.append(Self.record(backend, vcpus: vcpus, memory: 1 << 27, aging: .on, repetition: repetition, pass: pass, populate: backend == "baseline" ? 3 : 1.5))
                    records.append(Self.record(backend, vcpus: vcpus, memory: 1 << 27, aging: .off, repetition: repetition, pass: 0, populate: 1))
                }
                records.append(Self.record(backend, vcpus: 1, memory: 1 << 29, aging: .on, repetition: repetition, pass: 0.008, populate: 1))
            }
        }
        let charts = ResultCharts.charts(records, source: "mine.csv", stem: "mine")
        #expect(charts.map(\.name) == [
            "mine-pass-vs-vcpus.svg", "mine-slowdown-vs-vcpus.svg", "mine-fault-p99-vs-vcpus.svg", "mine-pass-per-gib-vs-size.svg",
        ])
        for (_, chart) in charts {
            let svg = chart.render()
            #expect(svg.contains("source: mine.csv"))
            #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
            // One dot per point plus one per legend entry.
            let dots = svg.components(separatedBy: "<circle").count - 1
            #expect(dots == chart.series.reduce(0) { $0 + $1.points.count } + chart.series.count)
        }
        let slowdown = try #require(charts.first { $0.name.contains("slowdown") }?.chart)
        #expect(slowdown.yTitle.contains("(×)"))
        let baseline = try #require(slowdown.series.first { $0.name == "baseline" })
        #expect(baseline.points.allSatisfy { $0.spread.median == 3 && $0.spread.minimum == 3 })
        let pass = try #require(charts.first { $0.name == "mine-pass-vs-vcpus.svg" }?.chart)
        #expect(pass.yTitle.contains("ms") && pass.categories == ["1", "2*"])
        let tdp = try #require(pass.series.first { $0.name == "x86-tdp" }?.points.first)
        #expect(abs(tdp.spread.median - 4) < 1e-9 && abs(tdp.spread.minimum - 2) < 1e-9 && abs(tdp.spread.maximum - 6) < 1e-9)
        let perGiB = try #require(charts.first { $0.name.contains("per-gib") }?.chart)
        #expect(perGiB.categories == ["128M", "512M"])
    }

    @Test func plotCommandWritesFilesAndRefusesBadInput() throws {
        let directory = makeScratchDirectory()
        let csv = directory.appendingPathComponent("sweep.csv").path
        var records: [RunRecord] = []
        for vcpus in [1, 2] {
            records.append(Self.record("x86-tdp", vcpus: vcpus, memory: 1 << 20, aging: .on, repetition: 0, pass: 0.001, populate: 1))
        }
        try CSVWriter.document(records).write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(AgingBenchMain.run(["plot", csv, "--output-directory", directory.path]).0 == .success)
        let svg = try String(contentsOfFile: directory.appendingPathComponent("sweep-pass-vs-vcpus.svg").path, encoding: .utf8)
        #expect(svg.contains("sweep.csv"))
        #expect(AgingBenchMain.run(["plot", directory.appendingPathComponent("missing.csv").path, "--output-directory", directory.path]).0 == .badInput)
        let single = directory.appendingPathComponent("single.csv").path
        try CSVWriter.document([records[0]]).write(toFile: single, atomically: true, encoding: .utf8)
        #expect(AgingBenchMain.run(["plot", single, "--output-directory", directory.path]).0 == .badInput)
    }
}
