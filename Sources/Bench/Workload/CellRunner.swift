import Backends
import Core
import Dispatch
import Results
import Synchronization

/// Runs one sweep cell: a fresh MMU, the vCPU threads and the aging thread, then one `RunRecord`.
///
/// Phases, as `access_tracking_perf_test` in benchmark mode: with aging on, the aging thread
/// starts first and runs passes back to back; the vCPUs populate their memory (timed:
/// `populate_s`, fault-bound), then do `rounds` × their pages of accesses (timed: `vcpu_wall_s`);
/// the aging thread stops when they finish. With `agingOnly` the vCPUs only populate, then the
/// aging thread runs `agingOnlyPasses` passes with no load.
public enum CellRunner {
    public static func run(
        _ cell: SweepCell, descriptor: BackendDescriptor, settings: WorkloadSettings, context: RunContext
    ) throws(InputError) -> RunRecord {
        let guestPages = cell.memoryPerVCPU.bytes / GuestMemory.pageBytes * UInt64(cell.vcpus)
        let mmu = descriptor.make(MMUConfiguration(gfnCount: guestPages, accessTracking: settings.accessTracking))
        if settings.engine == .virtual {
            // Specialized per engine class, as below: unspecialized, the engine's steps spend
            // most of their time looking up generic metadata.
            if let radix = mmu as? RadixMMU {
                return try runVirtual(cell, mmu: radix, backend: descriptor.name, settings: settings, context: context)
            }
            if let shadow = mmu as? ShadowMMU {
                return try runVirtual(cell, mmu: shadow, backend: descriptor.name, settings: settings, context: context)
            }
            return try runVirtual(cell, mmu: mmu, backend: descriptor.name, settings: settings, context: context)
        }
        // The shared radix engine gets code specialized for it, so the aging walk and the access
        // path inline into the runner's loops; any other backend runs through its protocol.
        let host = try makeHostSide(guestPages: guestPages, costs: settings.costs)
        if let radix = mmu as? RadixMMU {
            return run(cell, mmu: radix, host: host, backend: descriptor.name, settings: settings, context: context)
        }
        return run(cell, mmu: mmu, host: host, backend: descriptor.name, settings: settings, context: context)
    }

    /// The cell's host side, or nil for `--costs raw`.
    static func makeHostSide(guestPages: UInt64, costs: CostModel) throws(InputError) -> HostSide? {
        guard costs.hostSide else { return nil }
        guard let memory = HostMemory(pages: guestPages) else {
            throw InputError("cannot map \(guestPages * GuestMemory.pageBytes >> 20) MiB of host frames for the guest")
        }
        return HostSide(
            memory: memory, faultRemainderNanos: costs.faultRemainderNanos,
            agingRemainderNanosPerPage: costs.agingRemainderNanosPerPage)
    }

    /// Runs `cell` on `mmu` (fresh and empty) with `host` (fresh, or nil for the bare secondary
    /// MMU). Tests call it with MMUs of their own.
    static func run<MMU: SecondaryMMU>(
        _ cell: SweepCell, mmu: MMU, host: HostSide?, backend: String, settings: WorkloadSettings, context: RunContext
    ) -> RunRecord {
        let pagesPerVCPU = cell.memoryPerVCPU.bytes / GuestMemory.pageBytes
        let guestPages = pagesPerVCPU * UInt64(cell.vcpus)
        let mode = settings.driver ?? DriverMode.kernelDefault(for: mmu.capabilities)
        let populateGate = DispatchSemaphore(value: 0)
        let workGate = DispatchSemaphore(value: 0)
        let populated = DispatchSemaphore(value: 0)
        let reports = ThreadResults<VCPUReport>(count: cell.vcpus)
        let runAgingThread = cell.aging && !settings.agingOnly
        // One CPU per thread when they fit, so the scheduler cannot stack the aging thread on a
        // vCPU's core in one repetition and not the next; when they do not fit, it shares.
        let runnableThreads = cell.vcpus + (runAgingThread ? 1 : 0)
        let pinThreads = runnableThreads <= OSThread.allowedCPUs
        let remote = settings.tlbEntries > 0
            ? RemoteTLBs(vcpus: cell.vcpus, entries: settings.tlbEntries, gfnCount: guestPages) : nil

        let vcpuThreads = (0..<cell.vcpus).map { index in
            OSThread {
                if pinThreads { OSThread.pinCurrentThread(toCPU: index) }
                var worker = VCPUWorker(
                    mmu: mmu, index: index, pages: pagesPerVCPU, settings: settings,
                    repetition: cell.repetition, host: host, tlb: remote?.tlb(index))
                populateGate.wait()
                CountedRegion.measure(.populate) { worker.populate() }
                populated.signal()
                workGate.wait()
                if !settings.agingOnly { worker.work() }
                let report = worker.finish()
                reports.store(report, at: index)
            }
        }

        let stopAging = Atomic<Bool>(false)
        let agingStarted = DispatchSemaphore(value: 0)
        let agingResult = ThreadResults<AgingReport>(count: 1)
        let agingThread: OSThread? = runAgingThread ? OSThread {
            if pinThreads { OSThread.pinCurrentThread(toCPU: cell.vcpus) }
            var driver = AgingDriver(
                mmu: mmu, thread: mmu.makeThread(role: .aging), guestPages: guestPages,
                windowPages: settings.windowPages, evictAfter: settings.evictAfter, mode: mode, host: host,
                remote: remote, flushOnAge: settings.flushOnAge && remote != nil)
            agingStarted.signal()
            // At least one pass, however short the vCPUs' work.
            repeat { driver.runPass() } while !stopAging.load(ordering: .relaxed)
            let report = AgingReport(driver)
            agingResult.store(report, at: 0)
        } : nil
        if runAgingThread { agingStarted.wait() }

        let populateStart = Ticks.now()
        for _ in 0..<cell.vcpus { populateGate.signal() }
        for _ in 0..<cell.vcpus { populated.wait() }
        let tableBytes = mmu.pageTableBytes
        let jemallocBytes = mmu.jemallocTableBytes
        let hostTableBytes = host?.memory.tableBytes ?? 0

        var limitPassSeconds = 0.0
        if settings.agingOnly && cell.aging {
            let (report, limit) = agingOnlyPasses(mmu: mmu, host: host, mode: mode, guestPages: guestPages, settings: settings)
            agingResult.store(report, at: 0)
            limitPassSeconds = limit
        }

        let workStart = Ticks.now()
        for _ in 0..<cell.vcpus { workGate.signal() }
        vcpuThreads.forEach { $0.join() }
        stopAging.store(true, ordering: .relaxed)
        agingThread?.join()

        let auditor = mmu.makeThread(role: .aging)
        let violations = mmu.identityViolations(in: GFNRange(start: 0, count: guestPages), thread: auditor)
        let stale = staleMappings(mmu, host: host, guestPages: guestPages, thread: auditor)
        auditor.retire()

        var measurements = CellMeasurements(
            guestPages: guestPages, vcpus: reports.all, aging: agingResult.all.first ?? AgingReport(),
            populateStart: populateStart, workStart: workStart, tableBytes: tableBytes,
            jemallocTableBytes: jemallocBytes, hostTableBytes: hostTableBytes,
            folioBytes: host?.memory.folioBytes ?? 0, limitPassSeconds: limitPassSeconds,
            identityViolations: violations, useAfterFreeReads: mmu.useAfterFreeReads,
            driver: mode, costs: settings.costs, runnableThreads: runnableThreads,
            tlbEntries: remote == nil ? 0 : settings.tlbEntries, flushOnAge: settings.flushOnAge && remote != nil)
        measurements.staleMappings = stale
        return RunRecord(cell: cell, backend: backend, settings: settings, context: context, measurements: measurements)
    }
}

extension CellRunner {
    /// Secondary mappings whose host page is not mapped: an invalidation undone behind the
    /// primary MMU's back (0 without a host side, where nothing is unmapped).
    static func staleMappings<MMU: SecondaryMMU>(_ mmu: MMU, host: HostSide?, guestPages: UInt64, thread: HostThread) -> Int {
        guard let host else { return 0 }
        var stale = 0
        mmu.forEachMapping(in: GFNRange(start: 0, count: guestPages), thread: thread) { gfn, _ in
            if !host.memory.isPresent(gfn) { stale += 1 }
        }
        return stale
    }

    /// `--aging-only`: timed passes over populated memory with no vCPU load, each preceded by
    /// making every other page young through the hardware path, and each followed by the C
    /// reference making the same windowed pass over its own tree of the same size and format. One untimed
    /// warm-up pass of each first, so both start from a warm cache and the same young half.
    /// - Returns: the aging report and the reference's mean pass in seconds (0 without one).
    static func agingOnlyPasses<MMU: SecondaryMMU>(
        mmu: MMU, host: HostSide?, mode: DriverMode, guestPages: UInt64, settings: WorkloadSettings
    ) -> (AgingReport, Double) {
        let format = mmu.capabilities.format
        let reference = format.accessedMask == 0 ? nil : ReferenceLimit(pages: guestPages, format: format)
        let marker = mmu.makeThread(role: .vcpu)
        func makeHalfYoung() {
            marker.enterReadSide()
            for gfn in stride(from: UInt64(0), to: guestPages, by: 2) {
                mmu.accessFaulting(gfn, write: false, thread: marker, host: host)
            }
            marker.exitReadSide()
            reference?.markYoung(stride: 2)
        }
        func makeDriver() -> AgingDriver<MMU> {
            AgingDriver(
                mmu: mmu, thread: mmu.makeThread(role: .aging), guestPages: guestPages,
                windowPages: settings.windowPages, evictAfter: 0, mode: mode, host: host)
        }
        var warmUp = makeDriver()
        makeHalfYoung()
        warmUp.runPass()
        _ = reference?.timedPass(.windowed, window: settings.windowPages)
        warmUp.thread.retire()

        var driver = makeDriver()
        var referenceTicks: UInt64 = 0
        for _ in 0..<max(1, settings.agingOnlyPasses) {
            makeHalfYoung()
            CountedRegion.measure(.aging) { driver.runPass() }
            referenceTicks &+= reference?.timedPass(.windowed, window: settings.windowPages).ticks ?? 0
        }
        marker.retire()
        let passes = Double(max(1, settings.agingOnlyPasses))
        return (AgingReport(driver), reference == nil ? 0 : Ticks.nanoseconds(referenceTicks) / passes / 1e9)
    }
}

/// What the aging thread did in a cell.
struct AgingReport: Sendable {
    var passes = 0
    var passAverageSeconds: Double = 0
    var notifierCalls: UInt64 = 0
    var youngPages: UInt64 = 0
    var evictions: UInt64 = 0
    var pagesAged: UInt64 = 0
    var falseOld: UInt64 = 0
    var lockStats = LockStats()
    /// The aging thread's events (its shootdowns among them).
    var events = MMUEvents()

    init() {}

    init<MMU>(_ driver: AgingDriver<MMU>) {
        passes = driver.passes
        passAverageSeconds = driver.passAverageSeconds
        notifierCalls = driver.notifierCalls
        youngPages = driver.youngPages
        evictions = driver.evictions
        pagesAged = driver.pagesAged
        falseOld = driver.falseOld
        lockStats = driver.thread.lockStats
        events = driver.thread.events
        driver.thread.retire()
    }
}
