import Backends
import Core
import Synchronization
import Testing

/// Per-gfn bookkeeping that lets the aging thread know, without stopping anyone, which pages
/// *must* be young: accessed after their last clear and not zapped since.
///
/// - `clearGeneration[g]`: the last aging pass whose clear of g has completed.
/// - `zapSequence[g]`: odd while a zap of g is in progress (a seqlock), bumped twice per zap.
/// - `accessRecord[g]`: (clear generation read before the access) << 32 | zap sequence, written
///   by a vCPU after an access only if no zap of g overlapped it.
/// A page is expected young when its record equals (clearGeneration, zapSequence) now.
/// - `writeRecord[g]`: the zap sequence around a completed write to g (same rule); a page whose
///   write record equals its zap sequence at the end was written since it was last mapped, so
///   one of its mappings must be Dirty (in a format with a Dirty bit).
final class StressLedger: @unchecked Sendable {
    // Safety: every field is an array of atomics, allocated once.
    let count: Int
    let clearGeneration: UnsafeMutablePointer<Atomic<UInt32>>
    let zapSequence: UnsafeMutablePointer<Atomic<UInt32>>
    let accessRecord: UnsafeMutablePointer<Atomic<UInt64>>
    let writeRecord: UnsafeMutablePointer<Atomic<UInt32>>

    init(count: Int) {
        self.count = count
        clearGeneration = .allocate(capacity: count)
        zapSequence = .allocate(capacity: count)
        accessRecord = .allocate(capacity: count)
        writeRecord = .allocate(capacity: count)
        for index in 0..<count {
            (clearGeneration + index).initialize(to: Atomic(0))
            (zapSequence + index).initialize(to: Atomic(0))
            (accessRecord + index).initialize(to: Atomic(UInt64.max))
            (writeRecord + index).initialize(to: Atomic(UInt32.max))
        }
    }

    deinit {
        clearGeneration.deinitialize(count: count)
        zapSequence.deinitialize(count: count)
        accessRecord.deinitialize(count: count)
        writeRecord.deinitialize(count: count)
        clearGeneration.deallocate()
        zapSequence.deallocate()
        accessRecord.deallocate()
        writeRecord.deallocate()
    }

    func mustBeYoung(_ gfn: Int) -> Bool {
        let expected = UInt64(clearGeneration[gfn].load(ordering: .acquiring)) << 32
            | UInt64(zapSequence[gfn].load(ordering: .acquiring))
        return accessRecord[gfn].load(ordering: .acquiring) == expected
    }
}

/// Everything at once on a small guest: vCPUs with TLBs faulting and setting Accessed bits, a
/// zapper, and an aging thread; then the invariants. Bounded by work, not time.
///
/// What the kernel promises with a TLB, and what is asserted exactly for every backend:
/// - **An access that walked after a clear is reported young.** A TLB hit on a translation
///   filled before the clear may set no Accessed bit (`clear_young` does not flush), so hits
///   are not held to it, except after a clear that also shot the range down (every other pass
///   here): then any translation a vCPU uses was filled by a walk after the clear, and every
///   access, hit or not, must be reported. The kernel tolerates one more race, a locked writer
///   storing a whole entry over an Accessed bit the hardware just set; no writer in this model
///   does that (installs compare-exchange, zaps exchange, aging ANDs or compare-exchanges), so
///   a backend that adds such a plain store fails, which is the point.
/// - **A zap leaves no stale translation once it returns.** Each vCPU notes, per page, the zap
///   sequence after the access that filled its translation; a later hit on that page is stale
///   if a whole zap of it ran between that fill and the hit.
@Suite(.conformanceTimeLimit) struct ConformanceStressTests {
    static let guest = 4096
    static let agingPasses: UInt32 = 10

    @Test(arguments: BackendCase.all(gfnCount: UInt64(guest)))
    func invariantsHoldUnderConcurrency(_ backend: BackendCase) {
        let mmu = backend.make()
        let ledger = StressLedger(count: Self.guest)
        let remote = RemoteTLBs(vcpus: 2, entries: 256, ways: 4, gfnCount: UInt64(Self.guest))
        let staleHits = Atomic<Int>(0)
        let tlbHits = Atomic<Int>(0)
        let zapsExcluded = Locked<Void>(())
        let agingDone = Atomic<Bool>(false)
        let missedYoung = Atomic<Int>(0)
        let checkedYoung = Atomic<Int>(0)
        let zaps = Atomic<Int>(0)

        let vcpus = (0..<2).map { index in
            OSThread {
                let thread = mmu.makeThread(role: .vcpu)
                let tlb = remote.tlb(index)
                var random = SplitMix64(seed: 0x5EED + UInt64(index))
                // The zap sequence read after the access that last filled each page's translation.
                var filledAt = [UInt32](repeating: 0, count: Self.guest)
                var stale = 0
                // Half the accesses go to a hot run of pages the TLB can hold, so hits are common.
                let hotBase = UInt64(index * Self.guest / 2)
                thread.enterReadSide()
                tlb.enterGuest()
                var round = 0
                while !agingDone.load(ordering: .relaxed) {
                    let gfn = Int(random.next() & 1 == 0 ? hotBase + random.next(below: 128) : random.next(below: UInt64(Self.guest)))
                    let zapBefore = ledger.zapSequence[gfn].load(ordering: .acquiring)
                    let cleared = ledger.clearGeneration[gfn].load(ordering: .acquiring)
                    let write = random.next() & 3 == 0
                    let hitsBefore = tlb.counters.hits
                    mmu.accessFaulting(UInt64(gfn), write: write, thread: thread, tlb: tlb.port)
                    let hit = tlb.counters.hits != hitsBefore
                    let zapAfter = ledger.zapSequence[gfn].load(ordering: .acquiring)
                    if hit {
                        // A zap that began after the fill ended, and ended before this access
                        // began, must have taken the translation. (A zap under way when the fill
                        // ended proves nothing: its invalidation may have ended, and a fault
                        // installed a fresh translation, before the zapper bumped the ledger.)
                        let filled = filledAt[gfn]
                        if zapBefore &- filled >= 2 + (filled & 1) { stale += 1 }
                    } else {
                        filledAt[gfn] = zapAfter
                    }
                    // Exact where the kernel promises it: a walk, or any access after a flushing clear.
                    if zapBefore & 1 == 0 && zapBefore == zapAfter && (!hit || cleared & 1 == 1) {
                        ledger.accessRecord[gfn].store(UInt64(cleared) << 32 | UInt64(zapBefore), ordering: .releasing)
                        if write { ledger.writeRecord[gfn].store(zapBefore, ordering: .releasing) }
                    }
                    round += 1
                    if round % 64 == 0 {
                        // Leave guest mode now and then, so reclamation can make progress.
                        tlb.exitGuest()
                        thread.exitReadSide()
                        thread.enterReadSide()
                        tlb.enterGuest()
                    }
                }
                tlb.exitGuest()
                thread.exitReadSide()
                staleHits.wrappingAdd(stale, ordering: .relaxed)
                tlbHits.wrappingAdd(Int(tlb.counters.hits), ordering: .relaxed)
                thread.retire()
            }
        }

        let zapper = OSThread {
            let thread = mmu.makeThread(role: .zap)
            var random = SplitMix64(seed: 0x2A9)
            while !agingDone.load(ordering: .relaxed) {
                let start = random.next(below: UInt64(Self.guest))
                let range = GFNRange(start: start, end: min(UInt64(Self.guest), start + 1 + random.next(below: 700)))
                zapsExcluded.withLock { _ in
                    for gfn in range.start..<range.end { ledger.zapSequence[Int(gfn)].wrappingAdd(1, ordering: .acquiringAndReleasing) }
                    mmu.invalidate(range, thread: thread, remote: remote)
                    for gfn in range.start..<range.end { ledger.zapSequence[Int(gfn)].wrappingAdd(1, ordering: .acquiringAndReleasing) }
                }
                zaps.wrappingAdd(1, ordering: .relaxed)
                for _ in 0..<50 { OSThread.yield() }
            }
            thread.retire()
        }

        let ager = OSThread {
            let thread = mmu.makeThread(role: .aging)
            for pass in 1...Self.agingPasses {
                for start in stride(from: 0, to: Self.guest, by: 64) {
                    let window = GFNRange(start: UInt64(start), count: 64)
                    // A zap between the snapshot and the test would make an expected page old.
                    zapsExcluded.withLock { _ in
                        let expected = (start..<start + 64).filter { ledger.mustBeYoung($0) }
                        let young = mmu.testWindow(window, thread: thread).young
                        for gfn in expected {
                            checkedYoung.wrappingAdd(1, ordering: .relaxed)
                            if !young.contains(UInt64(gfn), in: window) { missedYoung.wrappingAdd(1, ordering: .relaxed) }
                        }
                    }
                    _ = mmu.clearYoung(window, thread: thread)
                    // Odd passes flush what they aged, whether or not anything was young, so
                    // that every access after them is held to the exact check.
                    if pass & 1 == 1 { remote.shootDown(window, thread: thread) }
                    for gfn in start..<start + 64 { ledger.clearGeneration[gfn].store(pass, ordering: .releasing) }
                }
            }
            agingDone.store(true, ordering: .relaxed)
            thread.retire()
        }

        ager.join()
        zapper.join()
        vcpus.forEach { $0.join() }

        let auditor = mmu.makeThread(role: .aging)
        defer { auditor.retire() }
        #expect(missedYoung.load(ordering: .relaxed) == 0, "pages accessed after a clear were reported old")
        #expect(staleHits.load(ordering: .relaxed) == 0, "a vCPU used a translation after its zap returned")
        #expect(tlbHits.load(ordering: .relaxed) > 0, "the stress never hit a TLB")
        #expect(checkedYoung.load(ordering: .relaxed) > 0, "the stress never checked a page")
        #expect(zaps.load(ordering: .relaxed) > 0)
        let everything = GFNRange(start: 0, count: UInt64(Self.guest))
        #expect(mmu.identityViolations(in: everything, thread: auditor) == 0)
        // A write the hardware made must not be lost: aging may clear Accessed, never Dirty.
        let format = mmu.capabilities.format
        if format.dirtyMask != 0 {
            var dirty = Set<UInt64>()
            mmu.forEachMapping(in: everything, thread: auditor) { gfn, entry in
                if entry & format.dirtyMask != 0 { dirty.insert(gfn) }
            }
            let written = (0..<Self.guest).filter {
                ledger.writeRecord[$0].load(ordering: .relaxed) == ledger.zapSequence[$0].load(ordering: .relaxed)
            }
            #expect(!written.isEmpty)
            let lost = written.filter { !dirty.contains(UInt64($0)) }
            #expect(lost.isEmpty, "\(lost.count) written pages lost their Dirty bit")
        }
        #expect(mmu.useAfterFreeReads == 0)
    }
}
