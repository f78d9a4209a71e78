import Foundation
import Testing
@testable import Bench
@testable import Results

/// Runs `run` in process and returns the error it throws, if any, so its message can be checked.
private func runError(_ arguments: [String]) -> Error? {
    do {
        var command = try AgingBench.parseAsRoot(arguments)
        try command.run()
        return nil
    } catch {
        return error
    }
}

private let tiny = [
    "run", "--backends", "x86-tdp,baseline", "--memory", "64K", "--vcpus", "1,2", "--aging", "both",
    "--repetitions", "2", "--rounds", "1", "--costs", "host-only", "--quiet",
]

@Suite(.scratchCleanup) struct ResumeTests {
    @Test func aCSVWithMissingRowsIsCompletedAndItsRowsKept() throws {
        let path = makeScratchDirectory().appendingPathComponent("r.csv").path
        #expect(AgingBenchMain.run(tiny + ["--output", path]).0 == .success)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 16 + 2)
        // Keep the header and every third row, as a cut-short run might have.
        let kept = [lines[0]] + lines.dropFirst().enumerated().filter { $0.offset % 3 == 0 && !$0.element.isEmpty }.map(\.element)
        try (kept.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)

        #expect(AgingBenchMain.run(tiny + ["--output", path, "--resume"]).0 == .success)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let rows = try csvRows(text)
        #expect(rows.count == 16)
        #expect(Set(rows.map(cellKey)).count == 16)
        let newLines = Set(text.split(separator: "\n"))
        #expect(kept.allSatisfy { newLines.contains($0) }, "finished rows are kept byte for byte")
    }

    @Test func aCompleteFileIsLeftAsItIs() throws {
        let path = makeScratchDirectory().appendingPathComponent("r.csv").path
        #expect(AgingBenchMain.run(tiny + ["--output", path]).0 == .success)
        let before = try String(contentsOfFile: path, encoding: .utf8)
        #expect(AgingBenchMain.run(tiny + ["--output", path, "--resume"]).0 == .success)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == before)
    }

    @Test func aJSONFileOfAnotherSweepIsRefusedNamingTheDifference() throws {
        let path = makeScratchDirectory().appendingPathComponent("r.json").path
        #expect(AgingBenchMain.run(tiny + ["--format", "json", "--output", path]).0 == .success)
        let before = try String(contentsOfFile: path, encoding: .utf8)

        let rounds = runError(tiny + ["--rounds", "2", "--format", "json", "--output", path, "--resume"]) as? InputError
        #expect(rounds?.message == "cannot resume '\(path)': not the same sweep: rounds differs: the file has 1, this run has 2")
        let memory = runError(tiny + ["--memory", "128K", "--format", "json", "--output", path, "--resume"]) as? InputError
        #expect(memory?.message.hasSuffix("memory differs: the file has 64K, this run has 128K") == true)

        // Another suite commit is another sweep.
        try before.replacingOccurrences(of: "\"commit\" : \"", with: "\"commit\" : \"0ther-")
            .write(toFile: path, atomically: false, encoding: .utf8)
        let commit = runError(tiny + ["--format", "json", "--output", path, "--resume"]) as? InputError
        #expect(commit?.message.contains("commit differs: the file has 0ther-") == true, "\(String(describing: commit))")
    }

    @Test func aJSONFileWithMissingBenchmarksIsCompleted() throws {
        let path = makeScratchDirectory().appendingPathComponent("r.json").path
        #expect(AgingBenchMain.run(tiny + ["--format", "json", "--output", path]).0 == .success)
        let full = try GoogleBenchmarkJSON.read(String(contentsOfFile: path, encoding: .utf8), what: "full")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let benchmarks = try #require(object["benchmarks"] as? [Any])
        object["benchmarks"] = Array(benchmarks.prefix(5))
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))

        #expect(AgingBenchMain.run(tiny + ["--format", "json", "--output", path, "--resume"]).0 == .success)
        let resumed = try GoogleBenchmarkJSON.read(String(contentsOfFile: path, encoding: .utf8), what: "resumed")
        #expect(resumed.records.count == 16)
        // The kept benchmarks are as they were (compared as JSON: the writer's decimal form of a
        // double need not read back bit for bit, but writes back the same).
        let sample = RunContext(commit: "c", host: "h", cpuModel: "m", cores: 1, build: "b", timestamp: "t", executable: "e")
        #expect(GoogleBenchmarkJSON.render(Array(resumed.records.prefix(5)), context: sample)
            == GoogleBenchmarkJSON.render(Array(full.records.prefix(5)), context: sample))
    }

    @Test func rowsOfAnotherSweepOrCommitAreRefused() throws {
        let path = makeScratchDirectory().appendingPathComponent("r.csv").path
        #expect(AgingBenchMain.run(tiny + ["--output", path]).0 == .success)
        let backends = runError(tiny.map { $0 == "x86-tdp,baseline" ? "x86-tdp" : $0 } + ["--output", path, "--resume"]) as? InputError
        #expect(backends?.message.contains("is not a cell of this sweep") == true)
        let seed = runError(tiny + ["--seed", "7", "--output", path, "--resume"]) as? InputError
        #expect(seed?.message.contains("has seed 1, this run has 7") == true)

        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        try ([lines[0], lines[1], lines[1]].joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        let twice = runError(tiny + ["--output", path, "--resume"]) as? InputError
        #expect(twice?.message.contains("appears more than once") == true)
    }

    @Test(arguments: [
        ["--resume"], ["--resume", "--output", "-"], ["--resume", "--format", "markdown"],
    ])
    func resumeWithoutAReadableFileIsBadInput(_ extra: [String]) {
        let path = makeScratchDirectory().appendingPathComponent("none.csv").path
        #expect(AgingBenchMain.run(tiny + ["--output", path] + extra).0 == .badInput)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aFileThatIsNotResultsIsRefused() throws {
        let directory = makeScratchDirectory()
        let path = directory.appendingPathComponent("notes.csv").path
        try "name,value\nx,1\n".write(toFile: path, atomically: false, encoding: .utf8)
        let error = runError(tiny + ["--output", path, "--resume"]) as? InputError
        #expect(error?.message == "cannot resume '\(path)': not a schema \(RunRecord.schemaVersion) results CSV (header column 1 is 'name', expected 'schema')")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "name,value\nx,1\n")
    }
}
