import Backends
import Core
import Synchronization
import Testing

/// The point of the series on this model: lockless aging leaves the vCPUs' faults alone,
/// locked aging does not. Counts contended `mmu_lock` acquisitions on the fault path, not time.
@Suite(.conformanceTimeLimit) struct SeriesPointTests {
    /// A vCPU populating `pages` fresh pages while an aging thread ages the whole guest back to
    /// back; returns the vCPU's contended lock acquisitions and the aging passes completed.
    static func faultWhileAging(_ descriptor: BackendDescriptor, pages: UInt64) -> (contended: UInt64, passes: Int) {
        let mmu = descriptor.make(MMUConfiguration(gfnCount: pages))
        let populated = Atomic<Bool>(false)
        let contended = Atomic<UInt64>(0)
        let passes = Atomic<Int>(0)
        let agingStarted = Atomic<Bool>(false)
        let everything = GFNRange(start: 0, count: pages)
        let ager = OSThread {
            let thread = mmu.makeThread(role: .aging)
            agingStarted.store(true, ordering: .releasing)
            while !populated.load(ordering: .acquiring) {
                for start in stride(from: UInt64(0), to: pages, by: 64) {
                    _ = mmu.ageWindow(GFNRange(start: start, count: 64), thread: thread)
                }
                passes.wrappingAdd(1, ordering: .relaxed)
            }
            thread.retire()
        }
        let vcpu = OSThread {
            let thread = mmu.makeThread(role: .vcpu)
            while !agingStarted.load(ordering: .acquiring) { OSThread.yield() }
            thread.enterReadSide()
            for gfn in everything.start..<everything.end { mmu.accessFaulting(gfn, write: false, thread: thread) }
            thread.exitReadSide()
            contended.store(thread.lockStats.contended, ordering: .relaxed)
            populated.store(true, ordering: .releasing)
            thread.retire()
        }
        vcpu.join()
        ager.join()
        return (contended.load(ordering: .relaxed), passes.load(ordering: .relaxed))
    }

    /// Whether some aging call of the backend takes `mmu_lock` in a mode that excludes its
    /// faults' mode, whatever that is: an exclusive fault lock (the shadow MMU's, POWER's
    /// spinlock) is covered as well as a shared one.
    static func agingExcludesFaults(_ descriptor: BackendDescriptor) -> Bool {
        let capabilities = descriptor.capabilities
        let agingLocks = [capabilities.agingLock] + (capabilities.bitmapAgingLock.map { [$0] } ?? [])
        return agingLocks.contains { $0.conflicts(with: capabilities.faultLock) }
    }

    /// Every registered backend is in exactly one of the two tests below: none is skipped.
    static let nonExcluding = Backends.all.filter { !agingExcludesFaults($0) }
    static let excluding = Backends.all.filter { agingExcludesFaults($0) }

    @Test func theLocklessBackendIsAmongThem() {
        #expect(Self.nonExcluding.contains { $0.name == "x86-tdp" })
        #expect(Self.excluding.contains { $0.name == "baseline" })
        #expect(Self.nonExcluding.count + Self.excluding.count == Backends.all.count)
    }

    /// Aging whose locks cannot exclude the faults' (lockless, per-rmap, or read with read
    /// faults) never makes a fault wait for `mmu_lock`, whether faults take it shared or exclusive.
    @Test(arguments: nonExcluding)
    func agingThatCannotExcludeFaultsNeverMakesOneWait(_ descriptor: BackendDescriptor) {
        let result = Self.faultWhileAging(descriptor, pages: 1 << 15)
        #expect(result.passes > 0)
        #expect(result.contended == 0)
    }

    /// Aging that takes `mmu_lock` in a conflicting mode does make faults wait.
    @Test(arguments: excluding)
    func agingThatExcludesFaultsMakesThemWait(_ descriptor: BackendDescriptor) {
        // Two threads on two cores overlap almost at once; a few rounds make a miss vanishingly rare.
        var contended: UInt64 = 0
        for _ in 0..<5 where contended == 0 {
            contended = Self.faultWhileAging(descriptor, pages: 1 << 15).contended
        }
        #expect(contended > 0)
    }
}
