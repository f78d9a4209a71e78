import Foundation
import Testing
@testable import Bench
@testable import Results

private func entry(_ commit: String, _ backend: String, _ median: Double, metric: String = "notifier_calls_per_pass") -> HistoryEntry {
    let row = ResultRow(["backend": backend, "variant": "default", "memory_per_vcpu_bytes": "262144", "vcpus": "1", "aging": "only"])
    return HistoryEntry(commit: commit, date: "2026-01-01T00:00:00Z", cell: CellKey(row: row, columns: ["backend", "variant", "memory_per_vcpu_bytes", "vcpus", "aging"]),
                        metric: metric, unit: "calls/pass", median: median, repetitions: 8)
}

@Suite(.scratchCleanup) struct HistoryTests {
    @Test func appendRecordsMediansPerCellAndMetricAndReplacesARepeatedCommit() throws {
        let directory = makeScratchDirectory()
        let results = directory.appendingPathComponent("r.csv").path, history = directory.appendingPathComponent("h.csv").path
        #expect(runTinySweep(output: results) == .success)
        for commit in ["aaa", "bbb", "aaa"] {
            #expect(AgingBenchMain.run(["history", "append", results, "--commit", commit, "--history", history]).0 == .success)
        }
        let entries = try HistoryFile.load(path: history)
        // aaa appended again replaces its lines and moves after bbb.
        #expect(entries.first?.commit == "bbb" && entries.last?.commit == "aaa")
        #expect(entries.filter { $0.commit == "aaa" }.count == entries.filter { $0.commit == "bbb" }.count)
        let file = try ResultTable.load(path: results)
        let populate = try #require(entries.first { $0.metric == "populate_s" && $0.cell.value("backend") == "x86-tdp" && $0.cell.value("aging") == "off" })
        let values = file.rows.filter {
            $0["backend"] == "x86-tdp" && $0["aging"] == "off" && $0["vcpus"] == populate.cell.value("vcpus")
                && $0["memory_per_vcpu_bytes"] == populate.cell.value("memory_per_vcpu_bytes")
        }.compactMap { $0.number("populate_s") }
        #expect(populate.median == MarkdownTable.median(values) && populate.repetitions == values.count)
    }

    @Test func changePointsMarkTheFirstCommitOfALastingShift() {
        let chart = TrendChart(metric: "m", summary: "s", unit: "×", entries: [], changeThreshold: 0.05)
        // One disturbed run is not a change.
        let noisy = [10.0, 10.1, 9.9, 10.0, 19, 10.05, 9.95, 10].enumerated().map { TrendChart.Point(x: $0.offset, value: $0.element) }
        #expect(chart.changePoints(noisy).isEmpty)
        let flat = [10.0, 10.1, 9.9, 10.0, 10.05].enumerated().map { TrendChart.Point(x: $0.offset, value: $0.element) }
        #expect(chart.changePoints(flat).isEmpty)
        let step = [10.0, 10, 10, 12, 12, 12, 12].enumerated().map { TrendChart.Point(x: $0.offset, value: $0.element) }
        let found = chart.changePoints(step)
        #expect(found.count == 1 && found.first?.index == 3 && abs((found.first?.change ?? 0) - 0.2) < 1e-9)
    }

    @Test func chartHasAxesUnitsALegendLineAndChangeMarks() throws {
        let entries = ["c1", "c2", "c3", "c4", "c5", "c6"].enumerated().flatMap { index, commit in
            [entry(commit, "x86-tdp", 8), entry(commit, "baseline", index < 3 ? 512 : 640)]
        }
        let svg = TrendChart(metric: "notifier_calls_per_pass", summary: "calls", unit: "calls/pass", entries: entries, changeThreshold: 0.05).svg()
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains(">x86-tdp 8</text>") && svg.contains(">baseline 640</text>"))
        #expect(svg.contains("(calls/pass)") && svg.contains("(log scale)") && svg.contains("commit (oldest → newest)"))
        #expect(svg.contains("+25%") && svg.contains("stroke-dasharray"))
        #expect(TrendChart.ticks(low: 0.93, high: 1.12).count >= 3)
    }

    @Test func plotWritesOneChartPerMetricAndRefusesAnEmptyHistory() throws {
        let directory = makeScratchDirectory()
        let history = directory.appendingPathComponent("h.csv").path
        try HistoryFile.document(existing: [], adding: [entry("a", "x86-tdp", 1), entry("b", "x86-tdp", 2),
                                                        entry("a", "x86-tdp", 3, metric: "pass_vs_limit")])
            .write(toFile: history, atomically: true, encoding: .utf8)
        #expect(AgingBenchMain.run(["history", "plot", "--history", history, "--output-dir", directory.path]).0 == .success)
        for metric in ["notifier_calls_per_pass", "pass_vs_limit"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("\(metric).svg").path))
        }
        let (status, errors) = try runBinary(["history", "plot", "--history", directory.appendingPathComponent("none.csv").path,
                                              "--output-dir", directory.path])
        #expect(status == 2 && errors.split(separator: "\n").count == 1)
    }
}
