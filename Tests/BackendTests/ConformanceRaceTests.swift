import Backends
import Core
import Synchronization
import Testing

/// Races each backend must survive, run over every registered backend. Results are gathered in
/// the worker threads and asserted after they join, so every expectation counts for its test.
@Suite(.conformanceTimeLimit) struct ConformanceRaceTests {
    /// Aging with no vCPUs while another thread faults, zaps and reclaims the same range: the
    /// aging walk's read-side section is all that keeps a lockless walker off freed tables
    /// (debug builds poison and count such reads; AddressSanitizer reports them itself).
    @Test(arguments: BackendCase.all(gfnCount: 4096))
    func agingNeverReadsAFreedTable(_ backend: BackendCase) {
        let pages: UInt64 = 4096
        let mmu = backend.make()
        let everything = GFNRange(start: 0, count: pages)
        let churnDone = Atomic<Bool>(false)
        let agingPasses = Atomic<Int>(0)
        let churn = OSThread {
            let thread = mmu.makeThread(role: .vcpu)
            for round in 0..<300 {
                let start = UInt64(round * 512) % pages
                mmu.populate(GFNRange(start: start, end: min(pages, start + 1024)), thread: thread)
                mmu.zap(everything, thread: thread)
            }
            churnDone.store(true, ordering: .releasing)
            thread.retire()
        }
        let ager = OSThread {
            let thread = mmu.makeThread(role: .aging)
            while !churnDone.load(ordering: .acquiring) {
                mmu.ageAll(everything, thread: thread)
                for gfn in stride(from: UInt64(0), to: pages, by: 97) {
                    _ = mmu.clearYoung(GFNRange(start: gfn, count: 1), thread: thread)
                }
                agingPasses.wrappingAdd(1, ordering: .relaxed)
            }
            thread.retire()
        }
        churn.join()
        ager.join()
        #expect(agingPasses.load(ordering: .relaxed) > 0)
        #expect(mmu.useAfterFreeReads == 0, "the aging walk read a freed table page")
    }

    /// Two vCPUs faulting the same pages in the same order: each page is installed exactly once
    /// per round (an install by plain store instead of compare-exchange installs some twice).
    @Test(arguments: BackendCase.all(gfnCount: 2048))
    func racingFaultsInstallEachPageOncePerRound(_ backend: BackendCase) {
        let pages: UInt64 = 2048
        let rounds = 30
        let mmu = backend.make()
        let everything = GFNRange(start: 0, count: pages)
        let barrier = SpinBarrier(parties: 2)
        let installed = Atomic<UInt64>(0)
        let perRound = Locked<[UInt64]>([])
        let threads = (0..<2).map { index in
            OSThread {
                let thread = mmu.makeThread(role: .vcpu)
                for _ in 0..<rounds {
                    barrier.arriveAndWait()
                    let before = thread.events.faultsInstalled
                    thread.enterReadSide()
                    for gfn in everything.start..<everything.end { mmu.accessFaulting(gfn, write: false, thread: thread) }
                    thread.exitReadSide()
                    installed.wrappingAdd(thread.events.faultsInstalled - before, ordering: .relaxed)
                    barrier.arriveAndWait()
                    if index == 0 {
                        perRound.withLock { $0.append(installed.exchange(0, ordering: .relaxed)) }
                        mmu.zap(everything, thread: thread)
                    }
                }
                thread.retire()
            }
        }
        threads.forEach { $0.join() }
        let counts = perRound.withLock { $0 }
        #expect(counts.count == rounds)
        #expect(counts.allSatisfy { $0 == pages }, "installs per round: \(counts)")
    }
}

/// Threads meet here before going on; reusable round after round.
final class SpinBarrier: @unchecked Sendable {
    // Safety: atomics only.
    private let parties: Int
    private let arrived = Atomic<Int>(0)
    private let generation = Atomic<Int>(0)

    init(parties: Int) { self.parties = parties }

    func arriveAndWait() {
        let current = generation.load(ordering: .acquiring)
        if arrived.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue == parties {
            arrived.store(0, ordering: .relaxed)
            generation.wrappingAdd(1, ordering: .releasing)
            return
        }
        while generation.load(ordering: .acquiring) == current { OSThread.yield() }
    }
}
