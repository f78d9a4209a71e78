@testable import Bench
@testable import Results
import Core
import Foundation
import Testing

@Suite(.scratchCleanup) struct AblationTests {
    /// Every lock × bitmap × driver cell of x86, once, on a tiny guest with raw costs (every gfn
    /// present): the grid is complete and each cell asked the MMU as its driver and bitmap say,
    /// taking `mmu_lock` only where its aging lock says.
    @Test func x86GridRunsEveryCombinationAsDeclared() throws {
        let path = makeScratchDirectory().appendingPathComponent("ablation.csv").path
        let status = AgingBenchMain.run([
            "ablation", "--arch", "x86", "--memory", "256K", "--vcpus", "1", "--repetitions", "1",
            "--costs", "raw", "--quiet", "--output", path,
        ]).0
        #expect(status == .success)
        let records = try CSVWriter.records(try String(contentsOfFile: path, encoding: .utf8), what: path)
        // radix: none, read, write; rmap: per-rmap, read, write; × bitmap on/off × 3 drivers.
        #expect(records.count == 6 * 2 * 3)
        let configurations = records.compactMap { AblationConfiguration(backend: $0.backend, variant: $0.variant) }
        #expect(configurations.count == records.count)
        #expect(Set(zip(configurations, records.map(\.driver)).map { "\($0.0.label) \($0.1)" }).count == records.count)
        #expect(Set(configurations.filter { $0.lock == .perRmap }.map(\.base)) == ["x86-shadow"])
        let pages: UInt64 = 64
        for (configuration, record) in zip(configurations, records) {
            let passes = UInt64(record.agingPasses)
            #expect(passes >= 1)
            switch (record.driver, configuration.bitmap) {
            case (.evictionOnly, _):
                #expect(record.notifierCalls == 0)
            case (.perPage, _):
                #expect(record.notifierCalls == passes * pages)
            case (.bitmap, true):
                // One window: a test, and a clear when something was young.
                #expect(record.notifierCalls >= passes && record.notifierCalls <= 2 * passes)
            default:
                // The bitmap is refused: the test call, then one call per page.
                #expect(record.notifierCalls == passes * (1 + pages))
            }
            let asksTheMMU = record.driver != .evictionOnly
            if configuration.lock == .none || configuration.lock == .perRmap || !asksTheMMU {
                #expect(record.lockAcquisitions == record.faults, "\(configuration.label) \(record.driver): only faults take mmu_lock")
            } else {
                #expect(record.lockAcquisitions > record.faults, "\(configuration.label) \(record.driver): aging took no mmu_lock")
            }
            #expect(record.nonABitChanges == 0)
        }
    }

    /// An effect is the ratio within matched cells (same other factors, same repetition): a
    /// drift that doubles every figure of one repetition cancels out.
    @Test func effectsAreRatiosOfMatchedCells() throws {
        func row(_ lock: LockMode, bitmap: Bool, driver: DriverLabel, repetition: Int, passMilliseconds: Double) -> RunRecord {
            var record = RunRecord(backend: "x86-tdp", variant: AblationConfiguration(base: "x86-tdp", lock: lock, bitmap: bitmap).variant)
            record.driver = driver
            record.vcpus = 1
            record.repetition = repetition
            record.passAverageSeconds = passMilliseconds / 1e3
            record.agingPasses = 10
            record.notifierCalls = bitmap && driver == .bitmap ? 20 : 640
            return record
        }
        var records: [RunRecord] = []
        for (repetition, drift) in [(0, 1.0), (1, 2.0), (2, 3.0)] {
            records.append(row(.none, bitmap: false, driver: .perPage, repetition: repetition, passMilliseconds: 8 * drift))
            records.append(row(.none, bitmap: true, driver: .bitmap, repetition: repetition, passMilliseconds: 6 * drift))
            records.append(row(.none, bitmap: false, driver: .bitmap, repetition: repetition, passMilliseconds: 9 * drift))
        }
        let report = AblationReport(records: records)
        let pass = AblationReport.metrics[0]
        let question = try #require(report.bitmapQuestion())
        let ratio = try #require(report.effect(pass, vcpus: 1) { configuration, driver in
            configuration == question.bitmap && driver == .bitmap ? (question.perPage, .perPage) : nil
        })
        #expect(abs(ratio.median - 0.75) < 1e-9 && abs(ratio.minimum - 0.75) < 1e-9 && abs(ratio.maximum - 0.75) < 1e-9)
        #expect(ratio.count == 3)
        let spread = try #require(report.spread(pass, question.perPage, driver: .perPage, vcpus: 1))
        #expect(spread.median == 16 && spread.minimum == 8 && spread.maximum == 24)
        let calls = try #require(report.effect(AblationReport.metrics[2], vcpus: 1) { configuration, driver in
            configuration.bitmap && driver == .bitmap ? (AblationConfiguration(base: configuration.base, lock: configuration.lock, bitmap: false), driver) : nil
        })
        #expect(abs(calls.median - 20.0 / 640.0) < 1e-12)
        #expect(report.markdown(cores: 2).contains("What the bitmap adds on top of lockless (x86-tdp)"))
    }

    @Test func badInputIsOneLineAndExitTwo() {
        for arguments in [
            ["ablation", "--arch", "sparc", "--costs", "raw"],
            ["ablation", "--arch", "x86", "--drivers", "per-page,nope", "--costs", "raw"],
            ["ablation", "--arch", "x86", "--vcpus", "0", "--costs", "raw"],
            ["ablation", "--arch", "x86", "--repetitions", "0", "--costs", "raw"],
            ["ablation", "--arch", "x86", "--memory", "-1G", "--costs", "raw"],
            ["ablation", "--arch", "x86", "--costs", "raw", "--calibration", "x.json"],
        ] {
            #expect(AgingBenchMain.run(arguments).0 == .badInput, "\(arguments)")
        }
    }
}
