import Core
import Results

/// What runs a cell's agents: the clock, the scheduler and the lock gate, and nothing else.
///
/// Contract: `run` runs the cell's phases with agents from `setup` — every vCPU populates; once
/// all have, `populated` runs (with no vCPU access in flight) and then every vCPU works; aging,
/// when the cell has it beside the vCPUs, runs from before populate until `AgingAgent.passFollows`
/// stops it — and returns what the agents measured in the engine's ticks. `CellRunner` does
/// everything else (setup, the hook's work, the audit, the row) once for both engines.
protocol CellEngine {
    /// Which engine this is, for the row.
    var kind: Engine { get }
    /// Nanoseconds per tick of every tick the engine reports.
    var nanosecondsPerTick: Double { get }
    /// The virtual engine's tie-breaking (the row's `engine` label).
    var schedule: Schedule { get }
    /// The host side of `guestPages` guest pages for `costs` (nil: `--costs raw`), held within
    /// `budget` when there is one, its evicted pages going to `swap`.
    func makeHostSide(guestPages: UInt64, costs: CostModel, budget: Watermarks?, swap: SwapDevice) throws(InputError) -> HostSide?
    func run<MMU: SecondaryMMU>(_ setup: CellSetup<MMU>, populated: () -> Void) -> EngineRun
}

/// What the agents measured, in the engine's ticks.
struct EngineRun {
    var vcpus: [VCPUReport]
    /// The aging thread's (and the unmapper's shootdowns), empty when none ran beside the vCPUs.
    var aging = AgingReport()
    /// Tick at which the populate gate opened, and at which the work gate opened.
    var populateStart: UInt64
    var workStart: UInt64
    /// The virtual engine's machine model's counts (zero from the thread engine).
    var machine = MachineCounters()
    /// Why the virtual engine stopped the cell before its end: a vCPU that made no progress
    /// (`VCPU.starvedAccess`); nil when the cell ran to its end.
    var starvation: String?
}
