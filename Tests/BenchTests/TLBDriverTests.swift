@testable import Bench
@testable import Results
import Backends
import Core
import Testing

/// What the TLB does to aging, step by step on one thread, for every registered backend: the
/// vCPU leaves guest mode before each pass, so a shootdown waits for nobody and the vCPU
/// answers it when it re-enters, exactly as it would answer an IPI.
@Suite(.scratchCleanup) struct TLBDriverTests {
    static let pages: UInt64 = 256

    struct Outcome {
        var falseOld: UInt64 = 0
        var evictions: UInt64 = 0
        var hits: UInt64 = 0
        var falseOldRefaults = 0
        var refaults = 0
    }

    /// Populate through the TLB, age, use every page again through the TLB, age again (evicting
    /// what stayed old for one pass), then use every page once more.
    static func scenario<MMU: SecondaryMMU>(_ mmu: MMU, mode: DriverMode, flushOnAge: Bool) throws -> Outcome {
        let host = HostSide(
            memory: try #require(HostMemory(pages: pages)), faultRemainderNanos: 0, agingRemainderNanosPerPage: 0)
        let remote = RemoteTLBs(vcpus: 1, entries: 512, ways: 4, gfnCount: pages)
        let tlb = remote.tlb(0)
        let vcpu = mmu.makeThread(role: .vcpu)
        var outcome = Outcome()
        func useEveryPage() {
            vcpu.enterReadSide()
            tlb.enterGuest()
            for gfn in 0..<pages {
                mmu.accessFaulting(gfn, write: false, thread: vcpu, tlb: tlb.port, host: host) { _, result in
                    if result == .falseOldRefault { outcome.falseOldRefaults += 1 }
                    if result?.isRefault == true { outcome.refaults += 1 }
                }
            }
            tlb.exitGuest()
            vcpu.exitReadSide()
        }
        var driver = AgingDriver(
            mmu: mmu, thread: mmu.makeThread(role: .aging), guestPages: pages, windowPages: 64,
            evictAfter: 1, mode: mode, host: host, remote: remote, flushOnAge: flushOnAge)
        useEveryPage()
        driver.runPass()
        #expect(driver.falseOld == 0, "populate walked every page: all young")
        let hitsBefore = tlb.counters.hits
        useEveryPage()
        outcome.hits = tlb.counters.hits - hitsBefore
        driver.runPass()
        outcome.falseOld = driver.falseOld
        outcome.evictions = driver.evictions
        useEveryPage()
        #expect(mmu.identityViolations(in: GFNRange(start: 0, count: pages), thread: driver.thread) == 0)
        vcpu.retire()
        driver.thread.retire()
        return outcome
    }

    /// Without the flush, every page used through the TLB after a clear looks old to the next
    /// pass: all of them are false old, evicted, and refault, each one counted as such.
    @Test(arguments: Backends.all, [DriverMode.perPage, .bitmap])
    func withoutTheFlushTLBHitsMakePagesFalseOld(_ descriptor: BackendDescriptor, mode: DriverMode) throws {
        let outcome = try Self.scenario(
            descriptor.make(MMUConfiguration(gfnCount: Self.pages)), mode: mode, flushOnAge: false)
        #expect(outcome.hits == Self.pages)
        #expect(outcome.falseOld == Self.pages)
        #expect(outcome.evictions == Self.pages)
        #expect(outcome.falseOldRefaults == Int(Self.pages))
        #expect(outcome.refaults == Int(Self.pages))
    }

    /// `--flush-on-age`: the clear shoots the translations down, so the next use walks and sets
    /// Accessed: no page is false old, none is evicted.
    @Test(arguments: Backends.all, [DriverMode.perPage, .bitmap])
    func flushOnAgeLeavesNoFalseOldPage(_ descriptor: BackendDescriptor, mode: DriverMode) throws {
        let outcome = try Self.scenario(
            descriptor.make(MMUConfiguration(gfnCount: Self.pages)), mode: mode, flushOnAge: true)
        #expect(outcome.hits == 0)
        #expect(outcome.falseOld == 0)
        #expect(outcome.evictions == 0)
        #expect(outcome.refaults == 0)
    }

    /// Eviction-only aging asks the secondary MMU with `clear_flush_young` before it evicts:
    /// the pages are young (populate walked them), so they are kept and flushed, not evicted.
    @Test(arguments: Backends.all)
    func evictionOnlyChecksWithClearFlushYoung(_ descriptor: BackendDescriptor) throws {
        let outcome = try Self.scenario(
            descriptor.make(MMUConfiguration(gfnCount: Self.pages)), mode: .evictionOnly, flushOnAge: false)
        #expect(outcome.falseOld == 0)
        #expect(outcome.evictions == 0)
    }

    /// The same run with and without a TLB: with one, every access either hits or fills; with
    /// `--tlb-entries 0` nothing is counted and no shootdown is made (the model before the TLB).
    @Test func tlbColumnsAccountForEveryAccess() throws {
        let directory = makeScratchDirectory()
        for entries in ["0", "2048"] {
            let path = directory.appendingPathComponent("tlb-\(entries).csv").path
            let status = AgingBenchMain.run([
                "run", "--backends", "x86-tdp,x86-shadow", "--memory", "256K", "--vcpus", "1,2", "--aging", "on",
                "--costs", "host-only", "--evict-after", "1", "--pattern", "hotcold", "--rounds", "20",
                "--repetitions", "1", "--tlb-entries", entries, "--quiet", "--output", path,
            ]).0
            #expect(status == .success)
            let rows = try csvRows(try String(contentsOfFile: path, encoding: .utf8))
            #expect(rows.count == 4)
            for row in rows {
                let hits = UInt64(row["tlb_hits"]!)!
                let misses = UInt64(row["tlb_misses"]!)!
                #expect(row["tlb_entries"] == entries)
                if entries == "0" {
                    #expect(hits == 0 && misses == 0)
                    #expect(row["shootdowns"] == "0" && row["false_old"] == "0" && row["false_old_refaults"] == "0")
                } else {
                    #expect(hits + misses == UInt64(row["accesses"]!)!)
                    #expect(misses >= 64 * UInt64(row["vcpus"]!)!, "populate fills every page")
                    #expect(UInt64(row["false_old_refaults"]!)! <= UInt64(row["refaults"]!)!)
                }
                #expect(row["non_a_bit_changes"] == "0")
            }
        }
    }

    /// `--flush-on-age` under real threads, eviction on: not one page false old.
    @Test func flushOnAgeRunsReportNoFalseOldPage() throws {
        let path = makeScratchDirectory().appendingPathComponent("flush.csv").path
        let status = AgingBenchMain.run([
            "run", "--backends", "all", "--memory", "512K", "--vcpus", "1,2", "--aging", "on",
            "--costs", "host-only", "--evict-after", "1", "--pattern", "hotcold", "--rounds", "50",
            "--repetitions", "1", "--flush-on-age", "--quiet", "--output", path,
        ]).0
        #expect(status == .success)
        let rows = try csvRows(try String(contentsOfFile: path, encoding: .utf8))
        #expect(rows.count == 2 * Backends.all.count)
        for row in rows {
            #expect(row["flush_on_age"] == "1")
            #expect(row["false_old"] == "0", "\(row["backend"]!)")
            #expect(row["false_old_refaults"] == "0", "\(row["backend"]!)")
        }
    }
}
