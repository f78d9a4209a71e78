import Backends
import Core
import Testing

/// The vCPU's TLB over every registered backend: it lives on the vCPU side, so a backend gets
/// it with no code of its own. Single-threaded: the vCPU leaves guest mode before anything is
/// shot down, so the poster waits for nobody and the vCPU answers when it re-enters.
@Suite(.conformanceTimeLimit) struct ConformanceTLBTests {
    static let pages: UInt64 = 128

    /// Reads every page of `range` through `tlb` in guest mode; returns the faults taken.
    @discardableResult
    static func read<MMU: SecondaryMMU>(_ mmu: MMU, _ range: GFNRange, thread: HostThread, tlb: TLB?) -> Int {
        thread.enterReadSide()
        tlb?.enterGuest()
        var faults = 0
        for gfn in range.start..<range.end { faults += mmu.accessFaulting(gfn, write: false, thread: thread, tlb: tlb?.port) }
        tlb?.exitGuest()
        thread.exitReadSide()
        return faults
    }

    @Test(arguments: BackendCase.all(gfnCount: pages))
    func aHitNeitherWalksNorSetsAccessed(_ backend: BackendCase) {
        let mmu = backend.make()
        let all = GFNRange(start: 0, count: Self.pages)
        let vcpu = mmu.makeThread(role: .vcpu)
        let ager = mmu.makeThread(role: .aging)
        defer { vcpu.retire(); ager.retire() }
        let tlb = TLB(entries: 256, ways: 4)
        Self.read(mmu, all, thread: vcpu, tlb: tlb)
        #expect(tlb.counters.misses == Self.pages, "populate fills every translation")
        mmu.ageAll(all, thread: ager)
        #expect(mmu.youngPages(in: all, thread: ager).isEmpty)

        #expect(Self.read(mmu, all, thread: vcpu, tlb: tlb) == 0)
        #expect(tlb.counters.hits == Self.pages)
        #expect(mmu.youngPages(in: all, thread: ager).isEmpty, "a hit set Accessed")

        // A write through a translation filled by a read walks again, for Dirty.
        vcpu.enterReadSide()
        tlb.enterGuest()
        mmu.accessFaulting(5, write: true, thread: vcpu, tlb: tlb.port)
        tlb.exitGuest()
        vcpu.exitReadSide()
        #expect(tlb.counters.misses == Self.pages + 1)
        #expect(mmu.youngPages(in: all, thread: ager) == [5])

        // Without a TLB (`--tlb-entries 0`) every access walks and sets Accessed again.
        Self.read(mmu, all, thread: vcpu, tlb: nil)
        #expect(mmu.youngPages(in: all, thread: ager) == Set(all.start..<all.end))
        #expect(mmu.identityViolations(in: all, thread: ager) == 0)
    }

    @Test(arguments: BackendCase.all(gfnCount: pages))
    func clearYoungKeepsTranslationsAndClearFlushYoungShootsThemDown(_ backend: BackendCase) {
        let mmu = backend.make()
        let all = GFNRange(start: 0, count: Self.pages)
        let remote = RemoteTLBs(vcpus: 2, entries: 256, ways: 4, gfnCount: Self.pages)
        let vcpu = mmu.makeThread(role: .vcpu)
        let ager = mmu.makeThread(role: .aging)
        defer { vcpu.retire(); ager.retire() }
        let tlb = remote.tlb(1)
        Self.read(mmu, all, thread: vcpu, tlb: tlb)

        let low = GFNRange(start: 0, count: 64)
        let high = GFNRange(start: 64, count: 64)
        #expect(mmu.clearYoung(low, thread: ager).contains(.young))
        #expect(mmu.clearFlushYoung(high, thread: ager, remote: remote).contains(.young))
        #expect(ager.events.shootdowns == 1)
        // Nothing young in the range: nothing to flush, as `flush_on_ret` needs a young page.
        #expect(!mmu.clearFlushYoung(high, thread: ager, remote: remote).contains(.young))
        #expect(ager.events.shootdowns == 1)

        let hitsBefore = tlb.counters.hits
        Self.read(mmu, all, thread: vcpu, tlb: tlb)
        #expect(tlb.counters.hits - hitsBefore == low.count, "only the unflushed half hits")
        #expect(mmu.youngPages(in: all, thread: ager) == Set(high.start..<high.end))
        #expect(remote.ledger.take(low).count == Int(low.count))
        #expect(remote.ledger.take(high).isEmpty)
    }

    @Test(arguments: BackendCase.all(gfnCount: pages))
    func anInvalidationShootsDownWhatItZaps(_ backend: BackendCase) {
        let mmu = backend.make()
        let all = GFNRange(start: 0, count: Self.pages)
        let remote = RemoteTLBs(vcpus: 1, entries: 256, ways: 4, gfnCount: Self.pages)
        let vcpu = mmu.makeThread(role: .vcpu)
        let zapper = mmu.makeThread(role: .zap)
        defer { vcpu.retire(); zapper.retire() }
        let tlb = remote.tlb(0)
        Self.read(mmu, all, thread: vcpu, tlb: tlb)
        let zapped = GFNRange(start: 10, count: 20)
        mmu.invalidate(zapped, thread: zapper, remote: remote)
        #expect(zapper.events.shootdowns == 1)
        // Every zapped page faults again; the others hit.
        #expect(Self.read(mmu, all, thread: vcpu, tlb: tlb) == Int(zapped.count))
        #expect(tlb.counters.hits == Self.pages - zapped.count)
        #expect(tlb.counters.answered == 1)
    }
}
