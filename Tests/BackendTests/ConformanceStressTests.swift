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

/// Everything at once on a small guest: vCPUs faulting and setting Accessed bits, a zapper, and
/// an aging thread; then the invariants. Bounded by work, not time.
///
/// "Accessed after a clear is reported young" is asserted exactly for every backend. The kernel
/// tolerates one race here, a locked writer storing a whole entry over an Accessed bit the
/// hardware just set; in this model no writer does that: installs compare-exchange against the
/// value they read, zaps exchange, aging clears with an atomic AND or compare-exchange, and the
/// hardware's update is a compare-exchange on a present entry. A backend that adds such a plain
/// store fails this test, which is the point.
@Suite struct ConformanceStressTests {
    static let guest = 4096
    static let agingPasses: UInt32 = 10

    @Test(arguments: BackendCase.all(gfnCount: UInt64(guest)))
    func invariantsHoldUnderConcurrency(_ backend: BackendCase) {
        let mmu = backend.make()
        let ledger = StressLedger(count: Self.guest)
        let zapsExcluded = Mutex<Void>(())
        let agingDone = Atomic<Bool>(false)
        let missedYoung = Atomic<Int>(0)
        let checkedYoung = Atomic<Int>(0)
        let zaps = Atomic<Int>(0)

        let vcpus = (0..<2).map { index in
            OSThread {
                let thread = mmu.makeThread(role: .vcpu)
                var random = SplitMix64(seed: 0x5EED + UInt64(index))
                thread.enterReadSide()
                var round = 0
                while !agingDone.load(ordering: .relaxed) {
                    let gfn = Int(random.next(below: UInt64(Self.guest)))
                    let zapBefore = ledger.zapSequence[gfn].load(ordering: .acquiring)
                    let cleared = ledger.clearGeneration[gfn].load(ordering: .acquiring)
                    let write = random.next() & 3 == 0
                    mmu.accessFaulting(UInt64(gfn), write: write, thread: thread)
                    let zapAfter = ledger.zapSequence[gfn].load(ordering: .acquiring)
                    if zapBefore & 1 == 0 && zapBefore == zapAfter {
                        ledger.accessRecord[gfn].store(UInt64(cleared) << 32 | UInt64(zapBefore), ordering: .releasing)
                        if write { ledger.writeRecord[gfn].store(zapBefore, ordering: .releasing) }
                    }
                    round += 1
                    if round % 64 == 0 {
                        // Leave guest mode now and then, so reclamation can make progress.
                        thread.exitReadSide()
                        thread.enterReadSide()
                    }
                }
                thread.exitReadSide()
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
                    mmu.zap(range, thread: thread)
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
