import Backends
import Core

/// An architecture the ablation varies: the registered backends whose format, table structure,
/// fault lock and clear method it keeps, and the aging locks that apply to each structure.
///
/// Contract: `configurations` is every (structure, aging lock, bitmap) the architecture can run,
/// in a fixed order; the first lock of each structure is its reference level (the least locking).
public enum AblationArchitecture: String, Sendable, CaseIterable {
    case x86, arm64, riscv

    /// The base backend of each table structure, with the aging locks that apply to it: per-rmap
    /// only where there is an rmap; lockless never on an rmap (its heads change under the write
    /// lock, so a walker must exclude writers by one lock or the other).
    var bases: [(backend: String, locks: [LockMode])] {
        switch self {
        case .x86: [("x86-tdp", [.none, .read, .write]), ("x86-shadow", [.perRmap, .read, .write])]
        case .arm64: [("arm64-stage2", [.none, .read, .write])]
        case .riscv: [("riscv-gstage", [.none, .read, .write])]
        }
    }

    /// Every configuration, bitmap on before off within a lock.
    public var configurations: [AblationConfiguration] {
        bases.flatMap { base in
            base.locks.flatMap { lock in
                [true, false].map { AblationConfiguration(base: base.backend, lock: lock, bitmap: $0) }
            }
        }
    }

    /// The reference aging lock of `base`'s structure.
    func referenceLock(of base: String) -> LockMode? {
        bases.first { $0.backend == base }?.locks.first
    }
}
