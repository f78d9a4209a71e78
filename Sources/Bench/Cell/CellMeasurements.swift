import Core

/// Everything one cell measured, before it becomes a `RunRecord` row.
struct CellMeasurements {
    var guestPages: UInt64
    var vcpus: [VCPUReport]
    var aging: AgingReport
    /// Tick at which the populate gate opened, and at which the work gate opened.
    var populateStart: UInt64
    var workStart: UInt64
    /// Page-table bytes once every vCPU had populated.
    var tables: TableBytes
    /// The host side's folio bytes at the end (0 without a host side).
    var folioBytes = 0
    /// The C reference's mean pass (`--aging-only`), else 0.
    var limitPassSeconds: Double
    var audit: CellAudit
    var driver: DriverMode
    var costs: CostModel
    /// vCPU threads plus the aging thread when it runs alongside them.
    var runnableThreads: Int
    /// Entries of each vCPU's TLB (0: none), and whether aging flushed.
    var tlbEntries: Int
    var flushOnAge: Bool
    /// Nanoseconds per tick of every tick field above and in the reports: the tick counter's
    /// for the real engine, 1 for the virtual engine (its clock counts nanoseconds).
    var nanosecondsPerTick = Ticks.nanosecondsPerTick
    var engine: Engine = .real
    var schedule: Schedule = .deterministic
    /// The virtual engine's machine model's counts (zero on real threads).
    var machine = MachineCounters()
    /// The host's budget, and the most pages resident at once under it (nil, 0: no budget).
    var budget: Watermarks?
    var peakResidentPages: UInt64 = 0
}
