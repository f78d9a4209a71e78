import Synchronization

/// `kvm->mmu_lock`: a fair reader-writer lock modelled on the kernel's queued rwlock (qrwlock).
///
/// - Readers take a fast path (add a reader bias) unless a writer holds or waits for the lock.
/// - Everyone else queues FIFO on a ticket lock (the qrwlock's wait queue), so a waiting writer
///   holds back new readers and is never starved by a stream of them.
/// - Waiting spins with a CPU pause and backs off to `sched_yield()` (`SpinBackoff`).
///
/// Every acquisition is accounted in the caller's `HostThread` per side: count, contended, wait
/// ticks (read from the tick counter only in the slow path) and hold ticks. Callers must pass the
/// thread that holds the lock to the matching unlock.
public final class MMULock: @unchecked Sendable {
    // Safety: all state is atomics; the class exists only to give them a stable address.

    @usableFromInline static let writerLocked: UInt32 = 0xFF
    @usableFromInline static let writerWaiting: UInt32 = 0x100
    @usableFromInline static let writerMask: UInt32 = 0x1FF
    @usableFromInline static let readerBias: UInt32 = 0x200

    /// Reader count × `readerBias` | `writerWaiting` | `writerLocked`, as qrwlock's `cnts`.
    @usableFromInline let state = Atomic<UInt32>(0)
    /// The wait queue: a FIFO ticket lock.
    @usableFromInline let nextTicket = Atomic<UInt32>(0)
    @usableFromInline let servingTicket = Atomic<UInt32>(0)

    public init() {}

    // MARK: Read side

    @inlinable public func lockShared(_ thread: HostThread) {
        thread.lockStats.read.acquisitions &+= 1
        let old = state.wrappingAdd(Self.readerBias, ordering: .acquiring).oldValue
        if old & Self.writerMask != 0 {
            lockSharedSlow(thread)
        }
        thread.lockHeldSince = Ticks.now()
    }

    @inlinable public func unlockShared(_ thread: HostThread) {
        thread.lockStats.read.holdTicks &+= Ticks.now() &- thread.lockHeldSince
        state.wrappingSubtract(Self.readerBias, ordering: .releasing)
    }

    @usableFromInline func lockSharedSlow(_ thread: HostThread) {
        let start = Ticks.now()
        state.wrappingSubtract(Self.readerBias, ordering: .relaxed)
        enqueue()
        state.wrappingAdd(Self.readerBias, ordering: .acquiring)
        var backoff = SpinBackoff()
        while state.load(ordering: .acquiring) & Self.writerLocked != 0 {
            backoff.pause()
        }
        dequeue()
        thread.lockStats.read.contended &+= 1
        thread.lockStats.read.waitTicks &+= Ticks.now() &- start
    }

    // MARK: Write side

    @inlinable public func lockExclusive(_ thread: HostThread) {
        thread.lockStats.write.acquisitions &+= 1
        if !state.compareExchange(expected: 0, desired: Self.writerLocked, ordering: .acquiring).exchanged {
            lockExclusiveSlow(thread)
        }
        thread.lockHeldSince = Ticks.now()
    }

    @inlinable public func unlockExclusive(_ thread: HostThread) {
        thread.lockStats.write.holdTicks &+= Ticks.now() &- thread.lockHeldSince
        state.wrappingSubtract(Self.writerLocked, ordering: .releasing)
    }

    @usableFromInline func lockExclusiveSlow(_ thread: HostThread) {
        let start = Ticks.now()
        enqueue()
        if !state.compareExchange(expected: 0, desired: Self.writerLocked, ordering: .acquiring).exchanged {
            state.bitwiseOr(Self.writerWaiting, ordering: .relaxed)
            var backoff = SpinBackoff()
            while !state.compareExchange(
                expected: Self.writerWaiting, desired: Self.writerLocked, ordering: .acquiring
            ).exchanged {
                backoff.pause()
            }
        }
        dequeue()
        thread.lockStats.write.contended &+= 1
        thread.lockStats.write.waitTicks &+= Ticks.now() &- start
    }

    // MARK: Mode-driven entry points

    /// Takes the lock as `mode` says; `.none` and `.perRmap` take nothing here.
    @inlinable public func lock(_ mode: LockMode, _ thread: HostThread) {
        switch mode {
        case .read: lockShared(thread)
        case .write: lockExclusive(thread)
        case .none, .perRmap: break
        }
    }

    @inlinable public func unlock(_ mode: LockMode, _ thread: HostThread) {
        switch mode {
        case .read: unlockShared(thread)
        case .write: unlockExclusive(thread)
        case .none, .perRmap: break
        }
    }

    // MARK: Wait queue

    @usableFromInline func enqueue() {
        let ticket = nextTicket.wrappingAdd(1, ordering: .relaxed).oldValue
        var backoff = SpinBackoff()
        while servingTicket.load(ordering: .acquiring) != ticket {
            backoff.pause()
        }
    }

    @usableFromInline func dequeue() {
        servingTicket.wrappingAdd(1, ordering: .releasing)
    }

    /// Readers holding the lock now (for tests).
    public var readerCount: UInt32 { state.load(ordering: .relaxed) / Self.readerBias }
    /// True while a writer holds the lock (for tests).
    public var isWriteLocked: Bool { state.load(ordering: .relaxed) & Self.writerLocked != 0 }
    /// True while a writer waits for the lock (for tests).
    public var hasWaitingWriter: Bool { state.load(ordering: .relaxed) & Self.writerWaiting != 0 }
}
