@testable import Bench
@testable import Results
import Backends
import Core
import Foundation
import Histogram
import Testing

/// Request workloads (`run --requests`): how the stream groups accesses into requests, Zipf
/// popularity, determinism, each request's latency in virtual time to the nanosecond, and the
/// rows' request columns.
@Suite(.scratchCleanup) struct RequestWorkloadTests {
    /// One access of a stream, as `nextWork` gives it.
    typealias Access = (gfn: UInt64, write: Bool, request: RequestEdge)

    static func settings(_ workload: RequestWorkload?, rounds: Int, seed: UInt64 = 1) -> WorkloadSettings {
        var settings = WorkloadSettings()
        settings.requests = workload
        settings.rounds = rounds
        settings.seed = seed
        return settings
    }

    /// Every work access of vCPU `vcpu`'s stream over `pages` pages.
    static func work(_ settings: WorkloadSettings, pages: UInt64, vcpu: Int = 0, repetition: Int = 0) -> [Access] {
        var stream = AccessStream(vcpu: vcpu, pages: pages, settings: settings, repetition: repetition)
        var accesses: [Access] = []
        while let access = stream.nextWork() { accesses.append(access) }
        return accesses
    }

    /// The accesses cut into requests at their edges; every request must start with `starts`,
    /// end with `ends`, and carry neither in between.
    static func requests(_ accesses: [Access]) -> [[Access]] {
        var requests: [[Access]] = []
        for access in accesses {
            if access.request.contains(.starts) {
                #expect(requests.last.map { $0.last?.request.contains(.ends) == true } ?? true, "a request starts before the last ended")
                requests.append([])
            }
            requests[requests.count - 1].append(access)
        }
        #expect(requests.last?.last?.request.contains(.ends) ?? true, "the last request never ended")
        for request in requests {
            #expect(request.dropFirst().allSatisfy { !$0.request.contains(.starts) })
            #expect(request.dropLast().allSatisfy { !$0.request.contains(.ends) })
        }
        return requests
    }

    // MARK: The stream

    @Test func aKeyValueRequestReadsOrWritesEveryPageOfOneItem() {
        let pages: UInt64 = 4096
        let base = pages  // vCPU 1's region
        let accesses = Self.work(Self.settings(.keyValue, rounds: 4), pages: pages, vcpu: 1)
        #expect(UInt64(accesses.count) == 4 * pages, "the work is rounds × pages accesses")
        let requests = Self.requests(accesses)
        #expect(UInt64(requests.count) == 4 * pages / RequestWorkload.itemPages)
        var sets = 0
        for request in requests {
            #expect(UInt64(request.count) == RequestWorkload.itemPages)
            let first = request[0].gfn
            #expect(first >= base && (first - base) % RequestWorkload.itemPages == 0, "a request starts at an item's first page")
            #expect(request.map(\.gfn) == (0..<UInt64(request.count)).map { first + $0 }, "then reads the item's pages in order")
            #expect(request.allSatisfy { $0.write == request[0].write }, "a get only reads, a set only writes")
            if request[0].write { sets += 1 }
        }
        // ETC's 30 gets per set: 8192 requests hold about 264 sets.
        let gets = requests.count - sets
        #expect(sets > 0 && Double(gets) / Double(sets) > 20 && Double(gets) / Double(sets) < 45, "\(gets) gets, \(sets) sets")
    }

    @Test func theMostPopularKeyIsDrawnFarMoreOftenThanTheMedianOne() {
        let pages: UInt64 = 2000
        let accesses = Self.work(Self.settings(.keyValue, rounds: 100), pages: pages)
        var perItem = [Int](repeating: 0, count: Int(pages / RequestWorkload.itemPages))
        for request in Self.requests(accesses) { perItem[Int(request[0].gfn / RequestWorkload.itemPages)] += 1 }
        let stream = RequestStream(workload: .keyValue, pages: pages, budget: 0)
        let mostPopular = perItem[Int(stream.item(ofRank: 0))]
        let sorted = perItem.sorted(by: >)
        #expect(mostPopular == sorted[0], "rank 0's item is drawn most")
        // Zipf(0.99) over 1000 keys: rank 0 has 1/ζ ≈ 13% of the draws, the median key about 1/500 of that.
        #expect(mostPopular > 100 * sorted[sorted.count / 2], "most popular \(mostPopular), median \(sorted[sorted.count / 2])")
        // Hashed, not packed: the next most popular keys' items are spread over the region.
        let topItems = (0..<8).map { stream.item(ofRank: $0) }
        #expect(Set(topItems).count == 8 && topItems.max()! - topItems.min()! > stream.items / 2)
    }

    @Test func zipfRanksZeroAndOneComeWithTheirExactProbabilities() {
        let count: UInt64 = 1000
        let theta = RequestWorkload.zipfTheta
        let keys = ZipfianGenerator(count: count, theta: theta)
        var random = SplitMix64(seed: 42)
        let draws = 200_000
        var counts = [Int](repeating: 0, count: Int(count))
        for _ in 0..<draws { counts[Int(keys.next(&random))] += 1 }
        let zeta = (1...count).reduce(0.0) { $0 + 1 / pow(Double($1), theta) }
        #expect(abs(ZipfianGenerator.zeta(count: count, theta: theta) - zeta) < 1e-9 * zeta)
        let first = Double(counts[0]) / Double(draws)
        let second = Double(counts[1]) / Double(draws)
        #expect(abs(first - 1 / zeta) < 0.03 / zeta, "rank 0: \(first), Zipf \(1 / zeta)")
        #expect(abs(second - pow(0.5, theta) / zeta) < 0.05 * pow(0.5, theta) / zeta, "rank 1: \(second)")
        #expect(counts[999] < counts[99] && counts[99] < counts[9], "popularity falls with rank")
    }

    @Test func aChaseRequestIsAFixedChainOfReadsInTheRegion() {
        let pages: UInt64 = 64
        let accesses = Self.work(Self.settings(.pointerChase, rounds: 4), pages: pages, vcpu: 2)
        let requests = Self.requests(accesses)
        #expect(UInt64(requests.count) == 4 * pages / RequestWorkload.chaseLength)
        #expect(requests.allSatisfy { UInt64($0.count) == RequestWorkload.chaseLength })
        #expect(accesses.allSatisfy { !$0.write && (2 * pages..<3 * pages).contains($0.gfn) })
        #expect(Set(accesses.map(\.gfn)).count > Int(pages) / 2, "uniform over the region")
    }

    @Test func aRequestThatWouldPassTheWorkBudgetIsNotStarted() {
        // 6 pages × 1 round: one chain of 4 fits, a second would need 8 accesses.
        let chase = Self.work(Self.settings(.pointerChase, rounds: 1), pages: 6)
        #expect(chase.count == 4 && Self.requests(chase).count == 1)
        // 3 pages hold one 2-page item; the third page is never a request's.
        let keyValue = Self.work(Self.settings(.keyValue, rounds: 1), pages: 3)
        #expect(keyValue.map(\.gfn) == [0, 1])
        // A region smaller than an item is one item.
        let tiny = Self.work(Self.settings(.keyValue, rounds: 3), pages: 1)
        #expect(tiny.count == 3 && tiny.allSatisfy { $0.gfn == 0 && $0.request == [.starts, .ends] })
        #expect(Self.work(Self.settings(.keyValue, rounds: 0), pages: 64).isEmpty)
    }

    @Test(arguments: RequestWorkload.allCases)
    func theStreamDependsOnSeedVCPUAndRepetitionOnly(_ workload: RequestWorkload) {
        func gfns(seed: UInt64 = 1, vcpu: Int = 0, repetition: Int = 0) -> [UInt64] {
            Self.work(Self.settings(workload, rounds: 2, seed: seed), pages: 512, vcpu: vcpu, repetition: repetition)
                .map { $0.gfn - UInt64(vcpu) * 512 }
        }
        let first = Self.work(Self.settings(workload, rounds: 2), pages: 512)
        let again = Self.work(Self.settings(workload, rounds: 2), pages: 512)
        #expect(first.map(\.gfn) == again.map(\.gfn) && first.map(\.write) == again.map(\.write))
        #expect(first.map(\.request) == again.map(\.request))
        #expect(gfns(seed: 2) != gfns() && gfns(vcpu: 1) != gfns() && gfns(repetition: 1) != gfns())
    }

    @Test func withoutRequestsTheStreamIsTheSelftestsRounds() {
        let accesses = Self.work(Self.settings(nil, rounds: 2), pages: 64)
        #expect(accesses.count == 128 && accesses.allSatisfy { $0.request.isEmpty })
    }

    /// The thread engine's fused loop and the virtual engine's steps see the same requests.
    @Test(arguments: RequestWorkload.allCases)
    func stepsAndTheFusedLoopCompleteTheSameRequests(_ workload: RequestWorkload) throws {
        let pages: UInt64 = 64
        func make() throws -> VCPU<RadixMMU> {
            let mmu = try #require(Backends.named("x86-tdp")?.make(MMUConfiguration(gfnCount: pages)) as? RadixMMU)
            return VCPU(mmu: mmu, index: 0, pages: pages, settings: Self.settings(workload, rounds: 3), repetition: 0,
                        host: nil, tlb: nil, checksStaleAccesses: false)
        }
        var fused = try make()
        fused.runPhase(.populate)
        fused.runPhase(.work)
        var stepped = try make()
        stepped.runPhase(.populate)
        stepped.beginPhase(.work)
        var starts = 0
        var ends = 0
        while case .access(_, let fault) = stepped.stepAccess() {
            #expect(fault == nil, "populated pages never fault without aging")
            if stepped.requestEdge.contains(.starts) { starts += 1 }
            if stepped.requestEdge.contains(.ends) {
                ends += 1
                stepped.recordRequest(nanoseconds: 1)
            }
        }
        let expected = 3 * pages / workload.accessesPerRequest(pages: pages)
        #expect(UInt64(starts) == expected && UInt64(ends) == expected)
        #expect(fused.report.requests == expected && stepped.report.requests == expected)
        #expect(fused.report.requestNanoseconds.totalCount == expected)
    }

    // MARK: Latency in virtual time

    /// The virtual engine's reports for one 1-vCPU cell, before they become a row.
    static func virtualRun(_ backend: String, memory: String, aging: Bool, _ settings: WorkloadSettings) throws -> EngineRun {
        let cell = SweepCell(
            backend: backend, memoryPerVCPU: try ByteSize(parsing: memory), vcpus: 1, aging: aging, repetition: 0, index: 0)
        let guestPages = cell.memoryPerVCPU.bytes / GuestMemory.pageBytes
        let descriptor = try #require(Backends.named(backend))
        let engine = try VirtualEngine(backend: backend, settings: settings)
        let host = try engine.makeHostSide(guestPages: guestPages, costs: settings.costs, budget: nil, swap: settings.swap)
        let mmu = descriptor.make(MMUConfiguration(gfnCount: guestPages, accessTracking: settings.accessTracking))
        return run(cell, mmu: mmu, host: host, engine: engine, settings: settings)
    }

    private static func run<MMU: SecondaryMMU>(
        _ cell: SweepCell, mmu: MMU, host: HostSide?, engine: VirtualEngine, settings: WorkloadSettings
    ) -> EngineRun {
        engine.run(CellSetup(cell: cell, mmu: mmu, host: host, settings: settings)) {}
    }

    /// Every value a histogram recorded, with its count (exact below 2048 at three digits).
    static func values(_ histogram: Histogram<UInt64>) -> [UInt64: UInt64] {
        var values: [UInt64: UInt64] = [:]
        for bucket in histogram.recordedValues() { values[bucket.value, default: 0] += bucket.count }
        return values
    }

    /// With every page mapped and nothing else running, a request costs its accesses, priced as
    /// the engine prices them: a walk without a TLB, a lookup that hits with one.
    @Test(arguments: RequestWorkload.allCases, [0, TLB.defaultEntries])
    func aRequestWithoutFaultsCostsItsAccesses(_ workload: RequestWorkload, _ tlbEntries: Int) throws {
        var settings = VirtualEngineTests.settings(.virtual)
        settings.requests = workload
        settings.tlbEntries = tlbEntries
        settings.rounds = 2
        let costs = try #require(settings.engineCosts)
        let perAccess = tlbEntries == 0 ? costs.backends["x86-tdp"]!.accessNanos : costs.tlbLookupNanos
        let expected = UInt64(Double(workload.accessesPerRequest(pages: 16)) * perAccess)
        let run = try Self.virtualRun("x86-tdp", memory: "64K", aging: false, settings)
        let report = try #require(run.vcpus.first)
        #expect(report.requests == 2 * 16 / workload.accessesPerRequest(pages: 16))
        #expect(Self.values(report.requestNanoseconds) == [expected: report.requests], "every request took \(expected) ns")

        let record = try VirtualEngineTests.run("x86-tdp", memory: "64K", vcpus: 1, aging: false, settings)
        #expect(record.requestWorkload == workload.rawValue && record.requests == report.requests)
        for percentile in [record.requestP50Nanos, record.requestP90Nanos, record.requestP99Nanos, record.requestP999Nanos,
                           record.requestP9999Nanos, record.requestMaxNanos] {
            #expect(percentile == expected)
        }
        // One vCPU, back to back: the work phase is its requests.
        #expect((record.vcpuWallSeconds * 1e9).rounded() == Double(expected * record.requests))
        #expect(record.requestsPerSecond == Double(record.requests) / record.vcpuWallSeconds)
    }

    /// With the VMM unmapping the guest, requests refault, and their faults wait for the zaps'
    /// write lock: a request's latency is its attempts (each fault adds a retry), each priced as
    /// a walk, plus its faults as the engine timed them (the exit, GUP, the wait for and the work
    /// under `mmu_lock`, the line moves, re-entry). A 4-page guest serves one request (one chain
    /// of 4), checked alone; a 64-page guest serves 16, checked in sum. The populate's faults are
    /// told apart by running the same cell with no work. Costs are scaled down so every latency
    /// stays below 2048 ns, where the histogram records values exactly.
    @Test(arguments: [("16K", 300.0), ("256K", 2000.0)])
    func faultingRequestsTakeTheirAttemptsAndTheirFaults(_ memory: String, _ unmapEvery: Double) throws {
        var costs = VirtualEngineTests.costs()
        costs.gupFirstTouchNanos = 50
        costs.lineTransferNanos = 5
        costs.exitEntryNanos = 10
        costs.lockPairNanos = 4
        costs.backends["x86-tdp"]?.faultNanos = 40
        var settings = VirtualEngineTests.settings(.virtual)
        settings.engineCosts = costs
        settings.unmapEveryNanos = unmapEvery
        settings.tlbEntries = 0
        settings.requests = .pointerChase
        settings.rounds = 1
        let worked = try #require(try Self.virtualRun("x86-tdp", memory: memory, aging: false, settings).vcpus.first)
        settings.rounds = 0
        let populated = try #require(try Self.virtualRun("x86-tdp", memory: memory, aging: false, settings).vcpus.first)
        let requests = try ByteSize(parsing: memory).bytes / GuestMemory.pageBytes / RequestWorkload.chaseLength
        #expect(populated.requests == 0 && worked.requests == requests)

        let workFaults = worked.faults - populated.faults
        try #require(workFaults > 0, "no request refaulted: the test checks nothing")
        var faultNanos: UInt64 = 0
        let before = Self.values(populated.faultTicks)
        for (value, count) in Self.values(worked.faultTicks) where count > (before[value] ?? 0) {
            faultNanos += value * (count - (before[value] ?? 0))
        }
        #expect(worked.faultTicks.max < 2048 && worked.requestNanoseconds.max < 2048, "above 2048 ns values are binned, not exact")
        let walk = try #require(costs.backends["x86-tdp"]).accessNanos
        let attempts = requests * RequestWorkload.chaseLength + workFaults
        let latencies = Self.values(worked.requestNanoseconds)
        let total = latencies.reduce(0) { $0 + $1.key * $1.value }
        #expect(total == UInt64(Double(attempts) * walk) + faultNanos, "\(workFaults) faults of \(faultNanos) ns in all")
        if requests == 1 {
            #expect(latencies == [total: 1], "the one request's latency is its own attempts and faults")
        }
        // A request is at least its four walks; at most one request per fault took longer.
        let plain = UInt64(Double(RequestWorkload.chaseLength) * walk)
        #expect(latencies.keys.allSatisfy { $0 >= plain })
        #expect(latencies.filter { $0.key > plain }.reduce(0) { $0 + $1.value } <= workFaults)
    }

    // MARK: Rows

    @Test func rowsCarryTheRequestColumnsInBothEngines() throws {
        let directory = makeScratchDirectory()
        let calibration = try VirtualEngineTests.calibrationFixture(in: directory)
        let common = ["--backends", "x86-tdp,baseline", "--memory", "64K", "--vcpus", "2", "--aging", "on", "--repetitions", "1",
                      "--quiet", "--requests", "chase"]
        let virtualPath = directory.appendingPathComponent("virtual.csv").path
        let realPath = directory.appendingPathComponent("real.csv").path
        let plainPath = directory.appendingPathComponent("plain.csv").path
        #expect(AgingBenchMain.run(["run", "--engine", "virtual", "--calibration", calibration, "--output", virtualPath] + common).0 == .success)
        #expect(AgingBenchMain.run(["run", "--costs", "host-only", "--output", realPath] + common).0 == .success)
        #expect(runTinySweep(output: plainPath) == .success)
        for path in [virtualPath, realPath] {
            let rows = try csvRows(String(contentsOfFile: path, encoding: .utf8))
            #expect(rows.count == 2)
            for row in rows {
                #expect(row["schema"] == "9" && row["request_workload"] == "chase")
                // 2 vCPUs × 16 pages × 4 rounds, in chains of 4.
                #expect(row["requests"] == "32", "\(path)")
                #expect((Double(row["requests_per_second"] ?? "") ?? 0) > 0)
                let tail = ["request_p50_ns", "request_p90_ns", "request_p99_ns", "request_p999_ns", "request_p9999_ns", "request_max_ns"]
                    .map { UInt64(row[$0] ?? "") ?? 0 }
                #expect(tail.first! > 0 && tail == tail.sorted(), "percentiles rise to the max: \(tail)")
            }
        }
        let plain = try csvRows(String(contentsOfFile: plainPath, encoding: .utf8))
        #expect(!plain.isEmpty)
        for row in plain {
            #expect(row["request_workload"] == "" && row["requests"] == "0" && row["requests_per_second"] == "0.0")
            #expect(row["request_p50_ns"] == "0" && row["request_max_ns"] == "0")
        }
    }

    @Test func requestsShapeTheCellsIdentity() {
        var row = ResultRow(["backend": "x86-tdp", "request_workload": "kv"])
        let kv = CellKey(row: row, columns: CellKey.parameterColumns)
        row = ResultRow(["backend": "x86-tdp", "request_workload": "chase"])
        #expect(kv != CellKey(row: row, columns: CellKey.parameterColumns), "kv and chase rows never pair")
        #expect(ResultsFile.sweepColumns.contains("request_workload"), "merge refuses shards of two workloads")
    }
}
