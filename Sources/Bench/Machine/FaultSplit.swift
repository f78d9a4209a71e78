/// Where the calibrated fault remainder runs: outside every lock, under `mmap_lock` (the GUP
/// step of a first touch), or under `mmu_lock` (the secondary MMU's walk and install).
///
/// Contract: the three shares are non-negative and sum to 1. The model's split (`model(_:)`)
/// is the kernel fault's structure measured by the model's own operations: the remainder is
/// divided in the proportions the calibrated backend's (x86-tdp's) own fault work has in each
/// place — the exit and the fault path's overhead outside, the GUP step (frame, zeroing, folio,
/// host PTE) under `mmap_lock`, the walk and install (less the lock's own cost) under
/// `mmu_lock`. No vCPU-series result enters it; `agingbench sensitivity` shows what results do
/// when the share under `mmu_lock` moves (`overridingMMULockShare`).
public struct FaultSplit: Sendable, Hashable {
    public var outside: Double
    public var underMmapLock: Double
    public var underMMULock: Double

    public init(outside: Double, underMmapLock: Double, underMMULock: Double) {
        let total = outside + underMmapLock + underMMULock
        precondition(total > 0 && outside >= 0 && underMmapLock >= 0 && underMMULock >= 0, "a fault split needs shares")
        self.outside = outside / total
        self.underMmapLock = underMmapLock / total
        self.underMMULock = underMMULock / total
    }

    /// The model's split, from `costs`'s measured operations of the calibrated backend.
    public static func model(_ costs: EngineCosts) -> FaultSplit {
        let walkAndInstall = costs.backends[Calibrator.backend].map { max(0, $0.faultNanos - costs.lockPairNanos) } ?? 0
        return FaultSplit(
            outside: costs.exitEntryNanos + costs.faultOverheadNanos, underMmapLock: costs.gupFirstTouchNanos,
            underMMULock: walkAndInstall)
    }

    /// `share` (0…1) under `mmu_lock`; the rest divided between the other two as before.
    public func overridingMMULockShare(_ share: Double) -> FaultSplit {
        let others = outside + underMmapLock
        let scale = others > 0 ? (1 - share) / others : 0
        return FaultSplit(outside: others > 0 ? outside * scale : 1 - share, underMmapLock: underMmapLock * scale, underMMULock: share)
    }
}
