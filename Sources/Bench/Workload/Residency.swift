import Core
import Synchronization

/// Which guest pages are resident from reclaim's point of view, shared by the aging driver and
/// the vCPUs: `absent` until first faulted in, `resident` after, `evicted` once reclaim zapped it.
/// A fault on an evicted page is a refault.
final class Residency: @unchecked Sendable {
    // Safety: an array of atomics, allocated once.
    static let absent: UInt8 = 0
    static let resident: UInt8 = 1
    static let evicted: UInt8 = 2

    let count: Int
    private let states: UnsafeMutablePointer<Atomic<UInt8>>

    init(pages: UInt64) {
        count = Int(pages)
        states = .allocate(capacity: max(1, count))
        for index in 0..<count { (states + index).initialize(to: Atomic(Self.absent)) }
    }

    deinit {
        states.deinitialize(count: count)
        states.deallocate()
    }

    /// The vCPU faulted `gfn` in; returns true if that was a refault.
    @inline(__always) func faultedIn(_ gfn: UInt64) -> Bool {
        states[Int(gfn)].exchange(Self.resident, ordering: .relaxed) == Self.evicted
    }

    @inline(__always) func isResident(_ gfn: UInt64) -> Bool {
        states[Int(gfn)].load(ordering: .relaxed) == Self.resident
    }

    /// Reclaim is about to zap `gfn`.
    @inline(__always) func markEvicted(_ gfn: UInt64) {
        states[Int(gfn)].store(Self.evicted, ordering: .relaxed)
    }
}
