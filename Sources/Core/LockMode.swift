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

    /// What the mode means, for `agingbench list`'s legend.
    public var meaning: String {
        switch self {
        case .none: "lockless (RCU only, no mmu_lock)"
        case .read: "mmu_lock for read"
        case .write: "mmu_lock for write"
        case .perRmap: "a lock bit in each rmap head, no mmu_lock"
        }
    }

    /// Whether a holder in this mode makes a taker in `other` wait for `mmu_lock`: both take it
    /// and one of them for write. Lockless and per-rmap paths never wait for `mmu_lock`.
    public func conflicts(with other: LockMode) -> Bool {
        switch (self, other) {
        case (.none, _), (.perRmap, _), (_, .none), (_, .perRmap): false
        case (.read, .read): false
        default: true
        }
    }
}
