import Foundation
import Testing

/// The workflow's history step (`.github/scripts/keep-history.sh`), run as the workflow runs it,
/// against a bare repository standing in for the project's remote.
@Suite(.scratchCleanup) struct HistoryBranchTests {
    static let script = FirstRunTests.repository.appendingPathComponent(".github/scripts/keep-history.sh")

    @Test func twoRunsLeaveAHistoryOfTwoCommitsOnTheBranch() throws {
        let scratch = makeScratchDirectory()
        let remote = scratch.appendingPathComponent("remote.git")
        let git = URL(fileURLWithPath: "/usr/bin/git")
        #expect(try runCapturing(git, ["init", "--quiet", "--bare", remote.path]).0 == 0)
        let results = FirstRunTests.repository.appendingPathComponent("results/model-vs-kernel.csv").path
        let environment = ["AGINGBENCH": try agingbenchBinary().path, "HISTORY_REMOTE": remote.path,
                           "HISTORY_BRANCH": "bench-history"]
        for commit in ["1111111", "2222222"] {
            let (status, output, errors) = try runCapturing(
                URL(fileURLWithPath: "/bin/bash"), [Self.script.path, results, commit],
                environment: environment, directory: scratch)
            #expect(status == 0, "\(errors)")
            #expect(output.contains("history: \(commit) appended on bench-history"))
        }
        let (status, history, errors) = try runCapturing(git, ["--git-dir", remote.path, "show", "bench-history:history.csv"])
        #expect(status == 0, "\(errors)")
        let commits = Set(history.split(separator: "\n").dropFirst().compactMap { $0.split(separator: ",").first.map(String.init) })
        #expect(commits == ["1111111", "2222222"])
        let (_, log, _) = try runCapturing(git, ["--git-dir", remote.path, "log", "--format=%s", "bench-history"])
        #expect(log.split(separator: "\n") == ["history: 2222222", "history: 1111111"])
        let (_, tree, _) = try runCapturing(git, ["--git-dir", remote.path, "ls-tree", "--name-only", "bench-history:charts"])
        #expect(tree.split(separator: "\n").contains { $0.hasSuffix(".svg") })
    }

    @Test func aWrongCallIsOneLineAndExitTwo() throws {
        let (status, _, errors) = try runCapturing(URL(fileURLWithPath: "/bin/bash"), [Self.script.path])
        #expect(status == 2)
        #expect(errors == "usage: keep-history.sh RESULTS COMMIT\n")
    }
}

/// The README's own example draws into a directory that does not exist yet.
@Suite(.scratchCleanup) struct ChartDirectoryTests {
    @Test func aChartDirectoryThatDoesNotExistIsCreated() throws {
        let scratch = makeScratchDirectory()
        let history = scratch.appendingPathComponent("history.csv").path
        let results = FirstRunTests.repository.appendingPathComponent("results/model-vs-kernel.csv").path
        #expect(try runBinary(["history", "append", results, "--commit", "abc", "--history", history]).0 == 0)
        let charts = scratch.appendingPathComponent("new/charts").path
        let (status, errors) = try runBinary(["history", "plot", "--history", history, "--output-dir", charts])
        #expect(status == 0, "\(errors)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: charts).contains { $0.hasSuffix(".svg") })
        let plots = scratch.appendingPathComponent("other/plots").path
        let findings = FirstRunTests.repository.appendingPathComponent("results/findings.csv").path
        let (plotStatus, plotErrors) = try runBinary(["plot", findings, "--output-directory", plots])
        #expect(plotStatus == 0, "\(plotErrors)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: plots).contains { $0.hasSuffix(".svg") })
    }
}
