import Core

/// Everything about a cell's workload that is not a sweep axis (DESIGN section 3).
///
/// Contract: two runs with equal settings, cell and seed issue the same access stream per vCPU.
public struct WorkloadSettings: Sendable, Hashable {
    /// How vCPUs pick pages.
    public var pattern: AccessPattern = .uniform
    /// Percent of accesses that are writes (0–100).
    public var writePercent: Int = 20
    /// Requests the vCPUs serve in the measured phase instead of `pattern` and `writePercent`
    /// (`--requests`); nil: the selftest's rounds by the pattern.
    public var requests: RequestWorkload?
    /// Base seed; each vCPU's stream derives from it, the vCPU and the repetition (never the
    /// backend, so every backend sees the same accesses).
    public var seed: UInt64 = 1
    /// Accesses per vCPU in the measured phase, as multiples of its page count (0: populate only,
    /// as calibration runs it).
    public var rounds: Int = 4
    /// Pages old for this many consecutive aging passes are evicted (0: never evict, the
    /// selftest's behaviour and the default: a pass-count policy evicts more under a faster
    /// backend, which would charge its speed to the vCPUs).
    public var evictAfter: Int = 0
    /// `--aging-only`: no vCPU load after populate; the aging thread runs `agingOnlyPasses`.
    public var agingOnly = false
    /// Aging passes timed in an `--aging-only` run.
    public var agingOnlyPasses: Int = 5
    /// `--count instructions`: each cell's instructions counted under callgrind instead of its
    /// times measured (`InstructionCounter`).
    public var countInstructions = false
    /// Run the backends in their x86 A/D-bits-off mode (access tracking; `--ad-off`).
    public var accessTracking = false
    /// Look-around window (pages per notifier call), at most 64.
    public var windowPages: Int = 64
    /// How aging asks the secondary MMU; nil: what the backend's kernel does
    /// (`DriverMode.kernelDefault`).
    public var driver: DriverMode?
    /// Entries of each vCPU's TLB (`--tlb-entries`; 0: no TLB, every access walks).
    public var tlbEntries: Int = TLB.defaultEntries
    /// Every aging clear flushes the cleared pages' translations (`--flush-on-age`), as
    /// `clear_flush_young` did before x86 elided its flush; needs a TLB.
    public var flushOnAge = false
    /// The host side and the calibrated remainders (`--costs`); `.raw` until a calibration is loaded.
    public var costs: CostModel = .raw
    /// Real threads, or agents in virtual time (`--engine`).
    public var engine: Engine = .real
    /// How the virtual engine breaks ties (`--schedule`).
    public var schedule: Schedule = .deterministic
    /// What each operation costs in virtual time; required by the virtual engine.
    public var engineCosts: EngineCosts?
    /// Virtual engine: one look-around window invalidated at a seeded place every this many
    /// virtual nanoseconds (the VMM giving pages back; `--unmap-every`); 0: never.
    public var unmapEveryNanos: Double = 0
    /// The id of the calibration `engineCosts` came from.
    public var engineCalibration = ""
    /// Virtual engine: the machine whose CPUs the agents sit on and whose line moves they pay
    /// (`--machine`).
    public var machine: MachineProfile = .host
    /// Virtual engine: where the agents sit on the machine's CPUs (`--placement`).
    public var placement: Placement = .spread
    /// Virtual engine, `agingbench sensitivity`: the share of the calibrated fault remainder
    /// spent under `mmu_lock` instead of the model's own split (`FaultSplit`); nil: the model's.
    public var mmuLockShareOverride: Double?
    /// Virtual engine, `agingbench sensitivity`: every line move at this many nanoseconds
    /// instead of the machine's; nil: the machine's.
    public var lineTransferOverride: Double?

    /// The host memory the guests may use (`--host-memory`, `--overcommit`); nil: no limit,
    /// the aging thread passes back to back as the selftest's does.
    public var hostMemory: HostMemoryLimit?
    /// Where evicted pages go, and what a refault and an eviction cost (`--swap`).
    public var swap: SwapDevice = .zram
    /// Guests the cell's vCPUs are split among (`--vms`), each with its own secondary MMU and
    /// `mmu_lock`, sharing the host's memory, aging thread and machine.
    public var vms: Int = 1

    public init() {}
}

/// A host memory budget below the guests' footprint.
public enum HostMemoryLimit: Sendable, Hashable, CustomStringConvertible {
    /// This many bytes.
    case bytes(UInt64)
    /// The guests' footprint divided by this ratio (1.5: the guests have 1.5× the host's memory).
    case overcommit(Double)

    /// The budget in pages for guests of `guestPages` in all.
    public func budgetPages(guestPages: UInt64) -> UInt64 {
        switch self {
        case .bytes(let bytes): bytes / 4096
        case .overcommit(let ratio): UInt64((Double(guestPages) / ratio).rounded(.down))
        }
    }

    public var description: String {
        switch self {
        case .bytes(let bytes): "\(bytes)B"
        case .overcommit(let ratio): "\(ratio)x"
        }
    }
}
