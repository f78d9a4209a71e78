import Foundation
import Testing
@testable import Bench
@testable import Results

/// What a new user following the README and the guide ran into, each pinned down.
@Suite(.scratchCleanup) struct FirstRunTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every committed run results file reads as records, whatever schema wrote it, with the rows
    /// `compare`'s reader sees; columns a file predates take what every run of its time had.
    @Test func everyCommittedResultsFileReadsAsRecords() throws {
        let results = Self.repository.appendingPathComponent("results")
        let files = try FileManager.default.contentsOfDirectory(atPath: results.path).filter { $0.hasSuffix(".csv") }.sorted()
        var schemas = Set<String>()
        for name in files {
            let path = results.appendingPathComponent(name).path
            let text = try String(contentsOfFile: path, encoding: .utf8)
            // Run results only: other committed CSVs (the C reference's, a sensitivity map's
            // points) have formats of their own.
            let header = text.prefix { $0 != "\n" }.split(separator: ",")
            guard header.first == "schema", header.contains("backend") else { continue }
            let records = try CSVWriter.records(text, what: name, olderSchemas: true)
            let table = try ResultTable.load(path: path)
            #expect(records.count == table.rows.count, "\(name)")
            #expect(zip(records, table.rows).allSatisfy { $0.backend == $1["backend"] && String($0.schema) == $1["schema"] }, "\(name)")
            if table.rows.first?["engine"] == nil { #expect(records.allSatisfy { $0.engine == .real }, "\(name)") }
            schemas.formUnion(table.rows.compactMap { $0["schema"] })
        }
        #expect(schemas.count >= 3, "the committed files span schemas \(schemas.sorted())")
    }

    @Test(arguments: ["findings.csv", "ablation-x86.csv", "reference.csv"])
    func theReadmesPlotCommandsWorkOnTheCommittedFiles(_ name: String) throws {
        let directory = makeScratchDirectory()
        let source = Self.repository.appendingPathComponent("results").appendingPathComponent(name).path
        let (status, errors) = try runBinary(["plot", source, "--output-directory", directory.path])
        #expect(status == 0, "\(errors)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).contains { $0.hasSuffix(".svg") })
        // The other spelling, the one `history plot` had, is an alias.
        let (aliasStatus, aliasErrors) = try runBinary(["plot", source, "--output-dir", directory.path])
        #expect(aliasStatus == 0, "\(aliasErrors)")
    }

    @Test func resumeStillRefusesAnOlderSchema() throws {
        let text = try String(contentsOfFile: Self.repository.appendingPathComponent("results/findings.csv").path, encoding: .utf8)
        #expect(throws: InputError.self) { try CSVWriter.records(text, what: "findings.csv") }
    }

    @Test func aCalibrationOnABusyMachineSaysSo() {
        let quiet = Calibrator.busySigns(loadAverage: 0.1, cpus: 2, threads: 2, bareRuns: [0.30, 0.31, 0.305], firstBare: 0.30, lastBare: 0.31)
        #expect(quiet.isEmpty)
        let loaded = Calibrator.busySigns(loadAverage: 1.9, cpus: 2, threads: 2, bareRuns: [0.30, 0.31], firstBare: 0.30, lastBare: 0.30)
        #expect(loaded.count == 1 && loaded[0].contains("load average 1.9"))
        let noisy = Calibrator.busySigns(loadAverage: nil, cpus: 2, threads: 2, bareRuns: [0.30, 0.45], firstBare: 0.30, lastBare: 0.30)
        #expect(noisy.count == 1 && noisy[0].contains("spread 1.5×"))
        let drifting = Calibrator.busySigns(loadAverage: nil, cpus: 2, threads: 2, bareRuns: [0.30, 0.31], firstBare: 0.30, lastBare: 0.40)
        #expect(drifting.count == 1 && drifting[0].contains("at the start"))
        #expect(Calibrator.busyWarning(loaded[0]).hasPrefix("agingbench: warning: the machine was busy"))
    }

    @Test func aNegativeTargetIsNamedNotMissing() throws {
        let (status, errors) = try runBinary(["calibrate", "--populate-s", "-1", "--output", makeScratchDirectory().appendingPathComponent("c.json").path])
        #expect(status == 2)
        #expect(errors.split(separator: "\n").filter { !$0.contains("DEBUG build") } == ["agingbench: error: invalid --populate-s '-1.0': expected seconds above 0"])
    }

    @Test func runHelpGivesTheRangeItAccepts() throws {
        let (status, help, _) = try runBinaryCapturing(["run", "--help"])
        #expect(status == 0)
        #expect(help.contains("0-100000"), "--rounds accepts 0 (populate only)")
        #expect(!help.contains("summary-names"), "the gate's internal option stays hidden")
    }

    @Test func progressSaysOnlyForAgingOnlyCells() throws {
        let settings: WorkloadSettings = {
            var settings = WorkloadSettings()
            settings.agingOnly = true
            return settings
        }()
        let runner = SweepRunner(plan: try SweepPlan(backends: ["x86-tdp"], memorySizes: [try ByteSize(parsing: "64K")], vcpuCounts: [1], aging: [true], repetitions: 1),
                                 settings: settings, context: GateMissingCellTests.context, quiet: true)
        let line = runner.progress(0, of: 1, since: 0, cell: try #require(runner.plan.cells.first))
        #expect(line.contains("aging:only"))
    }

    /// `baseline run` names the file its rows end up in, not the temporary one it deleted.
    @Test func theGatesSummaryNamesTheFileItWrote() throws {
        let directory = makeScratchDirectory()
        let output = directory.appendingPathComponent("gate.csv").path
        let (status, out, errors) = try runBinaryCapturing(["baseline", "run", "--sweep", "1", "--shard", "1/16", "--quiet", "--output", output])
        #expect(status == 0, "\(errors)")
        #expect(out.contains("every row is in \(output)"))
        #expect(!out.contains("agingbench-gate-"))
    }
}
