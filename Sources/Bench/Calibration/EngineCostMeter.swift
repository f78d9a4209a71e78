import Backends
import CPlatform
import Core
import Results
import Synchronization

/// Measures `EngineCosts` on this machine: each operation of the model run in a loop on one
/// thread over a guest of `memory` (the calibration's size, so caches see what the calibrated
/// cell sees), median of `trials`; the line transfer by two threads passing a line back and forth.
public struct EngineCostMeter {
    public var memory: ByteSize
    public var trials: Int

    public init(memory: ByteSize, trials: Int = 5) {
        self.memory = memory
        self.trials = max(1, trials)
    }

    /// Every registered backend, and the A/D-off mode of those that have one.
    public static var allConfigurations: [(descriptor: BackendDescriptor, accessTracking: Bool)] {
        Backends.all.map { ($0, false) } + Backends.all.filter(\.supportsAccessTracking).map { ($0, true) }
    }

    /// Machine-wide figures and those of `backends` (keys as `EngineCosts.key`).
    public func measure(backends: [(descriptor: BackendDescriptor, accessTracking: Bool)]) throws(InputError) -> EngineCosts {
        let pages = memory.pages
        // A first touch happens once per page: each trial gets fresh host memory (its frames
        // come from the recycled, resident pool, so what is timed is the zeroing, not a host fault).
        var firstTouch: [Double] = []
        var last: HostMemory?
        for _ in 0..<trials {
            guard let fresh = HostMemory(pages: pages) else {
                throw InputError("cannot map \(memory) of host frames to measure the engine's costs")
            }
            firstTouch.append(perOperation(pages, trials: 1) { for page in 0..<pages { fresh.faultIn(page, write: true) } })
            last = fresh
        }
        guard let host = last else { throw InputError("no trial measured the engine's costs") }
        var costs = EngineCosts(
            memoryBytes: memory.bytes, lockPairNanos: lockPair(), lineTransferNanos: lineTransfer(),
            tlbLookupNanos: tlbLookup(), exitEntryNanos: exitEntry(), gupFirstTouchNanos: 0, gupPresentNanos: 0,
            hostWindowNanos: hostWindow(), hostScanNanosPerPage: 0, promoteNanosPerPage: 0, hostUnmapNanosPerPage: 0,
            backends: [:])
        costs.gupFirstTouchNanos = median(firstTouch)
        costs.gupPresentNanos = median((0..<trials).map { _ in
            perOperation(pages, trials: 1) { for page in 0..<pages { host.faultIn(page, write: false) } }
        })
        let window = YoungBitmap.capacity
        costs.hostScanNanosPerPage = median((0..<trials).map { _ in
            // Half the pages accessed, as aging finds them under a vCPU.
            for page in stride(from: UInt64(0), to: pages, by: 2) { host.faultIn(page, write: false) }
            return perOperation(pages, trials: 1) {
                var start: UInt64 = 0
                while start < pages {
                    let range = GFNRange(start: start, end: min(start + window, pages))
                    host.forEachPresent(in: range) { _, slot, pte in _ = host.testAndClearAccessed(slot, pte) }
                    start = range.end
                }
            }
        })
        costs.promoteNanosPerPage = median((0..<trials).map { _ in
            host.advanceGeneration()
            return perOperation(pages, trials: 1) { for page in 0..<pages { host.promote(page) } }
        })
        costs.hostUnmapNanosPerPage = perOperation(pages, trials: 1) {
            var start: UInt64 = 0
            while start < pages {
                let range = GFNRange(start: start, end: min(start + window, pages))
                host.unmap(range)
                start = range.end
            }
        }
        // A backend's own operations on a quarter of the guest at most (256 MiB of a 1 GiB
        // calibration): its tables still miss the caches as the guest's do, and measuring every
        // registered backend stays within the default sweep's time budget.
        let backendPages = min(pages, max(1, pages / 4))
        for (descriptor, accessTracking) in backends {
            costs.backends[EngineCosts.key(backend: descriptor.name, accessTracking: accessTracking)] =
                backend(descriptor, accessTracking: accessTracking, pages: backendPages)
        }
        return costs
    }

    /// One backend: faults on an empty table, accesses, and `clear_young` over 64 pages and
    /// over one page with half of them young (the fixed cost and the cost per page).
    func backend(_ descriptor: BackendDescriptor, accessTracking: Bool, pages: UInt64) -> EngineCosts.BackendCosts {
        var fault: [Double] = []
        var access: [Double] = []
        var wide: [Double] = []
        var single: [Double] = []
        var zap: [Double] = []
        let window = YoungBitmap.capacity
        for _ in 0..<trials {
            let mmu = descriptor.make(MMUConfiguration(gfnCount: pages, accessTracking: accessTracking))
            let thread = mmu.makeThread(role: .vcpu)
            fault.append(perOperation(pages, trials: 1) {
                for gfn in 0..<pages { mmu.handleFault(gfn, write: true, thread: thread) }
            })
            access.append(perOperation(pages, trials: 1) {
                thread.enterReadSide()
                for gfn in 0..<pages { _ = mmu.access(gfn, write: false, thread: thread) }
                thread.exitReadSide()
            })
            func makeHalfYoung() {
                thread.enterReadSide()
                for gfn in stride(from: UInt64(0), to: pages, by: 2) { _ = mmu.access(gfn, write: false, thread: thread) }
                thread.exitReadSide()
            }
            makeHalfYoung()
            let windows = (pages + window - 1) / window
            wide.append(perOperation(windows, trials: 1) {
                var start: UInt64 = 0
                while start < pages {
                    let range = GFNRange(start: start, end: min(start + window, pages))
                    _ = mmu.clearYoung(range, thread: thread)
                    start = range.end
                }
            })
            makeHalfYoung()
            single.append(perOperation(pages, trials: 1) {
                for gfn in 0..<pages { _ = mmu.clearYoung(GFNRange(start: gfn, count: 1), thread: thread) }
            })
            zap.append(perOperation(pages, trials: 1) {
                var start: UInt64 = 0
                while start < pages {
                    let range = GFNRange(start: start, end: min(start + window, pages))
                    mmu.zap(range, thread: thread)
                    start = range.end
                }
            })
            thread.retire()
        }
        let one = median(single)
        let leaf = max(0, (median(wide) - one) / Double(window - 1))
        return EngineCosts.BackendCosts(
            accessNanos: median(access), faultNanos: median(fault), callNanos: max(0, one - leaf), leafNanos: leaf,
            zapNanosPerPage: median(zap))
    }

    /// `mmu_lock` taken and dropped, read then write, by one thread.
    func lockPair() -> Double {
        let lock = MMULock()
        let reclaimer = EpochReclaimer(free: { _ in })
        let thread = HostThread(role: .vcpu, reclaimer: reclaimer)
        defer { thread.retire() }
        let count: UInt64 = 1 << 20
        return perOperation(count * 2) {
            for _ in 0..<count {
                lock.lockShared(thread)
                lock.unlockShared(thread)
                lock.lockExclusive(thread)
                lock.unlockExclusive(thread)
            }
        }
    }

    /// Half a round trip of a line between two threads (on two CPUs when two are allowed).
    func lineTransfer() -> Double {
        let rounds = 100_000
        let pin = OSThread.allowedCPUs >= 2
        return median((0..<trials).map { _ in
            let turn = Atomic<Int>(0)
            let nanoseconds = ThreadResults<Double>(count: 1)
            // Both sides on threads of their own: pinning the caller would outlive the measurement.
            let sides = (0..<2).map { side in
                OSThread {
                    if pin { OSThread.pinCurrentThread(toCPU: side) }
                    let start = Ticks.now()
                    for round in 0..<rounds {
                        while turn.load(ordering: .acquiring) != 2 * round + side { agingbench_cpu_relax() }
                        turn.store(2 * round + side + 1, ordering: .releasing)
                    }
                    if side == 0 { nanoseconds.store(Ticks.nanoseconds(Ticks.now() &- start), at: 0) }
                }
            }
            sides.forEach { $0.join() }
            return (nanoseconds.all.first ?? 0) / Double(2 * rounds)
        })
    }

    /// A TLB lookup that hits.
    func tlbLookup() -> Double {
        let tlb = TLB()
        let port = tlb.port
        let resident: UInt64 = 1024
        for gfn in 0..<resident { port.fill(gfn, write: true) }
        let count: UInt64 = 1 << 20
        return perOperation(count) {
            var hits = 0
            for index in 0..<count where port.lookup(index & (resident - 1), write: false) { hits &+= 1 }
            precondition(hits > 0)
        }
    }

    /// A fault's exit and re-entry: leave and re-enter the read-side section, read the sequence.
    func exitEntry() -> Double {
        let reclaimer = EpochReclaimer(free: { _ in })
        let thread = HostThread(role: .vcpu, reclaimer: reclaimer)
        defer { thread.retire() }
        let sequence = InvalidationSequence()
        let count: UInt64 = 1 << 20
        return perOperation(count) {
            var sum: UInt64 = 0
            thread.enterReadSide()
            for _ in 0..<count {
                thread.exitReadSide()
                sum &+= sequence.snapshot()
                thread.enterReadSide()
            }
            thread.exitReadSide()
            precondition(sum == 0)
        }
    }

    /// The aging driver's cost per look-around window that has no present page, as the real
    /// driver pays it: the host table walk of missing tables and the TLB ledger's two takes (the
    /// default workload's vCPUs have TLBs).
    func hostWindow() -> Double {
        let pages = memory.pages
        guard let empty = HostMemory(pages: pages, backedByFrames: false),
              let descriptor = Backends.named(Calibrator.backend)
        else { return 0 }
        let host = HostSide(memory: empty, faultRemainderNanos: 0, agingRemainderNanosPerPage: 0)
        let remote = RemoteTLBs(vcpus: 1, gfnCount: pages)
        let windows = (pages + YoungBitmap.capacity - 1) / YoungBitmap.capacity
        func passes<MMU: SecondaryMMU>(_ mmu: MMU) -> Double {
            var driver = AgingDriver(
                mmu: mmu, thread: mmu.makeThread(role: .aging), guestPages: pages,
                windowPages: Int(YoungBitmap.capacity), evictAfter: 0, mode: .perPage, host: host, remote: remote)
            defer { driver.thread.retire() }
            // Twenty passes a trial: one pass over empty memory is too short to time alone.
            return perOperation(windows * 20) { for _ in 0..<20 { driver.runPass() } }
        }
        return passes(descriptor.make(MMUConfiguration(gfnCount: pages)))
    }

    /// Nanoseconds per operation of `body`, which does `count` of them: median of the trials.
    private func perOperation(_ count: UInt64, trials: Int? = nil, _ body: () -> Void) -> Double {
        median((0..<(trials ?? self.trials)).map { _ in
            let start = Ticks.now()
            body()
            return Ticks.nanoseconds(Ticks.now() &- start) / Double(max(1, count))
        })
    }

    private func median(_ values: [Double]) -> Double { MarkdownTable.median(values) }
}
