import CPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Spin-then-yield waiting for the model's locks.
///
/// The kernel spins with `cpu_relax()`; here threads can outnumber the 2 cores, and a spinner that
/// never yields can burn the quantum of the very thread it waits for. So: a short burst of CPU
/// pauses, then `sched_yield()` on every further round.
public struct SpinBackoff {
    @usableFromInline var rounds: UInt32 = 0
    @usableFromInline static let spinRounds: UInt32 = 64

    @inlinable public init() {}

    @inlinable public mutating func pause() {
        if rounds < Self.spinRounds {
            rounds &+= 1
            agingbench_cpu_relax()
        } else {
            sched_yield()
        }
    }
}
