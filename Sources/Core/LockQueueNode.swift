import Synchronization

/// One thread's node in an `MMULock` wait queue (an MCS node, as qspinlock's `mcs_spinlock`).
///
/// Contract: a node sits in at most one queue at a time; it lives on a cache line of its own, so
/// the waiter spinning on `waiting` shares that line with no one but its predecessor's one
/// handover store. Owned by a `HostThread`; freed with it.
public final class LockQueueNode: @unchecked Sendable {
    // Safety: both fields are atomics in memory that lives as long as the node.

    /// Two words at the start of a 64-byte line: the successor's address, then the wait flag.
    @usableFromInline let words: UnsafeMutablePointer<Atomic<UInt>>
    @usableFromInline static let lineBytes = 64

    public init() {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Self.lineBytes, alignment: Self.lineBytes)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: Self.lineBytes)
        words = raw.bindMemory(to: Atomic<UInt>.self, capacity: 2)
    }

    deinit { UnsafeMutableRawPointer(words).deallocate() }

    /// The node's address, as stored in a queue's tail and in a predecessor's successor word.
    @usableFromInline var address: UInt { UInt(bitPattern: words) }

    /// The node at `address` (a live node: a queue holds only nodes whose owners wait in it).
    @usableFromInline static func at(_ address: UInt) -> NodeView { NodeView(address: address) }

    @usableFromInline var successor: UInt { words[0].load(ordering: .acquiring) }

    @usableFromInline func prepare() {
        words[0].store(0, ordering: .relaxed)
        words[1].store(1, ordering: .relaxed)
    }

    @usableFromInline func waitForTurn() {
        var backoff = SpinBackoff()
        while words[1].load(ordering: .acquiring) != 0 { backoff.pause() }
    }

    /// Waits for a successor that swapped itself into the tail to link itself here.
    @usableFromInline func waitForSuccessor() -> UInt {
        var backoff = SpinBackoff()
        while true {
            let next = words[0].load(ordering: .acquiring)
            if next != 0 { return next }
            backoff.pause()
        }
    }

    /// Another node seen through its address, for the two stores a neighbour makes to it.
    @usableFromInline struct NodeView {
        @usableFromInline let address: UInt
        @usableFromInline init(address: UInt) { self.address = address }
        @usableFromInline var words: UnsafeMutablePointer<Atomic<UInt>> {
            UnsafeMutablePointer(bitPattern: address)!
        }
        @usableFromInline func link(to node: LockQueueNode) { words[0].store(node.address, ordering: .releasing) }
        @usableFromInline func grantTurn() { words[1].store(0, ordering: .releasing) }
    }
}
