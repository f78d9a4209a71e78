/// How `mmu_lock` is taken: the aging and fault lock modes a backend declares.
public enum LockMode: String, Sendable, CaseIterable, CustomStringConvertible {
    /// No `mmu_lock`: lockless, inside the reclamation read-side section (RCU).
    case none
    /// `mmu_lock` held for read (shared).
    case read
    /// `mmu_lock` held for write (exclusive).
    case write
    /// A lock bit per rmap head instead of `mmu_lock` (upstream's later shadow-MMU aging).
    case perRmap = "per-rmap"

    public var description: String { rawValue }
}
