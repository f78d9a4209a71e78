import Core
import Foundation
import Testing
@testable import Bench
@testable import Results

/// One round's file of one build: the cells (backends) of an --aging-only run with `pass_avg_s`
/// and `populate_s` from `value(backend, metric)`.
private func roundFile(_ backends: [String], round: Int, value: (String, String) -> Double) -> ResultTable {
    var text = "schema,timestamp,commit,host,backend,variant,memory_per_vcpu_bytes,vcpus,aging,repetition,driver,costs,engine,aging_passes,pass_avg_s,populate_s,notifier_calls\n"
    for backend in backends {
        text += "6,2026-12-06T00:00:0\(round % 10)Z,abc,host,\(backend),default,268435456,1,only,0,bitmap,raw,real,10,"
            + "\(value(backend, "pass_avg_s")),\(value(backend, "populate_s")),2560\n"
    }
    return try! ResultTable.parse(Array(text.utf8), name: "round-\(round).csv")
}

@Suite(.scratchCleanup) struct ABTests {
    /// B's pass 5% slower than A's, both moving with the machine from round to round: caught at 12
    /// rounds; A against itself (noise only) is not.
    @Test func aFivePercentSlowerPassIsARegressionAndNoiseIsNot() {
        var generator = SplitMix64(seed: 5)
        func noise() -> Double { 1 + Double.random(in: -0.01...0.01, using: &generator) }
        var defaults = CompareSettings()
        defaults.defaultThreshold = 0.01
        defaults.gate = Set(ABCommand.defaultGate)
        func rounds(slowdown: Double) -> [(a: ResultTable, b: ResultTable)] {
            (0..<12).map { round in
                let machine = 1 + 0.3 * Double(round % 3)  // drift that hits both runs of a round
                let a = roundFile(["x86-tdp"], round: round) { _, metric in (metric == "pass_avg_s" ? 0.01 : 0.05) * machine * noise() }
                let b = roundFile(["x86-tdp"], round: round) { _, metric in
                    (metric == "pass_avg_s" ? 0.01 * slowdown : 0.05) * machine * noise()
                }
                return (a, b)
            }
        }
        let slower = PairedRuns.compare(rounds(slowdown: 1.05), nameA: "A", nameB: "B", settings: defaults)
        #expect(slower.status == .regression)
        let pass = slower.comparisons.first { $0.metric.name == "pass_avg_s" }
        #expect(pass?.verdict == .regressed && abs((pass?.paired.ratio ?? 0) - 1.05) < 0.02)
        #expect(slower.comparisons.first { $0.metric.name == "populate_s" }?.verdict != .regressed)
        #expect(slower.markdown().contains("**Regression**"))

        let same = PairedRuns.compare(rounds(slowdown: 1), nameA: "A", nameB: "A", settings: defaults)
        #expect(same.status == .noRegression)
        #expect(same.gatingFamilySize == 2, "pass_avg_s and populate_s are tested; notifier_calls_per_pass needs --aging-only counts it has")
    }

    @Test func tooFewRoundsSayHowManyWouldDo() {
        let files = (0..<3).map { round in
            (roundFile(["x86-tdp"], round: round) { _, _ in 1 }, roundFile(["x86-tdp"], round: round) { _, _ in 2 })
        }
        var settings = CompareSettings()
        settings.gate = ["pass_avg_s", "populate_s"]
        let report = PairedRuns.compare(files.map { (a: $0.0, b: $0.1) }, nameA: "A", nameB: "B", settings: settings)
        // Twice as slow in every round, but 3 pairs cannot reach p ≤ 0.025: not significant, and said.
        #expect(report.status == .noRegression)
        #expect(report.powerNote?.contains("use at least 7 rounds") == true, "\(report.powerNote ?? "")")
    }

    @Test func badUsageIsOneLineAndExitTwo() throws {
        let directory = makeScratchDirectory()
        let me = try agingbenchBinary().path
        for (arguments, message) in [
            (["ab", me], "ab needs two executables"),
            (["ab", me, directory.appendingPathComponent("none").path], "is not an executable file"),
            (["ab", me, me, "--rounds", "1"], "--rounds 1 must be from 2 to 1000"),
            (["ab", me, me, "--", "--output", "x.csv"], "--output is ab's to set"),
            (["ab", me, me, "--gate", "speed"], "unknown metric 'speed'"),
            (["ab", me, me, "--quiet", "--", "--memory", "-1G"], "failed in round 1"),
        ] {
            let (status, errors) = try runBinary(arguments)
            #expect(status == 2, "\(arguments)")
            #expect(errors.contains(message) && errors.split(separator: "\n").count == 1, "\(arguments): \(errors)")
        }
    }

    @Test func aBuildAgainstItselfRunsAndWritesItsReports() throws {
        let directory = makeScratchDirectory()
        let me = try agingbenchBinary().path
        let json = directory.appendingPathComponent("ab.json").path, plot = directory.appendingPathComponent("ab.svg").path
        let (status, out, errors) = try runBinaryCapturing([
            "ab", me, me, "--rounds", "2", "--quiet", "--json", json, "--plot", plot, "--gate", "notifier_calls_per_pass",
            "--", "--aging-only", "--costs", "raw", "--memory", "256K", "--vcpus", "1", "--passes", "2", "--backends", "x86-tdp,baseline",
        ])
        #expect(status == 0, "\(errors)")
        #expect(out.contains("**No regression**") && out.contains("| notifier_calls_per_pass | yes | 1× [1–1, 50%] | 1 | settled |"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        #expect(object["rounds"] as? Int == 2 && object["status"] as? String == "no regression")
        #expect(try String(contentsOfFile: plot, encoding: .utf8).contains("notifier_calls_per_pass: B ÷ A"))
    }
}
