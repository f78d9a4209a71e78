import Core
import Histogram
import Results

extension RunRecord {
    /// The row for one cell: its coordinates, the machine, and the measurements merged over the
    /// vCPU threads (histograms added, lock accounting summed, phase ends the latest thread's).
    init(cell: SweepCell, backend: String, settings: WorkloadSettings, context: RunContext, measurements: CellMeasurements) {
        self = .empty
        timestamp = context.timestamp
        commit = context.commit
        host = context.host
        cpu = context.cpuModel
        cores = context.cores
        build = context.build
        kernel = context.kernel
        thp = context.thp
        toolchain = context.toolchain
        command = context.commandLine
        self.backend = backend
        variant = settings.accessTracking ? .accessTrackingOff : .standard
        memoryPerVCPUBytes = cell.memoryPerVCPU.bytes
        vcpus = cell.vcpus
        aging = cell.agingLabel(agingOnly: settings.agingOnly)
        pattern = settings.pattern.rawValue
        writePercent = settings.writePercent
        seed = settings.seed
        repetition = cell.repetition
        driver = DriverLabel(measurements.driver)
        costs = measurements.costs.label
        calibration = measurements.engine == .virtual
            ? settings.engineCalibration
            : (measurements.costs.hostSide && measurements.costs.label == .calibrated ? measurements.costs.source : "")
        engine = EngineLabel(measurements.engine, schedule: measurements.schedule)
        // Real threads run on this machine's CPUs wherever a profile would put them.
        machine = measurements.engine == .virtual ? settings.machine.name : MachineProfile.host.name
        placement = measurements.engine == .virtual ? settings.placement.rawValue : ""
        faultRemainderNanos = measurements.costs.faultRemainderNanos
        ageRemainderNanos = measurements.costs.agingRemainderNanosPerPage
        runnableThreads = measurements.runnableThreads
        // Virtual agents each have a CPU of their own.
        oversubscribed = measurements.engine == .real && measurements.runnableThreads > OSThread.allowedCPUs ? 1 : 0
        tlbEntries = measurements.tlbEntries
        flushOnAge = measurements.flushOnAge ? 1 : 0

        let reports = measurements.vcpus
        var faultTicks = VCPUReport.faultHistogram()
        var vcpuLocks = LockStats()
        var vcpuEvents = MMUEvents()
        for report in reports {
            faultTicks.add(report.faultTicks)
            vcpuLocks = vcpuLocks + report.lockStats
            vcpuEvents = vcpuEvents + report.events
        }
        func nanosecondsOf(_ ticks: UInt64) -> Double { Double(ticks) * measurements.nanosecondsPerTick }
        func nanoseconds(_ ticks: UInt64) -> UInt64 { UInt64(nanosecondsOf(ticks)) }
        func percentile(_ value: Double) -> UInt64 {
            faultTicks.totalCount == 0 ? 0 : nanoseconds(faultTicks.valueAtPercentile(value))
        }
        let populateEnd = reports.map(\.populateEnd).max() ?? measurements.populateStart
        let workEnd = reports.map(\.workEnd).max() ?? measurements.workStart
        populateSeconds = nanosecondsOf(populateEnd &- measurements.populateStart) / 1e9
        vcpuWallSeconds = settings.agingOnly ? 0 : nanosecondsOf(workEnd &- measurements.workStart) / 1e9
        vcpuCPUSeconds = Double(reports.reduce(0) { $0 + $1.cpuNanoseconds }) / 1e9
        accesses = reports.reduce(0) { $0 + $1.accesses }
        faults = reports.reduce(0) { $0 + $1.faults }
        faultP50Nanos = percentile(50)
        faultP99Nanos = percentile(99)
        faultP999Nanos = percentile(99.9)
        faultMaxNanos = faultTicks.totalCount == 0 ? 0 : nanoseconds(faultTicks.max)
        refaults = reports.reduce(0) { $0 + $1.refaults }
        faultRetries = vcpuEvents.faultRetries
        tlbHits = reports.reduce(0) { $0 + $1.tlb.hits }
        tlbMisses = reports.reduce(0) { $0 + $1.tlb.misses }
        falseOldRefaults = reports.reduce(0) { $0 + $1.falseOldRefaults }

        let ager = measurements.aging
        agingPasses = ager.passes
        passAverageSeconds = ager.passAverageSeconds
        pagesAgedPerSecond = ager.passAverageSeconds > 0 ? Double(measurements.guestPages) / ager.passAverageSeconds : 0
        limitPassSeconds = measurements.limitPassSeconds
        passVsLimit = measurements.limitPassSeconds > 0 ? ager.passAverageSeconds / measurements.limitPassSeconds : 0
        notifierCalls = ager.notifierCalls
        youngPages = ager.youngPages
        pagesAged = ager.pagesAged
        evictions = ager.evictions
        falseOld = ager.falseOld
        shootdowns = ager.events.shootdowns
        shootdownWaitNanos = nanoseconds(ager.events.shootdownWaitTicks)
        lockAcquisitions = vcpuLocks.acquisitions + ager.lockStats.acquisitions
        vcpuLockContended = vcpuLocks.contended
        vcpuLockWaitNanos = nanoseconds(vcpuLocks.waitTicks)
        agingLockWaitNanos = nanoseconds(ager.lockStats.waitTicks)
        agingLockHoldNanos = nanoseconds(ager.lockStats.read.holdTicks &+ ager.lockStats.write.holdTicks)
        hostLockWaitNanos = UInt64(measurements.machine.hostLockWaitNanos.rounded())
        zoneLockAcquisitions = measurements.machine.zoneLockAcquisitions
        lruLockAcquisitions = measurements.machine.lruLockAcquisitions
        memcgCharges = measurements.machine.memcgCharges
        lineMoves = measurements.machine.lineMoves
        engineEvents = measurements.machine.events

        ptBytes = UInt64(measurements.tables.secondary)
        ptBytesJemalloc = UInt64(measurements.tables.jemalloc)
        hostPTBytes = UInt64(measurements.tables.host)
        folioBytes = UInt64(measurements.folioBytes)
        nonABitChanges = UInt64(measurements.audit.identityViolations)
        staleMappings = UInt64(measurements.audit.staleMappings)
        staleAccesses = measurements.audit.staleAccesses
        useAfterFree = UInt64(measurements.audit.useAfterFreeReads)

        // The request histograms are in nanoseconds already (each engine converted its clock).
        var requestNanos = VCPUReport.requestHistogram()
        for report in reports { requestNanos.add(report.requestNanoseconds) }
        func requestPercentile(_ value: Double) -> UInt64 {
            requestNanos.totalCount == 0 ? 0 : requestNanos.valueAtPercentile(value)
        }
        requestWorkload = settings.requests?.rawValue ?? ""
        requests = reports.reduce(0) { $0 + $1.requests }
        requestsPerSecond = requests > 0 && vcpuWallSeconds > 0 ? Double(requests) / vcpuWallSeconds : 0
        requestP50Nanos = requestPercentile(50)
        requestP90Nanos = requestPercentile(90)
        requestP99Nanos = requestPercentile(99)
        requestP999Nanos = requestPercentile(99.9)
        requestP9999Nanos = requestPercentile(99.99)
        requestMaxNanos = requestNanos.totalCount == 0 ? 0 : requestNanos.max
        vms = settings.vms
        hostMemoryPages = measurements.budget?.pages ?? 0
        swap = measurements.budget == nil ? "" : settings.swap.rawValue
        peakResidentPages = measurements.peakResidentPages
        allocationStalls = reports.reduce(0) { $0 + $1.allocationStalls } + measurements.machine.allocationStalls
        allocationStallNanos = UInt64(measurements.machine.allocationStallNanos.rounded())
        victimsChecked = ager.victimsChecked
        victimsReferenced = ager.victimsReferenced
        agingLockAcquisitions = ager.lockStats.acquisitions
    }
}
