@testable import Bench
@testable import Results
import Backends
import Core
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `agingbench sensitivity`'s plumbing: the grid, the cells run at each point, the ratios made
/// from their rows, the CSV and the maps, and the refusals. Never the physics: the figures depend
/// on the engine's contention model, which these tests leave to the virtual engine's own.
@Suite(.scratchCleanup) struct SensitivityTests {
    static let pair = try! SensitivityPair(option: SensitivityPair.defaultOption)

    /// A tiny grid run with fixed engine costs (no calibration measured).
    static func tinyRun(_ grid: SensitivityGrid, jobs: Int = 1) throws -> [SensitivityResult] {
        var settings = VirtualEngineTests.settings(.virtual)
        settings.rounds = 0
        var runner = SensitivityRunner(
            grid: grid, pair: pair, memoryPerVCPU: try ByteSize(parsing: "64K"), settings: settings,
            context: VirtualEngineTests.context, quiet: true)
        runner.jobs = jobs
        return try runner.run()
    }

    @Test func theGridIsEveryVCPUCountShareAndLatencyOnce() throws {
        let grid = try SensitivityGrid(shares: "0.01,0.1,0.4", latencies: "20,80", vcpus: "1,4")
        let points = grid.points
        #expect(points.count == 3 * 2 * 2)
        #expect(Set(points).count == points.count)
        #expect(points.map(\.vcpus) == [1, 1, 1, 1, 1, 1, 4, 4, 4, 4, 4, 4], "vCPU-major")
        #expect(points.prefix(2).map(\.latencyNanos) == [20, 80], "latency innermost")
        let defaults = try SensitivityGrid(
            shares: SensitivityGrid.defaultShares, latencies: SensitivityGrid.defaultLatencies, vcpus: SensitivityGrid.defaultVCPUs)
        #expect(defaults.shares.count >= 5 && defaults.latencies.count >= 5 && defaults.vcpuCounts == [8, 32])
    }

    @Test func eachPointRunsItsThreeCellsAndItsRatiosAreTheRowsRatios() throws {
        let grid = try SensitivityGrid(shares: "0.05,0.4", latencies: "40,320", vcpus: "1,2")
        let results = try Self.tinyRun(grid)
        #expect(results.map(\.point) == grid.points)
        for result in results {
            let (on, lockless, off) = (result.writeLockedAging, result.locklessAging, result.writeLockedNoAging)
            #expect([on.backend, lockless.backend, off.backend] == ["baseline", "x86-tdp", "baseline"])
            #expect([on.aging, lockless.aging, off.aging] == [.on, .on, .off])
            #expect(result.records.allSatisfy { $0.vcpus == result.point.vcpus && $0.engine == .virtual && $0.repetition == 0 })
            if on.agingPasses > 0 && lockless.agingPasses > 0 {
                #expect(result.passRatio == on.passAverageSeconds / lockless.passAverageSeconds)
            } else {
                #expect(result.passRatio == nil)
            }
            #expect(result.populateRatio == on.populateSeconds / off.populateSeconds)
        }
        #expect(results.contains { $0.passRatio != nil }, "the tiny run finishes aging passes")
    }

    @Test func cellsOnWorkerThreadsGiveTheSerialRunsRows() throws {
        let grid = try SensitivityGrid(shares: "0.05,0.4", latencies: "40,320", vcpus: "1,3")
        let serial = try Self.tinyRun(grid), parallel = try Self.tinyRun(grid, jobs: 3)
        #expect(serial.map(\.point) == parallel.map(\.point))
        #expect(serial.flatMap(\.records).map(CSVWriter.row) == parallel.flatMap(\.records).map(CSVWriter.row))
    }

    @Test func theCSVHasItsColumnsAndOneRowPerPointWhoseRatiosMatchItsFigures() throws {
        let grid = try SensitivityGrid(shares: "0.1,0.2", latencies: "20,40,80", vcpus: "2")
        let report = SensitivityReport(grid: grid, pair: Self.pair, memoryPerVCPU: try ByteSize(parsing: "64K"), results: try Self.tinyRun(grid))
        let text = report.csv()
        #expect(try CSVWriter.parse(text).first == SensitivityReport.columns)
        let rows = try csvRows(text)
        #expect(rows.count == grid.points.count)
        for (row, point) in zip(rows, grid.points) {
            #expect(row["schema"] == String(SensitivityReport.schemaVersion))
            #expect(Int(row["vcpus"] ?? "") == point.vcpus)
            #expect(Double(row["mmu_lock_share"] ?? "") == point.share)
            #expect(Double(row["line_transfer_ns"] ?? "") == point.latencyNanos)
            #expect(row["write_locked"] == "baseline" && row["lockless"] == "x86-tdp" && row["memory_per_vcpu"] == "64K")
            func number(_ column: String) -> Double { Double(row[column] ?? "") ?? .nan }
            let pass = number("write_locked_pass_ms") / number("lockless_pass_ms")
            if row["pass_ratio"] != "" {
                #expect(abs(number("pass_ratio") / pass - 1) < 1e-4, "\(row)")
            }
            #expect(abs(number("populate_ratio") / (number("populate_aging_s") / number("populate_no_aging_s")) - 1) < 1e-4, "\(row)")
        }
    }

    @Test func oneMapPerVCPUCountAndRatioWithOneCellPerPoint() throws {
        let grid = try SensitivityGrid(shares: "0.1,0.2,0.4", latencies: "20,40", vcpus: "1,2")
        let report = SensitivityReport(grid: grid, pair: Self.pair, memoryPerVCPU: try ByteSize(parsing: "64K"), results: try Self.tinyRun(grid))
        let maps = report.heatMaps(source: "s.csv", stem: "s", note: "")
        #expect(maps.map(\.name).sorted() == ["s-pass-1vcpu.svg", "s-pass-2vcpu.svg", "s-populate-1vcpu.svg", "s-populate-2vcpu.svg"])
        for map in maps {
            let svg = map.chart.render()
            let parser = XMLParser(data: Data(svg.utf8))
            #expect(parser.parse(), "\(map.name) is well-formed XML")
            #expect(svg.components(separatedBy: "class=\"cell\"").count - 1 == grid.shares.count * grid.latencies.count)
            // The title names the backends the ratio divides, and the vCPUs; the axes their units.
            #expect(svg.contains("baseline") && svg.contains("vCPUs") && svg.contains("(ns)") && svg.contains("(%)"))
            if map.name.contains("-pass-") {
                #expect(svg.contains("x86-tdp"))
                #expect(svg.components(separatedBy: " passes<").count - 1 == grid.shares.count * grid.latencies.count, "each ratio says its passes")
            }
        }
    }

    @Test func theCommandWritesTheCSVAndEveryMapBesideIt() throws {
        let directory = makeScratchDirectory()
        let calibration = try VirtualEngineTests.calibrationFixture(in: directory)
        let output = directory.appendingPathComponent("map.csv").path
        let (status, _) = AgingBenchMain.run([
            "sensitivity", "--calibration", calibration, "--shares", "0.1,0.3", "--latencies", "50,100,200",
            "--vcpus", "1,2", "--memory", "64K", "--quiet", "--output", output,
        ])
        #expect(status == .success)
        let rows = try csvRows(String(contentsOfFile: output, encoding: .utf8))
        #expect(rows.count == 2 * 3 * 2)
        #expect(rows.allSatisfy { $0["calibration"] == "fixture" && $0["machine"] == "host" && $0["placement"] == "spread" })
        for name in ["map-pass-1vcpu.svg", "map-pass-2vcpu.svg", "map-populate-1vcpu.svg", "map-populate-2vcpu.svg"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path), "\(name)")
        }
    }

    static let badInputs: [[String]] = [
        ["--shares", "0"], ["--shares", "1.5"], ["--shares", "-0.1"], ["--shares", "x"], ["--shares", ""],
        ["--shares", "0.1,0.1"], ["--shares", (1...21).map { String(Double($0) / 25) }.joined(separator: ",")],
        ["--latencies", "0"], ["--latencies", "-5"], ["--latencies", ""], ["--latencies", "nan"],
        ["--latencies", (1...21).map(String.init).joined(separator: ",")],
        ["--vcpus", "0"], ["--vcpus", ""], ["--vcpus", "999"],
        ["--backends", "baseline,nope"], ["--backends", "x86-tdp,baseline"], ["--backends", "baseline,arm64-stage2"],
        ["--backends", "baseline"], ["--backends", "baseline,x86-tdp,x86-shadow"],
        ["--memory", "0"], ["--memory", "-1G"], ["--rounds", "-1"], ["--costs", "raw"], ["--costs", "host-only"],
        ["--output", ""], ["--output", "-"], ["--calibration", ""], ["--bogus"], ["--machine", "nowhere"], ["--placement", "x"], ["--jobs", "0"],
    ]

    @Test(arguments: badInputs)
    func badInputIsOneLineAndExitTwo(_ extra: [String]) throws {
        let directory = makeScratchDirectory()
        let output = directory.appendingPathComponent("never.csv").path
        let arguments = ["sensitivity", "--output", output] + extra
        let (status, errors) = try runBinary(arguments)
        #expect(status == 2, "\(extra)")
        let lines = errors.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1, "\(extra): \(errors)")
        #expect(lines.first?.hasPrefix("agingbench: error: ") == true, "\(extra): \(errors)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
