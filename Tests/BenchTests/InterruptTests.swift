import Foundation
import Testing
@testable import Bench
@testable import Results
#if canImport(Glibc)
import Glibc
#endif

/// Whether the process has handlers installed for both SIGINT and SIGTERM (its SigCgt mask).
private func catchesInterrupts(_ pid: Int32) -> Bool {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
          let mask = UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16)
    else { return false }
    let wanted = (UInt64(1) << (SIGINT - 1)) | (UInt64(1) << (SIGTERM - 1))
    return mask & wanted == wanted
}

/// A sweep of many small cells, long enough that a signal arrives well before its end.
private func longSweep(output: String, format: String) -> [String] {
    [
        "--backends", "x86-tdp,baseline", "--memory", "64K,128K", "--vcpus", "1", "--repetitions", "40",
        "--rounds", "400", "--costs", "host-only", "--quiet", "--format", format, "--output", output,
    ]
}

/// Starts the built binary, waits until its sweep has installed its signal handlers (so the
/// signal reaches the sweep, not the default action), lets it run a moment, sends `signal`, and
/// returns the exit status and stderr.
private func interruptBinary(_ arguments: [String], with signal: Int32) throws -> (Int32, String) {
    let errURL = makeScratchDirectory().appendingPathComponent("stderr")
    #expect(FileManager.default.createFile(atPath: errURL.path, contents: nil))
    let err = try FileHandle(forWritingTo: errURL)
    defer { try? err.close() }
    let process = Process()
    process.executableURL = try agingbenchBinary()
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    while process.isRunning && !catchesInterrupts(process.processIdentifier) {
        usleep(2_000)
    }
    // Some cells finish in the meantime; how many does not matter to what is checked.
    usleep(300_000)
    kill(process.processIdentifier, signal)
    process.waitUntilExit()
    let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    return (status, try String(contentsOf: errURL, encoding: .utf8))
}

@Suite(.scratchCleanup) struct InterruptTests {
    @Test func sigintKeepsTheFinishedCellsAndResumeCompletesThem() throws {
        let directory = makeScratchDirectory()
        let path = directory.appendingPathComponent("sweep.csv").path
        let (status, errors) = try interruptBinary(longSweep(output: path, format: "csv"), with: SIGINT)
        #expect(status == 130, "\(errors)")
        let lines = errors.split(separator: "\n").filter { !$0.contains("WARNING: this is a DEBUG build") }
        #expect(lines.count == 1 && lines[0].hasPrefix("agingbench: interrupted by SIGINT: "), "\(errors)")

        // A valid results file with the finished cells, each at most once, and its mark beside it.
        let partial = try csvRows(String(contentsOfFile: path, encoding: .utf8))
        #expect(partial.count < 320)
        #expect(Set(partial.map(cellKey)).count == partial.count)
        let sidecar = try String(contentsOfFile: IncompleteMarker.sidecarPath(for: path), encoding: .utf8)
        let (mark, sweep) = try IncompleteMarker.readSidecar(sidecar, what: "mark")
        #expect(mark.signal == "SIGINT" && mark.cellsDone == partial.count && mark.cellsTotal == 320)
        #expect(sweep.value(of: "repetitions") == "40")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: directory.path)) == ["sweep.csv", "sweep.csv.incomplete"])

        // --resume runs the rest: the finished rows are kept as they were, the mark goes.
        let (resumed, resumeErrors) = try runBinary(longSweep(output: path, format: "csv") + ["--resume"])
        #expect(resumed == 0, "\(resumeErrors)")
        let whole = try csvRows(String(contentsOfFile: path, encoding: .utf8))
        #expect(!FileManager.default.fileExists(atPath: IncompleteMarker.sidecarPath(for: path)))
        #expect(partial.allSatisfy { whole.contains($0) })

        // The same set of cells a clean run has.
        let clean = directory.appendingPathComponent("clean.csv").path
        #expect(try runBinary(longSweep(output: clean, format: "csv")).0 == 0)
        let cleanKeys = try csvRows(String(contentsOfFile: clean, encoding: .utf8)).map(cellKey)
        #expect(whole.map(cellKey).sorted() == cleanKeys.sorted())
        #expect(whole.map(cellKey) == cleanKeys, "in the sweep's canonical order")
    }

    @Test func sigtermMarksAJSONFileInItsContextAndResumeCompletesIt() throws {
        let path = makeScratchDirectory().appendingPathComponent("sweep.json").path
        let (status, errors) = try interruptBinary(longSweep(output: path, format: "json"), with: SIGTERM)
        #expect(status == 143, "\(errors)")
        let partial = try GoogleBenchmarkJSON.read(String(contentsOfFile: path, encoding: .utf8), what: "partial")
        #expect(partial.incomplete?.signal == "SIGTERM")
        #expect(partial.incomplete?.cellsDone == partial.records.count)
        #expect(!FileManager.default.fileExists(atPath: IncompleteMarker.sidecarPath(for: path)), "JSON keeps its mark inside")

        #expect(try runBinary(longSweep(output: path, format: "json") + ["--resume"]).0 == 0)
        let whole = try GoogleBenchmarkJSON.read(String(contentsOfFile: path, encoding: .utf8), what: "whole")
        #expect(whole.incomplete == nil)
        #expect(whole.records.count == 320)
        let names = whole.records.map { "\(BenchmarkName.render($0))#\($0.repetition)" }
        #expect(Set(names).count == 320)
    }

    /// The hook the signal handlers drive: asked between cells, never during one.
    @Test func theRunnerStopsBetweenCellsAndSkipsFinishedOnes() throws {
        let plan = try SweepPlan(
            backends: ["x86-tdp", "baseline"], memorySizes: [ByteSize(parsing: "64K")], vcpuCounts: [1],
            aging: [true, false], repetitions: 2)
        var settings = WorkloadSettings()
        settings.rounds = 1
        let context = RunContext(commit: "c", host: "h", cpuModel: "m", cores: 2, build: "debug", timestamp: "t", executable: "e")
        let runner = SweepRunner(plan: plan, settings: settings, context: context, quiet: true)
        var asked = 0
        let firstTwo = try runner.run { asked += 1; return asked > 2 }
        #expect(firstTwo.count == 2)
        let rest = try runner.run(skipping: [0, 1])
        #expect(rest.count == 6)
        #expect(rest.first?.backend == "x86-tdp" && rest.first?.aging == .off && rest.first?.repetition == 0)
        #expect(Interruption.exitStatus(for: SIGINT) == .interrupted && Results.ExitStatus.interrupted.rawValue == 130)
        #expect(Interruption.exitStatus(for: SIGTERM) == .terminated && Results.ExitStatus.terminated.rawValue == 143)
    }
}
