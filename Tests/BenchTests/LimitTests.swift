@testable import Bench
@testable import Results
import Core
import Foundation
import Testing

@Suite(.scratchCleanup) struct LimitTests {
    @Test(arguments: ReferenceLimit.Kind.allCases)
    func referencePassesSeeAndClearTheYoungHalf(_ kind: ReferenceLimit.Kind) throws {
        let pages: UInt64 = 1000
        let reference = try #require(ReferenceLimit(pages: pages, format: .ept))
        #expect(reference.tableBytes == 5 * 4096, "root, two upper levels, two leaf tables")
        // Leaves are born young; one clearing pass ages them all.
        #expect(reference.timedPass(.plain).young == pages)
        reference.markYoung(stride: 2)
        #expect(reference.timedPass(kind).young == pages / 2)
        #expect(reference.timedPass(kind).young == (kind == .testOnly ? pages / 2 : 0))
    }

    /// The reference builds leaves in the format it is given: a format whose pfn starts at bit 10
    /// and whose Accessed bit is bit 6 (as RISC-V's) is walked and aged by that bit alone.
    @Test func referenceUsesTheGivenFormat() throws {
        let format = EntryFormat(
            name: "test-pfn10", hardwarePresentMask: 1, mappedMask: 1, accessedMask: 1 << 6, dirtyMask: 1 << 7,
            writableMask: 1 << 2, leafTemplate: 0b1011, tableBits: 1, pfnShift: 10)
        let pages: UInt64 = 600
        let reference = try #require(ReferenceLimit(pages: pages, format: format))
        #expect(reference.timedPass(.plain).young == pages)
        #expect(reference.timedPass(.testOnly).young == 0)
        reference.markYoung(stride: 3)
        #expect(reference.timedPass(.windowed).young == pages / 3)
    }

    @Test func agingOnlyRowsCarryTheReferenceAndExactCounts() throws {
        let path = makeScratchDirectory().appendingPathComponent("only.csv").path
        let status = AgingBenchMain.run([
            "run", "--backends", "x86-tdp,arm64-stage2,baseline", "--memory", "2M", "--vcpus", "2",
            "--aging-only", "--passes", "3", "--repetitions", "1", "--costs", "raw", "--quiet", "--output", path,
        ]).0
        #expect(status == .success)
        let rows = try csvRows(try String(contentsOfFile: path, encoding: .utf8))
        #expect(rows.count == 3)
        let pages: UInt64 = 2 * 512
        for row in rows {
            #expect(row["aging"] == "only")
            #expect(Double(row["vcpu_wall_s"]!) == 0)
            #expect(row["aging_passes"] == "3")
            // Every timed pass follows making every other page young, and clears them.
            #expect(UInt64(row["young_pages"]!) == 3 * pages / 2)
            #expect(Double(row["limit_pass_s"]!)! > 0)
            #expect(Double(row["pass_vs_limit"]!)! > 0)
            let calls = UInt64(row["notifier_calls"]!)!
            // A test and a clear per 64-page window, or (the baseline's kernel: no bitmap) one
            // call per page; with raw costs every gfn counts as present.
            #expect(calls == (row["backend"] == "baseline" ? 3 * pages : 3 * (pages / 64) * 2))
            #expect(row["driver"] == (row["backend"] == "baseline" ? "per-page" : "bitmap"))
            #expect(row["costs"] == "raw" && row["host_pt_bytes"] == "0" && row["folio_bytes"] == "0")
            #expect(Double(row["fault_remainder_ns"]!) == 0 && Double(row["age_remainder_ns"]!) == 0)
        }
    }

    @Test func jsonHeadlineOfAnAgingOnlyRowIsItsPass() throws {
        var only = RunRecord(backend: "x86-tdp", aging: .only, vcpuWallSeconds: 0)
        only.passAverageSeconds = 0.002
        var loaded = RunRecord(backend: "x86-tdp", aging: .on, populateSeconds: 0.5)
        loaded.passAverageSeconds = 0.002
        let context = RunContext(commit: "c", host: "h", cpuModel: "m", cores: 2, build: "debug", timestamp: "t", executable: "e")
        let text = GoogleBenchmarkJSON.render([only, loaded], context: context)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let benchmarks = try #require(object["benchmarks"] as? [[String: Any]])
        #expect(benchmarks.map { $0["real_time"] as? Double } == [2.0, 500.0])
    }

    @Test func limitCommandRuns() {
        #expect(AgingBenchMain.run(["limit", "--memory", "1M", "--passes", "1"]).0 == .success)
        #expect(AgingBenchMain.run(["limit", "--memory", "1Q"]).0 == .badInput)
        #expect(AgingBenchMain.run(["limit", "--memory", "-1G"]).0 == .badInput)
        #expect(AgingBenchMain.run(["limit", "--memory", "1M", "--passes", "10001"]).0 == .badInput)
        #expect(AgingBenchMain.run(["limit", "--memory", "1M", "--passes", "1", "--backends", "all"]).0 == .success)
        #expect(AgingBenchMain.run(["limit", "--memory", "1M", "--backends", "no-such"]).0 == .badInput)
    }
}
