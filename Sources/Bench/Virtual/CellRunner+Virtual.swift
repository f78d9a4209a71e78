import Core
import Results

extension CellRunner {
    /// Runs `cell` on `mmu` in virtual time (`VirtualEngine`): the host side, when the costs
    /// have one, is real memory without frames; the remainders are virtual time, not busy waits.
    static func runVirtual<MMU: SecondaryMMU>(
        _ cell: SweepCell, mmu: MMU, backend: String, settings: WorkloadSettings, context: RunContext
    ) throws(InputError) -> RunRecord {
        let key = EngineCosts.key(backend: backend, accessTracking: settings.accessTracking)
        guard let costs = settings.engineCosts, let own = costs.backends[key] else {
            throw InputError("the virtual engine has no measured costs for '\(key)' (run `agingbench calibrate`)")
        }
        guard !settings.agingOnly, settings.evictAfter == 0, !settings.flushOnAge else {
            throw InputError("the virtual engine does not model --aging-only, --evict-after or --flush-on-age (use --engine real)")
        }
        let guestPages = cell.memoryPerVCPU.bytes / GuestMemory.pageBytes * UInt64(cell.vcpus)
        var host: HostSide?
        if settings.costs.hostSide {
            guard let memory = HostMemory(pages: guestPages, backedByFrames: false) else {
                throw InputError("cannot allocate the host side of a \(guestPages)-page guest")
            }
            host = HostSide(memory: memory, faultRemainderNanos: 0, agingRemainderNanosPerPage: 0)
        }
        let mode = settings.driver ?? DriverMode.kernelDefault(for: mmu.capabilities)
        let engine = VirtualEngine(
            cell: cell, mmu: mmu, host: host, settings: settings, costs: costs, own: own, mode: mode)
        let (vcpus, aging, workStart) = engine.run()

        let auditor = mmu.makeThread(role: .aging)
        let violations = mmu.identityViolations(in: GFNRange(start: 0, count: guestPages), thread: auditor)
        let stale = staleMappings(mmu, host: host, guestPages: guestPages, thread: auditor)
        auditor.retire()
        var measurements = CellMeasurements(
            guestPages: guestPages, vcpus: vcpus, aging: aging, populateStart: 0,
            workStart: UInt64(workStart.rounded()), tableBytes: mmu.pageTableBytes,
            jemallocTableBytes: mmu.jemallocTableBytes, hostTableBytes: host?.memory.tableBytes ?? 0,
            folioBytes: host?.memory.folioBytes ?? 0, limitPassSeconds: 0, identityViolations: violations,
            useAfterFreeReads: mmu.useAfterFreeReads, driver: mode, costs: settings.costs,
            runnableThreads: cell.vcpus + (cell.aging ? 1 : 0), tlbEntries: settings.tlbEntries, flushOnAge: false,
            nanosecondsPerTick: 1, engine: .virtual, schedule: settings.schedule)
        measurements.staleMappings = stale + engine.staleAccesses
        return RunRecord(cell: cell, backend: backend, settings: settings, context: context, measurements: measurements)
    }
}
