@testable import Core
import Synchronization
import Testing

@Suite struct TLBTests {
    @Test func aSetHoldsItsWaysAndReplacesRoundRobin() {
        let tlb = TLB(entries: 16, ways: 4)
        // gfns 0, 4, 8, … share set 0 of four sets.
        for gfn in stride(from: UInt64(0), to: 20, by: 4) { tlb.fill(gfn, write: false) }
        #expect(!tlb.lookup(0, write: false), "the fifth fill replaced the first")
        for gfn in stride(from: UInt64(4), to: 20, by: 4) { #expect(tlb.lookup(gfn, write: false)) }
        #expect(tlb.counters.hits == 4)
        #expect(tlb.counters.misses == 5)
        #expect(!tlb.lookup(1, write: false), "another set is empty")
    }

    @Test func aWriteHitsOnlyATranslationFilledByAWrite() {
        let tlb = TLB(entries: 16, ways: 4)
        tlb.fill(3, write: false)
        #expect(tlb.lookup(3, write: false))
        #expect(!tlb.lookup(3, write: true))
        tlb.fill(3, write: true)
        #expect(tlb.lookup(3, write: true))
        #expect(tlb.lookup(3, write: false))
        #expect(tlb.counters.misses == 2, "the write walk refilled the way it found clean")
    }

    /// Every way is found, whether the set's compare runs sixteen ways at a time, one at a
    /// time, or both (a tail after whole sixteens): one set, filled way by way, each gfn hit
    /// in its own way and a gfn never filled missed.
    @Test(arguments: [4, 16, 20, 48, 64])
    func everyWayOfASetIsFound(_ ways: Int) {
        let tlb = TLB(entries: ways, ways: ways)
        for gfn in UInt64(0)..<UInt64(ways) { tlb.fill(gfn, write: gfn % 3 == 0) }
        for gfn in UInt64(0)..<UInt64(ways) {
            #expect(tlb.lookup(gfn, write: false), "way \(gfn) of \(ways)")
            #expect(tlb.lookup(gfn, write: true) == (gfn % 3 == 0), "way \(gfn)'s dirty bit")
        }
        #expect(!tlb.lookup(UInt64(ways), write: false))
        #expect(tlb.counters.hits == UInt64(ways + (ways + 2) / 3))
    }

    @Test(arguments: [GFNRange(start: 2, count: 3), GFNRange(start: 0, count: 1000)])
    func aShootdownFlushesItsRangeOnly(_ range: GFNRange) {
        let tlb = TLB(entries: 64, ways: 4)
        for gfn in UInt64(0)..<32 { tlb.fill(gfn, write: false) }
        _ = tlb.post(range)
        tlb.enterGuest()
        for gfn in UInt64(0)..<32 { #expect(tlb.lookup(gfn, write: false) == !range.contains(gfn)) }
        tlb.exitGuest()
        #expect(tlb.counters.answered == 1)
    }

    @Test func sizesMustMakeWholePowerOfTwoSets() {
        #expect(TLB.isValid(entries: 2048, ways: 16))
        #expect(TLB.isValid(entries: 16, ways: 16))
        #expect(!TLB.isValid(entries: 100, ways: 16))
        #expect(!TLB.isValid(entries: 48, ways: 16))
        #expect(!TLB.isValid(entries: 0, ways: 16))
    }

    /// The poster returns only after a vCPU in guest mode answered: when the vCPU sees the
    /// shootdown returned, it has already flushed.
    @Test func aShootdownWaitsForTheVCPUInGuestMode() {
        let remote = RemoteTLBs(vcpus: 1, entries: 16, ways: 4, gfnCount: 16)
        let tlb = remote.tlb(0)
        let reclaimer = EpochReclaimer { _ in }
        let inGuest = Atomic<Bool>(false)
        let returned = Atomic<Bool>(false)
        let answeredFirst = Atomic<Bool>(false)
        let vcpu = OSThread {
            tlb.fill(1, write: false)
            tlb.enterGuest()
            inGuest.store(true, ordering: .releasing)
            // Answers only now and then, so a poster that did not wait would return first.
            var done = false
            while !done {
                for _ in 0..<100 where !done {
                    done = returned.load(ordering: .acquiring)
                    if !done { OSThread.yield() }
                }
                if !done { tlb.answerPending() }
            }
            answeredFirst.store(tlb.counters.answered == 1 && !tlb.lookup(1, write: false), ordering: .relaxed)
            tlb.exitGuest()
        }
        while !inGuest.load(ordering: .acquiring) { OSThread.yield() }
        let zapper = HostThread(role: .zap, reclaimer: reclaimer)
        remote.shootDown(GFNRange(start: 0, count: 4), thread: zapper)
        returned.store(true, ordering: .releasing)
        vcpu.join()
        let answered = answeredFirst.load(ordering: .relaxed)
        #expect(answered)
        #expect(zapper.events.shootdowns == 1)
        zapper.retire()
    }

    @Test func theLedgerReturnsEachHitOnceInBitmapOrder() {
        let ledger = AccessLedger(gfnCount: 200)
        for gfn: UInt64 in [3, 63, 64, 130] { ledger.recordHit(gfn) }
        let window = GFNRange(start: 32, count: 64)
        let taken = ledger.take(window)
        #expect(taken.gfns(in: window) == [63, 64])
        #expect(taken.contains(63, in: window) && YoungBitmap.bit(for: 63, in: window) == 32)
        #expect(ledger.take(window).isEmpty)
        #expect(ledger.take(GFNRange(start: 0, count: 64)).gfns(in: GFNRange(start: 0, count: 64)) == [3])
        #expect(ledger.take(GFNRange(start: 128, count: 64)).gfns(in: GFNRange(start: 128, count: 64)) == [130])
    }
}
