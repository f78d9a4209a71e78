@testable import Bench
@testable import Results
import Foundation
import Testing

/// `agingbench merge`: shards of one sweep back into the whole, and everything else refused.
@Suite(.scratchCleanup) struct MergeTests {
    /// Runs the tiny sweep as `count` shards in `format`; returns the shard files.
    func shards(_ count: Int, format: String, directory: URL, extra: [String] = []) -> [String] {
        (1...count).map { index in
            let path = directory.appendingPathComponent("shard\(index).\(format)").path
            #expect(runTinySweep(output: path, ["--format", format, "--shard", "\(index)/\(count)"] + extra) == .success)
            return path
        }
    }

    @Test(arguments: ["csv", "json"])
    func shardsMergeBackIntoTheWholeSweep(_ format: String) throws {
        let directory = makeScratchDirectory()
        let whole = directory.appendingPathComponent("whole.\(format)").path
        #expect(runTinySweep(output: whole, ["--format", format]) == .success)
        let parts = shards(3, format: format, directory: directory)
        let merged = directory.appendingPathComponent("merged.\(format)").path
        #expect(AgingBenchMain.run(["merge"] + parts + ["--output", merged]).0 == .success)
        let mergedRecords = try ResultsFile.read(path: merged).records
        let wholeRecords = try ResultsFile.read(path: whole).records
        func cell(_ record: RunRecord) -> String {
            "\(record.backend)/\(record.memoryPerVCPUBytes)/\(record.vcpus)/\(record.aging)/\(record.repetition)"
        }
        #expect(mergedRecords.count == wholeRecords.count)
        #expect(Set(mergedRecords.map(cell)) == Set(wholeRecords.map(cell)))
        let shardRecords = try parts.flatMap { try ResultsFile.read(path: $0).records }
        #expect(Set(mergedRecords.map(cell)) == Set(shardRecords.map(cell)))
        #expect(mergedRecords.map(\.repetition) == mergedRecords.map(\.repetition).sorted())
        // Every merged row is its shard's row, unchanged.
        let byCell = Dictionary(uniqueKeysWithValues: shardRecords.map { (cell($0), $0) })
        #expect(mergedRecords.allSatisfy { byCell[cell($0)] == $0 })
    }

    @Test func shardsOfDifferentSweepsAreRefused() throws {
        let directory = makeScratchDirectory()
        let one = shards(2, format: "csv", directory: directory)
        let otherSeed = directory.appendingPathComponent("seed.csv").path
        #expect(runTinySweep(output: otherSeed, ["--shard", "2/2", "--seed", "7"]) == .success)
        let (status, line) = mergeError([one[0], otherSeed])
        #expect(status == .badInput)
        #expect(line == "agingbench: error: '\(otherSeed)' is not a shard of the sweep of '\(one[0])': seed is '7', not '1'")
        let (twice, twiceLine) = mergeError([one[0], one[0]])
        #expect(twice == .badInput && twiceLine.contains("is in both '\(one[0])' and '\(one[0])'"))
        let json = shards(1, format: "json", directory: directory)
        #expect(mergeError([one[0], json[0]]).0 == .badInput)
    }

    @Test func malformedInputsAreOneLineAndExitTwo() throws {
        let directory = makeScratchDirectory()
        let good = shards(1, format: "csv", directory: directory)[0]
        let text = try String(contentsOfFile: good, encoding: .utf8)
        let cases: [(String, Data)] = [
            ("empty.csv", Data()),
            ("binary.csv", Data([0x7F, 0x45, 0x4C, 0x46, 0x00, 0x01, 0xFF])),
            ("truncated.csv", Data(text.prefix(text.count - 40).utf8)),
            ("truncated.json", Data("{\"context\": {\"date\": \"x\"}, \"benchmarks\": [".utf8)),
            ("schema1.csv", Data(text.replacingOccurrences(of: "schema,timestamp", with: "schema,when").utf8)),
        ]
        for (name, data) in cases {
            let path = directory.appendingPathComponent(name).path
            try data.write(to: URL(fileURLWithPath: path))
            let (status, line) = mergeError([path])
            #expect(status == .badInput, "\(name)")
            #expect(!line.contains("\n") && line.hasPrefix("agingbench: error: '\(path)'"), "\(name): \(line)")
        }
        #expect(mergeError([directory.appendingPathComponent("none.csv").path]).0 == .badInput)
        #expect(mergeError([]).0 == .badInput)
    }

    /// The status and the one stderr line `merge` would print for `files`.
    func mergeError(_ files: [String]) -> (Results.ExitStatus, String) {
        do {
            var command = try AgingBench.parseAsRoot(["merge"] + files + ["--output", "-"])
            try command.run()
            return (.success, "")
        } catch {
            return AgingBenchMain.classify(error)
        }
    }
}
