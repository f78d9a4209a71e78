import Foundation
import Testing
@testable import Bench

/// The checkout this test file belongs to.
private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite(.scratchCleanup) struct GateTests {
    @Test func everyGateSweepIsValidAndHasCellsForEveryShardCount() throws {
        for sweep in GateSweep.sweeps(calibration: GateSweep.defaultCalibration) {
            let command = try #require(try AgingBench.parseAsRoot(Array(sweep.dropFirst()) + ["--output", "/dev/null/x"]) as? RunCommand)
            let options = try command.validated()
            #expect(options.plan.totalCellCount >= GateSweep.maximumShards)
            #expect(sweep.contains("--costs") || sweep.contains("--calibration"))
        }
        // Enough repetitions that a few hundred gating comparisons can still show a change.
        #expect(MannWhitney.smallestP(GateSweep.repetitions, GateSweep.repetitions) * 300 <= GateSweep.settings.alpha)
    }

    @Test func theCommittedBaselineIsTheGatesSweepAndCanShowARegression() throws {
        let path = repositoryRoot.appendingPathComponent(GateSweep.baselinePath(machine: GateSweep.defaultMachine)).path
        let baseline = try ResultTable.load(path: path)
        // At most one row per cell of the gate's sweeps. A backend registered after the baseline was
        // made has no rows yet: compare lists its cells as one-sided, so adding a backend stays one
        // folder and one registry line (`agingbench baseline update` brings it into the gate).
        var cells = 0
        for sweep in GateSweep.sweeps(calibration: GateSweep.defaultCalibration) {
            let command = try #require(try AgingBench.parseAsRoot(Array(sweep.dropFirst()) + ["--output", "/dev/null/x"]) as? RunCommand)
            cells += try command.validated().plan.totalCellCount
        }
        #expect(baseline.rows.count > 0 && baseline.rows.count <= cells)
        let report = Comparer.compare(base: baseline, new: baseline, settings: GateSweep.settings)
        #expect(report.status == .noRegression)
        #expect(report.comparisons.contains { $0.gates && $0.metric == "notifier_calls_per_pass" })
        #expect(report.comparisons.contains { $0.gates && $0.metric == "populate_on_vs_off" })
        // The gate's own arithmetic: every gating comparison has the repetitions to reach alpha.
        #expect(report.powerNote == nil && report.canShowRegression)
    }

    @Test func checkUsesTheGatesSettingsAndExitStatuses() throws {
        let directory = makeScratchDirectory()
        let results = directory.appendingPathComponent("r.csv").path
        #expect(runTinySweep(output: results) == .success)
        #expect(try runBinary(["baseline", "check", results, "--baseline", results]).0 == 0)
        let (missing, errors) = try runBinary(["baseline", "check", results, "--baseline", directory.appendingPathComponent("none.csv").path])
        #expect(missing == 2 && errors.split(separator: "\n").count == 1)
        #expect(try runBinary(["baseline", "check", results, "--machine", "../etc"]).0 == 2)
        #expect(try runBinary(["baseline", "run", "--shard", "65/65", "--output", directory.appendingPathComponent("g.csv").path]).0 == 2)
        #expect(try runBinary(["baseline", "run", "--sweep", "3", "--output", directory.appendingPathComponent("g.csv").path]).0 == 2)
    }

    @Test func gateSettingsWidenOnlyTheTimingRatios() {
        let settings = GateSweep.settings
        #expect(settings.threshold(for: "pass_vs_limit") == 0.5 && settings.threshold(for: "populate_on_vs_off") == 0.5)
        #expect(settings.threshold(for: "notifier_calls_per_pass") == 0.05)
        #expect(!settings.gate.contains("pass_avg_s") && !settings.gate.contains("pass_avg_vs_reference"))
    }
}
