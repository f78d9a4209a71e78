/// The state one host thread carries into the model: its reclamation slot and its counters.
///
/// The kernel needs no such object (RCU and per-CPU counters are implicit); the model makes it
/// explicit so accounting is per thread and merged after a run, with no shared counters in hot
/// paths. Create one per thread with `SecondaryMMU.makeThread(role:)`; use it from one thread at
/// a time; call `retire()` when the thread is done with the MMU.
public final class HostThread: @unchecked Sendable {
    // Safety: used by one thread at a time; handing it to another thread goes through thread
    // start/join or a lock, which order its memory.

    /// What the thread does in the model (used to attribute lock waits).
    public enum Role: String, Sendable {
        case vcpu, aging, zap
    }

    public let role: Role
    /// This thread's read-side slot in the MMU's reclaimer.
    public let slot: EpochReclaimer.Slot
    @usableFromInline let reclaimer: EpochReclaimer

    /// The counters live behind a pointer: a class's stored `var` would pay a dynamic
    /// exclusivity check on every update in the fault and aging paths.
    @usableFromInline struct Counters {
        @usableFromInline var lockStats = LockStats()
        @usableFromInline var holdSampler = HoldSampler(seed: 0x6D6D_755F_6C6F_636B)
        @usableFromInline var lockHoldWeight: UInt64 = 0
        @usableFromInline var lockAttemptStart: UInt64 = 0
        @usableFromInline var lockAttemptWait: UInt64 = 0
        @usableFromInline var events = MMUEvents()
        @usableFromInline var preemption: PreemptionPoint?
        @usableFromInline init() {}
    }
    @usableFromInline let counters: UnsafeMutablePointer<Counters>

    /// `mmu_lock` accounting of this thread.
    @inlinable public var lockStats: LockStats {
        _read { yield counters.pointee.lockStats }
        _modify { yield &counters.pointee.lockStats }
    }
    /// Starts this thread's next lock acquisition: when the `HoldSampler` times its hold, reads
    /// the start tick (call before the acquiring atomic) and returns it; else returns 0.
    @inlinable func beginLockAttempt() -> UInt64 {
        let weight = counters.pointee.holdSampler.next()
        counters.pointee.lockHoldWeight = weight
        guard weight != 0 else { return 0 }
        let start = Ticks.now()
        counters.pointee.lockAttemptStart = start
        counters.pointee.lockAttemptWait = 0
        return start
    }

    /// Records how long the timed acquisition begun at `beginLockAttempt` waited (ticks).
    @inlinable func noteLockWait(_ wait: UInt64) {
        counters.pointee.lockAttemptWait = wait
    }

    /// The hold that ends now times its weight, in ticks (call after the releasing atomic):
    /// from the acquisition's start, less its wait. 0 when this hold was not timed.
    @inlinable func endLockHold() -> UInt64 {
        let weight = counters.pointee.lockHoldWeight
        guard weight != 0 else { return 0 }
        let held = Ticks.now() &- counters.pointee.lockAttemptStart &- counters.pointee.lockAttemptWait
        return held &* weight
    }

    /// This thread's node in `MMULock` wait queues.
    public let queueNode = LockQueueNode()
    /// Where another agent may run in the middle of this thread's work, to search for races (the
    /// virtual engine's random schedule sets it). Nil on real threads: the hardware interleaves
    /// them. Reached only between the read and the write of a non-atomic read-modify-write.
    @inlinable public var preemption: PreemptionPoint? {
        _read { yield counters.pointee.preemption }
        _modify { yield &counters.pointee.preemption }
    }
    /// Model events seen by this thread.
    @inlinable public var events: MMUEvents {
        _read { yield counters.pointee.events }
        _modify { yield &counters.pointee.events }
    }

    public init(role: Role, reclaimer: EpochReclaimer) {
        self.role = role
        self.reclaimer = reclaimer
        slot = reclaimer.register()
        counters = .allocate(capacity: 1)
        counters.initialize(to: Counters())
    }

    deinit {
        counters.deinitialize(count: 1)
        counters.deallocate()
    }

    /// rcu_read_lock() for this thread (a vCPU: entering guest mode).
    @inlinable public func enterReadSide() { reclaimer.enterReadSide(slot: slot) }

    /// rcu_read_unlock() for this thread (a vCPU: exiting guest mode).
    @inlinable public func exitReadSide() { reclaimer.exitReadSide(slot: slot) }

    /// Gives the reclamation slot back. The thread must be outside any read-side section.
    public func retire() { reclaimer.unregister(slot) }
}

/// A place in the model where the virtual engine may run other agents' steps before the current
/// one goes on: the two halves of a read-modify-write done as a load and a plain store (the one
/// place in the model where an update can be lost to a concurrent writer).
///
/// Contract: `reached()` runs the engine's callback on the calling thread and returns when it
/// is done; the callback must not run the preempted agent itself.
public final class PreemptionPoint: @unchecked Sendable {
    // Safety: used only by the one thread that runs the virtual engine.
    private let body: () -> Void

    public init(_ body: @escaping () -> Void) { self.body = body }

    public func reached() { body() }
}
