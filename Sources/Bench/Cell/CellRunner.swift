import Backends
import Core
import Results

/// Runs one sweep cell, in either engine, and makes its `RunRecord`.
///
/// One path for both engines: a fresh MMU specialized once (the shared radix engine, the shared
/// rmap engine, or any other backend through its protocol), the cell's world set up once
/// (`CellSetup`), its phases run by the engine (`CellEngine`: populate, the populated hook,
/// work, aging beside them), the hook's work done once (table bytes; `--aging-only`'s passes),
/// the audit once (`CellAudit`), and the row made once from what was measured.
public enum CellRunner {
    public static func run(
        _ cell: SweepCell, descriptor: BackendDescriptor, settings: WorkloadSettings, context: RunContext
    ) throws(InputError) -> RunRecord {
        let guestPages = cell.memoryPerVCPU.bytes / GuestMemory.pageBytes * UInt64(cell.vcpus)
        // One MMU per guest (`--vms`); each maps its own vCPUs' gfns.
        let mmus = (0..<max(1, settings.vms)).map { _ in
            descriptor.make(MMUConfiguration(gfnCount: guestPages, accessTracking: settings.accessTracking))
        }
        return try run(cell, mmus: mmus, backend: descriptor.name, settings: settings, context: context)
    }

    /// Runs `cell` on `mmu` (fresh and empty) in the engine `settings` names.
    static func run(
        _ cell: SweepCell, mmu: any SecondaryMMU, backend: String, settings: WorkloadSettings, context: RunContext
    ) throws(InputError) -> RunRecord {
        try run(cell, mmus: [mmu], backend: backend, settings: settings, context: context)
    }

    /// Runs `cell` on one fresh, empty MMU per guest in the engine `settings` names.
    static func run(
        _ cell: SweepCell, mmus: [any SecondaryMMU], backend: String, settings: WorkloadSettings, context: RunContext
    ) throws(InputError) -> RunRecord {
        guard cell.vcpus % mmus.count == 0 else {
            throw InputError("\(cell.vcpus) vCPUs cannot be split evenly among \(mmus.count) VMs (--vms)")
        }
        switch settings.engine {
        case .real: return try specialized(cell, mmus: mmus, engine: ThreadEngine(), backend: backend, settings: settings, context: context)
        case .virtual:
            let engine = try VirtualEngine(backend: backend, settings: settings)
            return try specialized(cell, mmus: mmus, engine: engine, backend: backend, settings: settings, context: context)
        }
    }

    /// The shared engines get code specialized for them, so the aging walk and the access path
    /// inline into the engines' loops (unspecialized, a step spends most of its time looking up
    /// generic metadata); any other backend runs through its protocol.
    private static func specialized<Engine: CellEngine>(
        _ cell: SweepCell, mmus: [any SecondaryMMU], engine: Engine, backend: String, settings: WorkloadSettings,
        context: RunContext
    ) throws(InputError) -> RunRecord {
        let guestPages = cell.memoryPerVCPU.bytes / GuestMemory.pageBytes * UInt64(cell.vcpus)
        let budget = try budget(settings.hostMemory, guestPages: guestPages)
        let host = try engine.makeHostSide(guestPages: guestPages, costs: settings.costs, budget: budget, swap: settings.swap)
        if budget != nil && host == nil { throw InputError("--host-memory and --overcommit need the host side; --costs raw has none") }
        let others = Array(mmus.dropFirst())
        if let radix = mmus[0] as? RadixMMU {
            return try opened(cell, radix, others: others, host: host, engine: engine, backend: backend, settings: settings, context: context)
        }
        if let shadow = mmus[0] as? ShadowMMU {
            return try opened(cell, shadow, others: others, host: host, engine: engine, backend: backend, settings: settings, context: context)
        }
        return try opened(cell, mmus[0], others: others, host: host, engine: engine, backend: backend, settings: settings, context: context)
    }

    /// The cell on `first`'s type: the other guests' MMUs are of the same backend.
    private static func opened<MMU: SecondaryMMU, Engine: CellEngine>(
        _ cell: SweepCell, _ first: MMU, others: [any SecondaryMMU], host: HostSide?, engine: Engine, backend: String,
        settings: WorkloadSettings, context: RunContext
    ) throws(InputError) -> RunRecord {
        try run(cell, mmu: first, host: host, engine: engine, backend: backend, settings: settings, context: context,
                others: others.map { $0 as! MMU })
    }

    /// The watermarks of `limit` for guests of `guestPages` in all (nil: no limit).
    /// - Throws: `InputError` when the budget is not below the guests' footprint, or too small
    ///   to hold the watermarks.
    static func budget(_ limit: HostMemoryLimit?, guestPages: UInt64) throws(InputError) -> Watermarks? {
        guard let limit else { return nil }
        let pages = limit.budgetPages(guestPages: guestPages)
        guard pages < guestPages else {
            throw InputError("the host memory (\(pages) pages) is not below the guests' footprint (\(guestPages) pages): no pressure")
        }
        let marks = Watermarks(budgetPages: pages)
        guard pages >= 256, marks.high + 64 < pages else {
            throw InputError("the host memory (\(pages) pages) is too small for its watermarks; give at least 1 MiB")
        }
        return marks
    }

    /// Runs `cell` on `mmu` (fresh and empty) with `host` (fresh, or nil for the bare secondary
    /// MMU) on real threads. Tests call it with MMUs of their own.
    static func run<MMU: SecondaryMMU>(
        _ cell: SweepCell, mmu: MMU, host: HostSide?, backend: String, settings: WorkloadSettings, context: RunContext
    ) throws(InputError) -> RunRecord {
        try run(cell, mmu: mmu, host: host, engine: ThreadEngine(), backend: backend, settings: settings, context: context)
    }

    /// - Throws: `InputError` when the engine stopped the cell before its end (a vCPU aging
    ///   starved, `EngineRun.starvation`).
    static func run<MMU: SecondaryMMU, Engine: CellEngine>(
        _ cell: SweepCell, mmu: MMU, host: HostSide?, engine: Engine, backend: String, settings: WorkloadSettings,
        context: RunContext, others: [MMU] = []
    ) throws(InputError) -> RunRecord {
        let setup = CellSetup(cell: cell, mmu: mmu, host: host, settings: settings, others: others)
        var tables = TableBytes()
        var agingOnly: (report: AgingReport, limitPassSeconds: Double)?
        var run = engine.run(setup) {
            tables = TableBytes(mmus: setup.mmus, host: host)
            if settings.agingOnly && cell.aging { agingOnly = agingOnlyPasses(setup) }
        }
        if let starvation = run.starvation {
            throw InputError("\(backend) \(cell.memoryPerVCPU) × \(cell.vcpus) vCPUs, aging \(cell.aging ? "on" : "off"): \(starvation)")
        }
        if let agingOnly { run.aging = agingOnly.report }
        let audit = CellAudit(setup, staleAccesses: run.vcpus.reduce(0) { $0 + $1.staleAccesses })
        var measurements = CellMeasurements(
            guestPages: setup.guestPages, vcpus: run.vcpus, aging: run.aging, populateStart: run.populateStart,
            workStart: run.workStart, tables: tables, limitPassSeconds: agingOnly?.limitPassSeconds ?? 0, audit: audit,
            driver: setup.mode, costs: settings.costs, runnableThreads: setup.runnableThreads,
            tlbEntries: setup.remote == nil ? 0 : settings.tlbEntries, flushOnAge: setup.flushesOnAge,
            nanosecondsPerTick: engine.nanosecondsPerTick, engine: engine.kind, schedule: engine.schedule)
        measurements.folioBytes = host?.memory.folioBytes ?? 0
        measurements.budget = host?.memory.budget
        measurements.peakResidentPages = host?.memory.peakResidentPages ?? 0
        measurements.machine = run.machine
        return RunRecord(cell: cell, backend: backend, settings: settings, context: context, measurements: measurements)
    }
}

extension CellRunner {
    /// `--aging-only`: timed passes over populated memory with no vCPU load, each preceded by
    /// making every other page young through the hardware path, and each followed by the C
    /// reference making the same windowed pass over its own tree of the same size and format. One untimed
    /// warm-up pass of each first, so both start from a warm cache and the same young half.
    /// - Returns: the aging report and the reference's mean pass in seconds (0 without one).
    static func agingOnlyPasses<MMU: SecondaryMMU>(_ setup: CellSetup<MMU>) -> (AgingReport, Double) {
        let (mmu, host, guestPages, settings) = (setup.mmu, setup.host, setup.guestPages, setup.settings)
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
                windowPages: settings.windowPages, evictAfter: 0, mode: setup.mode, host: host)
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
        let report = AgingReport(driver, nanosecondsPerTick: Ticks.nanosecondsPerTick, lockStats: driver.thread.lockStats)
        return (report, reference == nil ? 0 : Ticks.nanoseconds(referenceTicks) / passes / 1e9)
    }
}
