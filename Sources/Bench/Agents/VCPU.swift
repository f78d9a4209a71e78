import Core
#if canImport(Glibc)
import Glibc
#endif
import Histogram

/// What one vCPU did in a cell.
struct VCPUReport: Sendable {
    var accesses: UInt64 = 0
    var faults: UInt64 = 0
    var refaults: UInt64 = 0
    /// Refaults of pages evicted while this guest used them through a TLB.
    var falseOldRefaults: UInt64 = 0
    /// Walks that found a mapping of a page the host had unmapped: a zap undone.
    var staleAccesses: UInt64 = 0
    /// Fault attempts that found no frame within the host's budget (the thread engine's count;
    /// the virtual engine counts stalls in `MachineCounters`).
    var allocationStalls: UInt64 = 0
    var tlb = TLB.Counters()
    /// Fault durations in the engine's ticks.
    var faultTicks = Self.faultHistogram()
    /// Requests completed (`--requests`; 0 without), and their latencies in nanoseconds: from
    /// when a request's first access was issued to when its last completed, faults included.
    var requests: UInt64 = 0
    var requestNanoseconds = Self.requestHistogram()
    var lockStats = LockStats()
    var events = MMUEvents()
    /// CPU time the vCPU used from the start of populate to its last access.
    var cpuNanoseconds: UInt64 = 0
    /// The engine's tick at which the vCPU ended populate, and its work.
    var populateEnd: UInt64 = 0
    var workEnd: UInt64 = 0
}

extension VCPUReport {
    /// An empty histogram of fault durations, sized up front for 2^32 ticks (seconds of either
    /// engine's ticks) and growing past that: grown from nothing, it resized at every new
    /// maximum, which callgrind measured at a tenth of a virtual cell's instructions.
    static func faultHistogram() -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(highestTrackableValue: 1 << 32, numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        return histogram
    }

    /// An empty histogram of request latencies in nanoseconds, sized as the faults' for the same
    /// reason (2^32 ns is seconds, beyond any request of a healthy cell, and it grows past that).
    static func requestHistogram() -> Histogram<UInt64> { faultHistogram() }
}

/// One vCPU: owns its `AccessStream`'s guest pages, populates them, then does the measured work.
///
/// The vCPU stays in guest mode (the read-side section, and its TLB's guest mode) while it
/// accesses memory and leaves it on every fault and every `exitInterval` accesses, as timer
/// ticks make a real vCPU exit. With a TLB it answers shootdowns between accesses. Its access is
/// `SecondaryMMU`'s three steps (`attemptAccess`, `enterFault`, `completeFault`), written once
/// here: the thread engine runs a phase in one tight loop (`runPhase`); the virtual engine runs
/// the same steps one event at a time (`beginPhase`, `stepAccess`, `commitFault`), pricing the
/// `AgentStep` each returns and granting the fault its lock in virtual time. With a request
/// workload each step also says where requests start and end (`requestEdge`), and each engine
/// times them on its own clock (`runPhase` on the tick counter; the virtual engine in virtual
/// time, through `recordRequest`).
struct VCPU<MMU: SecondaryMMU> {
    static var exitInterval: UInt64 { 64 }

    /// The selftest's two phases: populate (every page written once, in order), then work.
    enum Phase { case populate, work }

    let mmu: MMU
    let thread: HostThread
    let host: HostSide?
    /// The TLB, kept alive for `tlb`, its port.
    let tlbOwner: TLB?
    let tlb: TLB.Port?
    /// The host side the vCPU checks its walks against for stale mappings, or nil: only when
    /// the host can unmap a page while it is mapped (evictions, the unmapper) can one happen.
    let staleCheck: HostSide?
    var stream: AccessStream
    var report = VCPUReport()
    private(set) var phase = Phase.populate
    /// Whether the vCPU is in guest mode: between accesses of a phase, not in a fault.
    private(set) var inGuest = false
    /// Accesses since the phase began (for the periodic exit).
    private var accessesInPhase: UInt64 = 0
    /// The access in progress, and its fault's first half while the fault waits for its lock.
    private(set) var pending: (gfn: UInt64, write: Bool)?
    /// The pending access's place in its request, of which `starts` is dropped once the access
    /// has been tried (a retry starts nothing).
    private var pendingRequest: RequestEdge = []
    /// What the last `stepAccess` did to a request: `starts` on the first attempt of a request's
    /// first access, `ends` when it completed a request's last access; the engine that prices
    /// the step times the request from these (`recordRequest`).
    private(set) var requestEdge: RequestEdge = []
    private var faultEntry: FaultEntry?
    /// The access after `pending`, already taken from the stream so that its walk could be
    /// prefetched (`.some(nil)`: the phase ends there; nil: not taken yet).
    private var following: (gfn: UInt64, write: Bool, request: RequestEdge)??
    private var progress = FaultProgress()
    /// The access this vCPU could not complete: every fault's work was undone before the
    /// access retried, until one more fault would reach `SecondaryMMU.faultsWithoutProgressLimit`
    /// and stop the process as a broken backend does. The virtual engine stops the cell here
    /// instead (`VirtualRun`), with a message that says why.
    private(set) var starvedAccess: (gfn: UInt64, write: Bool, faults: Int)?

    init(
        mmu: MMU, index: Int, pages: UInt64, settings: WorkloadSettings, repetition: Int, host: HostSide?, tlb: TLB?,
        checksStaleAccesses: Bool
    ) {
        self.mmu = mmu
        staleCheck = checksStaleAccesses ? host : nil
        thread = mmu.makeThread(role: .vcpu)
        self.host = host
        tlbOwner = tlb
        self.tlb = tlb?.port
        stream = AccessStream(vcpu: index, pages: pages, settings: settings, repetition: repetition)
    }

    /// The lock `commitFault` takes, as the backend declares it.
    var faultLock: LockMode? { mmu.capabilities.faultLock }

    // MARK: The steps

    /// Enters guest mode for `phase`.
    mutating func beginPhase(_ phase: Phase) {
        self.phase = phase
        accessesInPhase = 0
        following = nil
        Self.enterGuest(thread, tlb)
        inGuest = true
    }

    /// The next access of the phase, or the retry of one that faulted: the TLB, the walk, and
    /// on a miss the fault's first half (then `commitFault` must follow, under `faultLock`).
    /// `.phaseEnd` when the phase has no access left; the vCPU is then out of guest mode.
    mutating func stepAccess() -> AgentStep {
        if pending == nil {
            let taken = following ?? Self.next(in: &stream, phase)
            following = nil
            guard let next = taken else {
                requestEdge = []
                Self.exitGuest(thread, tlb)
                inGuest = false
                return .phaseEnd
            }
            pending = (next.gfn, next.write)
            pendingRequest = next.request
            progress = FaultProgress()
            prefetchFollowing()
        }
        let (gfn, write) = pending!
        requestEdge = pendingRequest.intersection(.starts)
        pendingRequest.remove(.starts)
        let attempt = Self.attempt(gfn, write: write, mmu: mmu, thread: thread, tlb: tlb, host: staleCheck, report: &report)
        guard attempt == .missed else {
            pending = nil
            requestEdge.formUnion(pendingRequest)
            Self.completeAccess(&accessesInPhase, thread: thread, tlb: tlb, report: &report)
            return .access(attempt, fault: nil)
        }
        let entry = Self.enterFault(gfn, write: write, mmu: mmu, thread: thread, tlb: tlb, host: host, report: &report)
        faultEntry = entry
        inGuest = false
        return .access(.missed, fault: entry)
    }

    /// Takes the access after `pending` from the stream (`following`, which the next
    /// `stepAccess` uses) and starts fetching what it reads: its TLB set, its walk, and in
    /// populate its first touch's host PTE and folio. In the virtual engine the vCPUs' accesses
    /// interleave, so nearly every walk misses the cache; these misses then overlap the current
    /// access's instead of following it. (Fetching two accesses ahead measured no faster.) The
    /// stream gives the same accesses as without the look-ahead: each is drawn once and kept
    /// (drawing it from a copy and again was 13% of `stepAccess`'s instructions, callgrind).
    /// The prefetches are hints: the TLB and the tables are left as they were.
    @inline(__always)
    private mutating func prefetchFollowing() {
        let taken = Self.next(in: &stream, phase)
        following = .some(taken)
        guard let next = taken?.gfn else { return }
        tlb?.prefetch(next)
        mmu.prefetchWalk(next, level: 1)
        if phase == .populate { host?.memory.prefetchFault(next) }
    }

    /// The fault's second half, once its lock is granted: `handleFault`, and back into guest
    /// mode; the next `stepAccess` retries the access.
    mutating func commitFault() -> AgentStep {
        let (gfn, write) = pending!
        _ = mmu.completeFault(gfn, write: write, entry: faultEntry!, thread: thread, tlb: tlb, progress: &progress)
        if progress.faultsWithoutProgress >= MMU.faultsWithoutProgressLimit - 1 {
            starvedAccess = (gfn, write, progress.faults)
        }
        faultEntry = nil
        inGuest = true
        report.faults &+= 1
        return .fault(lock: faultLock)
    }

    /// A fault whose GUP step stalled (no frame within the host's budget): back into guest
    /// mode with nothing installed; the next `stepAccess` retries the access.
    mutating func abandonFault() {
        mmu.abandonFault(thread: thread, tlb: tlb)
        faultEntry = nil
        inGuest = true
    }

    /// Records a fault's duration, in the engine's ticks.
    mutating func recordFault(ticks: UInt64) { Self.record(faultTicks: ticks, report: &report) }

    /// Records a completed request's latency, in nanoseconds.
    mutating func recordRequest(nanoseconds: UInt64) { Self.record(requestNanoseconds: nanoseconds, report: &report) }

    // MARK: The thread engine's loop

    /// Runs `phase` to its end: the steps above, fused into one loop with the fault's duration,
    /// and each request's latency, measured on the tick counter.
    mutating func runPhase(_ phase: Phase) {
        // Locals, not `self.` fields: reading a class reference out of `inout self` in the loop
        // would retain and release the shared MMU per access, bouncing its cache line between
        // vCPUs.
        let (mmu, thread, host, tlb, stale) = (self.mmu, self.thread, self.host, self.tlb, self.staleCheck)
        var report = self.report
        var stream = self.stream
        var accessesInPhase: UInt64 = 0
        var requestStart: UInt64 = 0
        self.phase = phase
        Self.enterGuest(thread, tlb)
        while let (gfn, write, request) = Self.next(in: &stream, phase) {
            if request.contains(.starts) { requestStart = Ticks.now() }
            var progress = FaultProgress()
            while Self.attempt(gfn, write: write, mmu: mmu, thread: thread, tlb: tlb, host: stale, report: &report) == .missed {
                let start = Ticks.now()
                let entry = Self.enterFault(gfn, write: write, mmu: mmu, thread: thread, tlb: tlb, host: host, report: &report)
                if entry.stalled {
                    // No frame within the budget: wait for kswapd, then retry the access.
                    mmu.abandonFault(thread: thread, tlb: tlb)
                    report.allocationStalls &+= 1
                    OSThread.yield()
                    continue
                }
                _ = mmu.completeFault(gfn, write: write, entry: entry, thread: thread, tlb: tlb, progress: &progress)
                report.faults &+= 1
                Self.record(faultTicks: Ticks.now() &- start, report: &report)
            }
            Self.completeAccess(&accessesInPhase, thread: thread, tlb: tlb, report: &report)
            if request.contains(.ends) {
                Self.record(requestNanoseconds: UInt64(Ticks.nanoseconds(Ticks.now() &- requestStart).rounded()), report: &report)
            }
        }
        Self.exitGuest(thread, tlb)
        self.report = report
        self.stream = stream
    }

    // MARK: Written once, for both

    /// The phase's next access: populate writes every page once, in order; work follows the
    /// pattern or the requests.
    @inline(__always)
    private static func next(in stream: inout AccessStream, _ phase: Phase) -> (gfn: UInt64, write: Bool, request: RequestEdge)? {
        phase == .work ? stream.nextWork() : stream.nextPopulate().map { (gfn: $0, write: true, request: []) }
    }

    /// The access attempt; with `host` (when checking for stale accesses), a walk that found a
    /// mapping of a page the host no longer has present counts as stale if the mapping is still
    /// there when looked at again. The second look keeps the real engine free of false
    /// positives: an invalidation that zaps after the walk and unmaps before the check has
    /// removed the mapping by then (it zaps first), and only this vCPU faults its pages back in.
    @inline(__always)
    private static func attempt(
        _ gfn: UInt64, write: Bool, mmu: MMU, thread: HostThread, tlb: TLB.Port?, host: HostSide?,
        report: inout VCPUReport
    ) -> AccessAttempt {
        let attempt = mmu.attemptAccess(gfn, write: write, thread: thread, tlb: tlb)
        if attempt == .walked, let host, !host.memory.isPresent(gfn), mmu.access(gfn, write: write, thread: thread) {
            report.staleAccesses &+= 1
        }
        return attempt
    }

    @inline(__always)
    private static func enterFault(
        _ gfn: UInt64, write: Bool, mmu: MMU, thread: HostThread, tlb: TLB.Port?, host: HostSide?,
        report: inout VCPUReport
    ) -> FaultEntry {
        let entry = mmu.enterFault(gfn, write: write, thread: thread, tlb: tlb, host: host)
        if let result = entry.hostResult, result.isRefault {
            report.refaults &+= 1
            if result == .falseOldRefault { report.falseOldRefaults &+= 1 }
        }
        return entry
    }

    @inline(__always)
    private static func record(faultTicks: UInt64, report: inout VCPUReport) {
        CountedRegion.excluding(from: .populate) { report.faultTicks.record(max(faultTicks, 1)) }
    }

    /// Requests run only in the work phase, which `--count instructions` (aging-only) never runs.
    @inline(__always)
    private static func record(requestNanoseconds: UInt64, report: inout VCPUReport) {
        report.requests &+= 1
        report.requestNanoseconds.record(requestNanoseconds)
    }

    /// An access that completed; every `exitInterval` of them the vCPU exits and re-enters.
    @inline(__always)
    private static func completeAccess(
        _ accessesInPhase: inout UInt64, thread: HostThread, tlb: TLB.Port?, report: inout VCPUReport
    ) {
        report.accesses &+= 1
        if accessesInPhase % exitInterval == exitInterval - 1 {
            exitGuest(thread, tlb)
            enterGuest(thread, tlb)
        }
        accessesInPhase &+= 1
    }

    @inline(__always)
    private static func enterGuest(_ thread: HostThread, _ tlb: TLB.Port?) {
        thread.enterReadSide()
        tlb?.enterGuest()
    }

    @inline(__always)
    private static func exitGuest(_ thread: HostThread, _ tlb: TLB.Port?) {
        tlb?.exitGuest()
        thread.exitReadSide()
    }

    // MARK: The report

    /// This thread's CPU time so far (CLOCK_THREAD_CPUTIME_ID).
    static func threadCPUNanoseconds() -> UInt64 {
        var time = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return 0 }
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// The final report, with the lock accounting and CPU time the engine measured; gives the
    /// reclamation slot back.
    mutating func finish(cpuNanoseconds: UInt64, lockStats: LockStats) -> VCPUReport {
        report.cpuNanoseconds = cpuNanoseconds
        report.lockStats = lockStats
        report.events = thread.events
        if let tlbOwner { report.tlb = tlbOwner.counters }
        thread.retire()
        return report
    }
}
