@testable import Bench
@testable import Results
import Backends
import Core
import Foundation
import Testing

/// Memory pressure: the host budget and its watermarks, kswapd's reclaim in both engines, the
/// evictions' invariants, and several guests sharing the host.
@Suite(.scratchCleanup) struct PressureTests {
    // MARK: The budget

    @Test func theWatermarksFollowTheKernelsFormula() {
        // 256 MiB: min_free_kbytes = int_sqrt(262144 × 16) = 2048 KiB = 512 pages; the step is
        // max(512 / 4, 65536 × 10 / 10000) = 128.
        let small = Watermarks(budgetPages: 65_536)
        #expect((small.min, small.low, small.high) == (512, 640, 768))
        // 64 GiB: int_sqrt(67108864 × 16) = 32768 KiB = 8192 pages; step max(2048, 16777) = 16777.
        let large = Watermarks(budgetPages: 16_777_216)
        #expect((large.min, large.low, large.high) == (8192, 24_969, 41_746))
        // The clamp: 256 GiB would give 65536 KiB, under the 262144 KiB ceiling; 16 TiB hits it.
        #expect(Watermarks(budgetPages: 1 << 32).min == 262_144 / 4)
    }

    @Test func aFirstTouchBeyondTheBudgetStallsAndAnUnmapMakesRoom() throws {
        let budget = Watermarks(budgetPages: 1024)
        let memory = try #require(HostMemory(pages: 2048, backedByFrames: false, budget: budget))
        for page in 0..<budget.allocatable { #expect(memory.faultIn(page, write: true) == .installed) }
        #expect(memory.residentPages == budget.allocatable)
        #expect(memory.faultIn(budget.allocatable, write: true) == .stalled, "no frame below the min watermark")
        #expect(!memory.isPresent(budget.allocatable), "a stalled fault changes nothing")
        #expect(memory.faultIn(0, write: false) == .present, "a present page needs no frame")
        #expect(memory.unmap(GFNRange(start: 0, count: 2)) == 2)
        #expect(memory.faultIn(budget.allocatable, write: true) == .installed)
        #expect(memory.faultIn(0, write: true) == .refault)
        #expect(memory.peakResidentPages == budget.allocatable)
    }

    @Test(arguments: [(HostMemoryLimit.overcommit(1.5), UInt64(2000)), (.bytes(1 << 20), 256)])
    func aLimitGivesItsBudget(_ limit: HostMemoryLimit, _ pages: UInt64) {
        #expect(limit.budgetPages(guestPages: 3000) == pages)
    }

    // MARK: Reclaim in both engines

    static func pressureSettings(_ engine: Engine, schedule: Schedule = .deterministic) -> WorkloadSettings {
        var settings = VirtualEngineTests.settings(engine, schedule: schedule)
        settings.hostMemory = .overcommit(1.5)
        settings.pattern = .hotcold
        settings.rounds = 6
        return settings
    }

    /// Every backend, both engines and the random schedule: reclaim evicts and the vCPUs refault,
    /// no mapping of an evicted page survives its zap, no bit but Accessed changes, and the host
    /// stays within its budget.
    @Test(arguments: [(Engine.virtual, Schedule.deterministic), (.virtual, .random), (.real, .deterministic)])
    func evictionKeepsEveryInvariant(_ engine: Engine, _ schedule: Schedule) throws {
        let backends = engine == .real ? ["baseline", "x86-tdp"] : Backends.all.map(\.name)
        for backend in backends {
            let settings = Self.pressureSettings(engine, schedule: schedule)
            let record = try VirtualEngineTests.run(backend, memory: "1M", vcpus: 2, aging: true, settings)
            let footprint = UInt64(2 * 256)
            let budget = Watermarks(budgetPages: HostMemoryLimit.overcommit(1.5).budgetPages(guestPages: footprint))
            #expect(record.evictions > 0, "\(backend): nothing evicted")
            #expect(record.refaults > 0 && record.refaults <= record.evictions, "\(backend)")
            #expect(record.nonABitChanges == 0 && record.staleMappings == 0 && record.staleAccesses == 0, "\(backend)")
            #expect(record.useAfterFree == 0, "\(backend)")
            #expect(record.peakResidentPages > 0 && record.peakResidentPages <= budget.allocatable, "\(backend): over budget")
            #expect(record.hostMemoryPages == budget.pages)
        }
    }

    @Test func theVirtualEngineRunsEvictAfterToo() throws {
        var settings = VirtualEngineTests.settings(.virtual)
        settings.evictAfter = 1
        settings.pattern = .hotcold
        settings.rounds = 8
        let record = try VirtualEngineTests.run("x86-tdp", memory: "1M", vcpus: 2, aging: true, settings)
        #expect(record.evictions > 0 && record.refaults > 0)
        #expect(record.nonABitChanges == 0 && record.staleMappings == 0 && record.staleAccesses == 0)
    }

    @Test func underPressureTheVirtualEngineIsDeterministic() throws {
        let settings = Self.pressureSettings(.virtual)
        let first = try VirtualEngineTests.run("baseline", memory: "1M", vcpus: 4, aging: true, settings)
        let second = try VirtualEngineTests.run("baseline", memory: "1M", vcpus: 4, aging: true, settings)
        #expect(VirtualEngineTests.csvLine(first) == VirtualEngineTests.csvLine(second))
    }

    /// Before the series every candidate reclaim checks takes the write lock; lockless aging takes
    /// it only for the pages it evicts (two acquisitions each: the zap and invalidate_range_end).
    @Test func lockedChecksTakeTheWriteLockAndLocklessOnesDoNot() throws {
        let settings = Self.pressureSettings(.virtual)
        let baseline = try VirtualEngineTests.run("baseline", memory: "1M", vcpus: 2, aging: true, settings)
        let lockless = try VirtualEngineTests.run("x86-tdp-nobitmap", memory: "1M", vcpus: 2, aging: true, settings)
        #expect(baseline.victimsChecked > 0 && lockless.victimsChecked > 0)
        #expect(lockless.agingLockAcquisitions > 0, "evictions zap under the write lock on every backend")
        #expect(baseline.agingLockAcquisitions > lockless.agingLockAcquisitions + baseline.victimsChecked / 2)
        #expect(lockless.agingLockAcquisitions == 2 * lockless.evictions, "the lockless backend locks only to evict")
    }

    // MARK: Several guests

    @Test func guestsOwnTheirVCPUsAndGFNsAndEachHasItsOwnLock() throws {
        var settings = Self.pressureSettings(.virtual)
        settings.vms = 2
        let record = try VirtualEngineTests.run("x86-tdp", memory: "1M", vcpus: 4, aging: true, settings)
        #expect(record.vms == 2)
        #expect(record.nonABitChanges == 0 && record.staleMappings == 0 && record.staleAccesses == 0)
        #expect(record.evictions > 0)

        let cell = SweepCell(backend: "x86-tdp", memoryPerVCPU: try ByteSize(parsing: "64K"), vcpus: 4, aging: false, repetition: 0, index: 0)
        let descriptor = try #require(Backends.named("x86-tdp"))
        let mmus = try (0..<2).map { _ in try #require(descriptor.make(MMUConfiguration(gfnCount: 64)) as? RadixMMU) }
        let setup = CellSetup(cell: cell, mmu: mmus[0], host: nil, settings: WorkloadSettings(), others: [mmus[1]])
        #expect((0..<4).map(setup.guest(ofVCPU:)) == [0, 0, 1, 1])
        #expect(setup.guest(ofGFN: 31) == 0 && setup.guest(ofGFN: 32) == 1)
        var vcpu = setup.makeVCPU(3)
        vcpu.runPhase(VCPU<RadixMMU>.Phase.populate)
        _ = vcpu.finish(cpuNanoseconds: 0, lockStats: LockStats())
        let thread = mmus[0].makeThread(role: HostThread.Role.aging)
        var mappedByTheFirst = 0
        mmus[0].forEachMapping(in: GFNRange(start: 0, count: 64), thread: thread) { _, _ in mappedByTheFirst += 1 }
        thread.retire()
        #expect(mappedByTheFirst == 0, "vCPU 3 belongs to the second guest: the first MMU maps none of its pages")
    }

    // MARK: Bad input

    @Test(arguments: [
        ["--host-memory", "64M", "--memory", "16M", "--vcpus", "2"], ["--overcommit", "0"], ["--overcommit", "-1.5"],
        ["--overcommit", "1"], ["--overcommit", "nan"], ["--vms", "0"], ["--vms", "3", "--vcpus", "4"],
        ["--host-memory", "1G", "--overcommit", "2"], ["--swap", "zram"], ["--swap", "floppy", "--overcommit", "2"],
        ["--overcommit", "2", "--aging", "off"], ["--overcommit", "2", "--evict-after", "2"],
        ["--overcommit", "2", "--costs", "raw"], ["--overcommit", "1000", "--memory", "1M", "--vcpus", "1"],
    ])
    func badPressureInputExitsTwoWithOneLine(_ arguments: [String]) {
        let directory = makeScratchDirectory()
        let path = directory.appendingPathComponent("never.csv").path
        let aging = arguments.contains("--aging") ? [] : ["--aging", "on"]
        let (status, _) = AgingBenchMain.run(["run", "--quiet", "--engine", "virtual", "--output", path] + aging + arguments)
        #expect(status == .badInput, "\(arguments)")
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}

/// The pressure preset and the request charts.
@Suite(.scratchCleanup) struct PressurePresetTests {
    @Test func thePresetFillsTheComparisonTheIssueAsksFor() throws {
        let command = try RunCommand.parse(["--preset", "pressure"])
        let validated = try command.validated()
        #expect(validated.plan.backends == ["baseline", "x86-tdp", "x86-tdp-nobitmap", "arm64-stage2", "arm64-stage2-wrlock"])
        #expect(validated.plan.vcpuCounts == [8, 32, 64] && validated.plan.aging == [true])
        #expect(validated.settings.hostMemory == .overcommit(1.5) && validated.settings.requests == .keyValue)
        #expect(validated.settings.engine == .virtual && validated.plan.repetitions == 1)
        #expect(validated.destination == .file(path: "results/pressure.csv", createParent: true))
        // Options given win over the preset's.
        let chase = try RunCommand.parse(["--preset", "pressure", "--requests", "chase", "--overcommit", "2"]).validated()
        #expect(chase.settings.requests == .pointerChase && chase.settings.hostMemory == .overcommit(2))
    }

    static func row(_ backend: String, vcpus: Int, perSecond: Double, p999: UInt64) -> RunRecord {
        var record = RunRecord.empty
        record.backend = backend
        record.vcpus = vcpus
        record.memoryPerVCPUBytes = 1 << 20
        record.requestWorkload = "kv"
        record.requests = 1000
        record.requestsPerSecond = perSecond
        (record.requestP50Nanos, record.requestP90Nanos, record.requestP99Nanos) = (100, 200, 400)
        (record.requestP999Nanos, record.requestP9999Nanos, record.requestMaxNanos) = (p999, p999 * 2, p999 * 4)
        record.hostMemoryPages = 2 * 256 * UInt64(vcpus) / 3
        record.swap = "zram"
        return record
    }

    @Test func rowsWithRequestsGetAThroughputChartAndALatencyChartPerVCPUCount() throws {
        let records = [
            Self.row("baseline", vcpus: 2, perSecond: 1e6, p999: 5000), Self.row("x86-tdp", vcpus: 2, perSecond: 2e6, p999: 3000),
            Self.row("baseline", vcpus: 4, perSecond: 1.5e6, p999: 9000), Self.row("x86-tdp", vcpus: 4, perSecond: 3e6, p999: 4000),
        ]
        let charts = ResultCharts.requestCharts(records, source: "p.csv", stem: "p")
        #expect(charts.map(\.0) == ["p-requests-vs-vcpus.svg", "p-request-latency-2vcpu.svg", "p-request-latency-4vcpu.svg"])
        let throughput = charts[0].1
        #expect(throughput.categories == ["2", "4"])
        #expect(throughput.series.map(\.name) == ["baseline", "x86-tdp"])
        #expect(throughput.series[1].points.map(\.spread.median) == [2, 3], "millions of requests per second")
        let latency = charts[2].1
        #expect(latency.categories == ["p50", "p90", "p99", "p99.9", "p99.99", "max"])
        #expect(latency.series[0].points.map(\.spread.median) == [0.1, 0.2, 0.4, 9, 18, 36], "microseconds")
        #expect(latency.note.contains("1.50× the host's memory"))
        #expect(ResultCharts.requestCharts(records.map { var row = $0; row.requests = 0; return row }, source: "p", stem: "p").isEmpty)
    }
}
