import Foundation
import Testing
@testable import Bench
@testable import Results

private func record(_ backend: String, repetition: Int, aging: AgingLabel = .on) -> RunRecord {
    RunRecord(
        timestamp: "2024-04-02T13:45:07Z", commit: "abc1234", host: "h", cpu: "c", cores: 2, build: "release",
        backend: backend, variant: .standard, memoryPerVCPUBytes: 1 << 16, vcpus: 1, aging: aging, pattern: "uniform",
        writePercent: 20, seed: 1, repetition: repetition, populateSeconds: 0.25, vcpuWallSeconds: 0.5,
        accesses: 32, faults: 16, agingPasses: aging == .off ? 0 : 3, passAverageSeconds: 0.001, notifierCalls: 4,
        ptBytes: 16384)
}

private let context = RunContext(
    commit: "abc1234", host: "h", cpuModel: "c", cores: 2, build: "release", timestamp: "2024-04-02T13:45:07Z", executable: "e")

@Suite struct ReaderTests {
    @Test func csvRecordsReadBackWhatTheWriterWrote() throws {
        let records = [record("x86-tdp", repetition: 0), record("baseline", repetition: 1, aging: .off)]
        let text = CSVWriter.document(records)
        #expect(try CSVWriter.records(text, what: "f") == records)
        // Concatenated shard outputs repeat the header.
        #expect(try CSVWriter.records(text + text, what: "f") == records + records)
    }

    @Test(arguments: [
        "", "a,b\n", "schema\n", String(CSVWriter.header().dropLast(3)) + "\n",
        CSVWriter.header() + "\n1,2\n", CSVWriter.header() + "\n" + String(repeating: "x,", count: RunRecord.columns.count - 1) + "x\n",
        CSVWriter.header() + "\n\"open",
    ])
    func csvThatIsNotResultsThrowsOneLine(_ text: String) {
        do {
            _ = try CSVWriter.records(text, what: "f")
            Issue.record("accepted \(text)")
        } catch {
            #expect(!error.message.contains("\n") && error.message.hasPrefix("f: "))
        }
    }

    @Test func jsonReadsBackEverythingItsRenderingUses() throws {
        var odd = record("x86-tdp", repetition: 1)
        odd.variant = .accessTrackingOff
        odd.passAverageSeconds = .nan
        let records = [record("x86-tdp", repetition: 0), record("baseline", repetition: 0, aging: .off), odd]
        let sweep = SweepIdentity([SweepIdentity.Field(name: "pattern", value: "uniform"), SweepIdentity.Field(name: "seed", value: "1")])
        let mark = IncompleteMarker(signal: "SIGINT", cellsDone: 3, cellsTotal: 8)
        let text = GoogleBenchmarkJSON.render(records, context: context, sweep: sweep, incomplete: mark)
        let contents = try GoogleBenchmarkJSON.read(text, what: "f")
        #expect(contents.incomplete == mark)
        #expect(contents.sweep.flatMap { sweep.mismatch(with: $0) } == nil)
        #expect(contents.records.count == 3)
        #expect(GoogleBenchmarkJSON.render(contents.records, context: context, sweep: sweep, incomplete: mark) == text)
        #expect(contents.records[2].variant == .accessTrackingOff && contents.records[2].passAverageSeconds.isNaN)
        #expect(contents.records[0].seed == 1 && contents.records[0].pattern == "uniform")
    }

    @Test(arguments: [
        "", "[]", "{}", "{\"context\": {}, \"benchmarks\": [1]}", "{\"context\": {}, \"benchmarks\": [{\"name\": \"x\"}]}",
        "{\"context\": {\"sweep\": {\"a\": 1}}, \"benchmarks\": []}",
        "{\"context\": {\"incomplete\": {\"cells_done\": 5, \"cells_total\": 2, \"interrupted_by\": \"SIGINT\"}}, \"benchmarks\": []}",
        "{\"context\": {}, \"benchmarks\": [{\"name\": \"a/64K/vcpus:1/aging:on\", \"vcpus\": true}]}",
    ])
    func jsonThatIsNotResultsThrowsOneLine(_ text: String) {
        do {
            _ = try GoogleBenchmarkJSON.read(text, what: "f")
            Issue.record("accepted \(text)")
        } catch {
            #expect(!error.message.contains("\n") && error.message.hasPrefix("f"))
        }
    }

    @Test func theSidecarReadsBackAndMismatchesAreNamed() throws {
        let sweep = SweepIdentity([
            SweepIdentity.Field(name: "memory", value: "1G"), SweepIdentity.Field(name: "commit", value: "abc"),
        ])
        let mark = IncompleteMarker(signal: "SIGTERM", cellsDone: 1, cellsTotal: 2)
        let (readMark, readSweep) = try IncompleteMarker.readSidecar(mark.sidecarText(sweep: sweep), what: "m")
        #expect(readMark == mark)
        #expect(sweep.mismatch(with: readSweep) == nil)
        let other = SweepIdentity([
            SweepIdentity.Field(name: "memory", value: "1G"), SweepIdentity.Field(name: "commit", value: "def\nghi"),
        ])
        #expect(other.mismatch(with: sweep) == "commit differs: the file has abc, this run has def ghi")
        #expect(throws: InputError.self) { try IncompleteMarker.readSidecar("{\"incomplete\": 1}", what: "m") }
    }

    @Test func inputErrorsStayOneLine() {
        #expect(InputError("a\nb\r\nc").message == "a\\nb\\r\\nc")
    }
}

/// The two readers of a results file (merge and resume's typed one, compare's loose one) refuse
/// what is not a results file alike, before either parses anything.
@Suite(.scratchCleanup) struct ResultsInputTests {
    @Test func bothReadersRefuseTheSameInputsWithTheSameLine() throws {
        let directory = makeScratchDirectory()
        func file(_ name: String, _ bytes: [UInt8]) -> String {
            let path = directory.appendingPathComponent(name).path
            #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            return path
        }
        let inputs: [(path: String, says: String)] = [
            (directory.appendingPathComponent("missing.csv").path, "no such file"),
            (directory.path, "cannot be read as a file"),
            (file("empty.csv", []), "the file is empty"),
            (file("blank.csv", Array(" \n\t\r\n".utf8)), "the file is empty"),
            (file("nul.csv", Array("schema,backend\n".utf8) + [0]), "binary data"),
            (file("latin1.csv", [0x73, 0xE9, 0x0A]), "binary data"),
        ]
        for (path, says) in inputs {
            let typed = #expect(throws: InputError.self) { try ResultsFile.read(path: path) }
            let loose = #expect(throws: InputError.self) { try ResultTable.load(path: path) }
            #expect(typed?.message.hasPrefix("'\(path)': \(says)") == true, "\(path)")
            #expect(typed?.message == loose?.message, "\(path)")
        }
    }

    @Test func bothReadersTellJSONFromCSVByContent() throws {
        let directory = makeScratchDirectory()
        let records = [record("x86-tdp", repetition: 0)]
        let json = directory.appendingPathComponent("results.csv").path
        let csv = directory.appendingPathComponent("results.json").path
        #expect(FileManager.default.createFile(atPath: json, contents: Data(("\u{FEFF}\n " + GoogleBenchmarkJSON.render(records, context: context)).utf8)))
        #expect(FileManager.default.createFile(atPath: csv, contents: Data(CSVWriter.document(records).utf8)))
        #expect(try ResultsFile.read(path: json).format == .json)
        #expect(try ResultsFile.read(path: csv).format == .csv)
        #expect(try ResultTable.load(path: json).rows.first?["backend"] == "x86-tdp")
        #expect(try ResultTable.load(path: csv).rows.first?["backend"] == "x86-tdp")
    }
}

@Suite struct EstimateTests {
    @Test func theEstimateGrowsWithTheWorkAndReadsInUnits() throws {
        let cells = try SweepPlan(
            backends: ["x86-tdp"], memorySizes: [ByteSize(parsing: "1G")], vcpuCounts: [1], aging: [true], repetitions: 1
        ).cells
        var settings = WorkloadSettings()
        settings.agingOnly = true
        settings.agingOnlyPasses = 5
        let short = SweepEstimate.seconds(cells: cells, settings: settings)
        settings.agingOnlyPasses = 100_000
        let long = SweepEstimate.seconds(cells: cells, settings: settings)
        #expect(short < SweepEstimate.longSeconds && long > SweepEstimate.longSeconds)
        // A calibrated fault costs its remainder: 1 GiB of faults at 3 µs is most of a second.
        var calibrated = WorkloadSettings()
        calibrated.rounds = 0
        calibrated.costs = CostModel(hostSide: true, faultRemainderNanos: 3000, agingRemainderNanosPerPage: 0, source: "test")
        let populate = SweepEstimate.seconds(cells: cells, settings: calibrated)
        #expect(populate > 0.262_144 * 3 && populate < 2)
        calibrated.costs = .raw
        #expect(SweepEstimate.seconds(cells: cells, settings: calibrated) < populate / 10)
        #expect(SweepEstimate.describe(seconds: 45) == "45s")
        #expect(SweepEstimate.describe(seconds: 725) == "12m 5s")
        #expect(SweepEstimate.describe(seconds: 3 * 3600 + 20 * 60) == "3h 20m")
        #expect(SweepEstimate.describe(seconds: .infinity) == "forever")
    }

    @Test func versionNamesTheSuiteAndCommit() {
        let (status, line) = AgingBenchMain.run(["--version"])
        #expect(status == .success)
        #expect(line.hasPrefix("agingbench \(AgingBench.version) (commit ") && line.hasSuffix(")"))
    }
}
