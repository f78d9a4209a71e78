import Synchronization

/// `kvm->mmu_lock`: a fair reader-writer lock modelled on the kernel's queued rwlock (qrwlock).
///
/// - Readers take a fast path (add a reader bias) unless a writer holds or waits for the lock.
/// - Everyone else queues FIFO on an MCS queue (qrwlock's wait queue is a qspinlock, whose
///   waiters each spin on a node of their own): only the queue's head watches the lock word, so
///   a handover moves one cache line to one waiter instead of every waiter's.
/// - A waiting writer holds back new readers, and polls the lock word with loads until it can
///   win, trying its compare-exchange only then.
/// - Waiting spins with a CPU pause and backs off to `sched_yield()` (`SpinBackoff`).
///
/// Accounting, per side, in the caller's `HostThread`: count, contended, wait ticks and hold
/// ticks. Nothing is read from the tick counter inside an uncontended critical section: a hold is
/// timed from just before the acquiring atomic to just after the releasing one, minus the wait,
/// so the accounting lengthens no one else's wait. Holds are timed for a sample of acquisitions
/// (`HoldSampler`) and weighted, so the tick reads cost the fast path about 1 ns instead of as
/// much as the lock itself. Every wait is timed: it starts at the acquiring atomic on a timed
/// acquisition and when the fast path fails on the others. Callers must pass the thread that
/// holds the lock to the matching unlock; a thread takes one lock attempt at a time (its one
/// queue node).
public final class MMULock: @unchecked Sendable {
    // Safety: all state is atomics; the class exists only to give them a stable address.

    @usableFromInline static let writerLocked: UInt32 = 0xFF
    @usableFromInline static let writerWaiting: UInt32 = 0x100
    @usableFromInline static let writerMask: UInt32 = 0x1FF
    @usableFromInline static let readerBias: UInt32 = 0x200

    /// Reader count × `readerBias` | `writerWaiting` | `writerLocked`, as qrwlock's `cnts`.
    @usableFromInline let state = Atomic<UInt32>(0)
    /// The wait queue's tail: the address of the last waiter's `LockQueueNode`, 0 when empty.
    @usableFromInline let queueTail = Atomic<UInt>(0)

    public init() {}

    // MARK: Read side

    @inlinable public func lockShared(_ thread: HostThread) {
        thread.lockStats.read.acquisitions &+= 1
        let start = thread.beginLockAttempt()
        let old = state.wrappingAdd(Self.readerBias, ordering: .acquiring).oldValue
        if old & Self.writerMask != 0 {
            lockSharedSlow(thread, since: start)
        }
    }

    @inlinable public func unlockShared(_ thread: HostThread) {
        state.wrappingSubtract(Self.readerBias, ordering: .releasing)
        thread.lockStats.read.holdTicks &+= thread.endLockHold()
    }

    /// `start`: the attempt's start tick, 0 when its hold is not timed.
    @usableFromInline func lockSharedSlow(_ thread: HostThread, since start: UInt64) {
        let start = start != 0 ? start : Ticks.now()
        state.wrappingSubtract(Self.readerBias, ordering: .relaxed)
        enqueue(thread.queueNode)
        state.wrappingAdd(Self.readerBias, ordering: .acquiring)
        var backoff = SpinBackoff()
        while state.load(ordering: .acquiring) & Self.writerLocked != 0 {
            backoff.pause()
        }
        dequeue(thread.queueNode)
        let wait = Ticks.now() &- start
        thread.noteLockWait(wait)
        thread.lockStats.read.contended &+= 1
        thread.lockStats.read.waitTicks &+= wait
    }

    // MARK: Write side

    @inlinable public func lockExclusive(_ thread: HostThread) {
        thread.lockStats.write.acquisitions &+= 1
        let start = thread.beginLockAttempt()
        if !state.compareExchange(expected: 0, desired: Self.writerLocked, ordering: .acquiring).exchanged {
            lockExclusiveSlow(thread, since: start)
        }
    }

    @inlinable public func unlockExclusive(_ thread: HostThread) {
        state.wrappingSubtract(Self.writerLocked, ordering: .releasing)
        thread.lockStats.write.holdTicks &+= thread.endLockHold()
    }

    /// `start`: the attempt's start tick, 0 when its hold is not timed.
    @usableFromInline func lockExclusiveSlow(_ thread: HostThread, since start: UInt64) {
        let start = start != 0 ? start : Ticks.now()
        enqueue(thread.queueNode)
        if !state.compareExchange(expected: 0, desired: Self.writerLocked, ordering: .acquiring).exchanged {
            state.bitwiseOr(Self.writerWaiting, ordering: .relaxed)
            var backoff = SpinBackoff()
            while true {
                // Loads until the readers have drained: a compare-exchange that must fail would
                // take the line exclusive and slow the readers' releases down.
                if state.load(ordering: .relaxed) == Self.writerWaiting
                    && state.compareExchange(
                        expected: Self.writerWaiting, desired: Self.writerLocked, ordering: .acquiring
                    ).exchanged
                {
                    break
                }
                backoff.pause()
            }
        }
        dequeue(thread.queueNode)
        let wait = Ticks.now() &- start
        thread.noteLockWait(wait)
        thread.lockStats.write.contended &+= 1
        thread.lockStats.write.waitTicks &+= wait
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

    // MARK: Wait queue (MCS)

    /// Joins the queue and returns once `node` is its head.
    @usableFromInline func enqueue(_ node: LockQueueNode) {
        node.prepare()
        let previous = queueTail.exchange(node.address, ordering: .acquiringAndReleasing)
        guard previous != 0 else { return }
        LockQueueNode.at(previous).link(to: node)
        node.waitForTurn()
    }

    /// Leaves the queue's head, handing it to the next waiter.
    @usableFromInline func dequeue(_ node: LockQueueNode) {
        if node.successor == 0
            && queueTail.compareExchange(expected: node.address, desired: 0, ordering: .acquiringAndReleasing).exchanged
        {
            return
        }
        LockQueueNode.at(node.waitForSuccessor()).grantTurn()
    }

    /// Readers holding the lock now (for tests).
    public var readerCount: UInt32 { state.load(ordering: .relaxed) / Self.readerBias }
    /// True while a writer holds the lock (for tests).
    public var isWriteLocked: Bool { state.load(ordering: .relaxed) & Self.writerLocked != 0 }
    /// True while a writer waits for the lock (for tests).
    public var hasWaitingWriter: Bool { state.load(ordering: .relaxed) & Self.writerWaiting != 0 }
}
