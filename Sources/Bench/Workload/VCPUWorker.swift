import Core
#if canImport(Glibc)
import Glibc
#endif
import Histogram

/// What one vCPU thread did in a cell.
struct VCPUReport: Sendable {
    var accesses: UInt64 = 0
    var faults: UInt64 = 0
    var refaults: UInt64 = 0
    /// Refaults of pages evicted while this guest used them through a TLB.
    var falseOldRefaults: UInt64 = 0
    var tlb = TLB.Counters()
    /// Fault durations in ticks.
    var faultTicks = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
    var lockStats = LockStats()
    var events = MMUEvents()
    /// CPU time the thread used from the start of populate to its last access.
    var cpuNanoseconds: UInt64 = 0
    var populateEnd: UInt64 = 0
    var workEnd: UInt64 = 0
}

/// One vCPU: owns its `AccessStream`'s guest pages, populates them, then does the measured work.
///
/// The vCPU stays in guest mode (the read-side section, and its TLB's guest mode) while it
/// accesses memory and leaves it on every fault and every `exitInterval` accesses, as timer
/// ticks make a real vCPU exit. With a TLB it answers shootdowns between accesses.
struct VCPUWorker<MMU: SecondaryMMU> {
    static var exitInterval: UInt64 { 64 }

    let mmu: MMU
    let thread: HostThread
    let host: HostSide?
    /// The TLB, kept alive for `tlb`, its port.
    let tlbOwner: TLB?
    let tlb: TLB.Port?
    var stream: AccessStream
    var report = VCPUReport()
    /// CPU time when populate began.
    var cpuStart: UInt64 = 0

    init(
        mmu: MMU, index: Int, pages: UInt64, settings: WorkloadSettings, repetition: Int, host: HostSide?, tlb: TLB?
    ) {
        self.mmu = mmu
        thread = mmu.makeThread(role: .vcpu)
        self.host = host
        tlbOwner = tlb
        self.tlb = tlb?.port
        stream = AccessStream(vcpu: index, pages: pages, settings: settings, repetition: repetition)
    }

    /// Faults every page in, in order, with writes (the selftest's populate).
    mutating func populate() {
        // Locals, not `self.` fields: reading a class reference out of `inout self` in the loop
        // would retain and release the shared MMU per access, bouncing its cache line between
        // vCPUs.
        let (mmu, thread, host, tlb) = (self.mmu, self.thread, self.host, self.tlb)
        var report = self.report
        var stream = self.stream
        cpuStart = Self.threadCPUNanoseconds()
        Self.enterGuest(thread, tlb)
        var count: UInt64 = 0
        while let gfn = stream.nextPopulate() {
            Self.touch(gfn, write: true, count: count, mmu: mmu, thread: thread, tlb: tlb, host: host, report: &report)
            count &+= 1
        }
        Self.exitGuest(thread, tlb)
        report.populateEnd = Ticks.now()
        self.report = report
        self.stream = stream
    }

    /// The stream's measured phase: `rounds` × its pages of accesses by the pattern.
    mutating func work() {
        let (mmu, thread, host, tlb) = (self.mmu, self.thread, self.host, self.tlb)
        var report = self.report
        var stream = self.stream
        Self.enterGuest(thread, tlb)
        var count: UInt64 = 0
        while let (gfn, write) = stream.nextWork() {
            Self.touch(gfn, write: write, count: count, mmu: mmu, thread: thread, tlb: tlb, host: host, report: &report)
            count &+= 1
        }
        Self.exitGuest(thread, tlb)
        report.workEnd = Ticks.now()
        self.report = report
        self.stream = stream
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

    @inline(__always)
    private static func touch(
        _ gfn: UInt64, write: Bool, count: UInt64, mmu: MMU, thread: HostThread, tlb: TLB.Port?, host: HostSide?,
        report: inout VCPUReport
    ) {
        var refaults: UInt64 = 0
        var falseOldRefaults: UInt64 = 0
        let faults = mmu.accessFaulting(gfn, write: write, thread: thread, tlb: tlb, host: host) { ticks, result in
            CountedRegion.excluding(from: .populate) { report.faultTicks.record(max(ticks, 1)) }
            if let result, result.isRefault {
                refaults &+= 1
                if result == .falseOldRefault { falseOldRefaults &+= 1 }
            }
        }
        report.faults &+= UInt64(faults)
        report.refaults &+= refaults
        report.falseOldRefaults &+= falseOldRefaults
        report.accesses &+= 1
        if count % exitInterval == exitInterval - 1 {
            exitGuest(thread, tlb)
            enterGuest(thread, tlb)
        }
    }

    /// This thread's CPU time so far (CLOCK_THREAD_CPUTIME_ID).
    static func threadCPUNanoseconds() -> UInt64 {
        var time = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return 0 }
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Final report, with the thread's lock accounting and CPU time; gives the reclamation slot back.
    mutating func finish() -> VCPUReport {
        report.cpuNanoseconds = Self.threadCPUNanoseconds() &- cpuStart
        report.lockStats = thread.lockStats
        report.events = thread.events
        if let tlbOwner { report.tlb = tlbOwner.counters }
        thread.retire()
        return report
    }
}
