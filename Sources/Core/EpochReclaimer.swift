import CPlatform
import Synchronization

/// Epoch-based deferred reclamation: the model's RCU for table pages seen by lockless walkers.
///
/// A walker registers once for a slot, then brackets every lockless walk with
/// `enterReadSide(slot:)` / `exitReadSide(slot:)` (rcu_read_lock / rcu_read_unlock; a vCPU's time
/// in guest mode). A writer that unlinks a page hands it to `retire(_:)`; the page is passed to
/// `free` only once every walker that entered before the unlink has left (call_rcu).
///
/// Contract: a walker must not hold a pointer read inside a section after leaving it; the writer
/// must make the page unreachable (store the parent entry) *before* calling `retire`.
///
/// Entering a section costs a plain store, as `rcu_read_lock()` costs next to nothing in the
/// kernel: the reclaimer pays instead, with `membarrier(2)` forcing a full barrier on every
/// running thread before it reads the slots (the asymmetric scheme of liburcu's memb flavour).
/// Where membarrier is unavailable, readers fence on entry instead.
public final class EpochReclaimer: @unchecked Sendable {
    // Safety: slots and epoch are atomics; the retired list is `Locked`.

    /// A registered walker's slot index.
    public struct Slot: Sendable, Hashable {
        public let index: Int
    }

    /// Slots are padded to one cache line each so walkers do not share lines.
    @usableFromInline static let slotStride = 8
    public let capacity: Int

    /// 0 when quiescent, else the epoch the walker saw when it entered.
    @usableFromInline let slots: UnsafeMutablePointer<Atomic<UInt64>>
    @usableFromInline let slotInUse: UnsafeMutablePointer<Atomic<Bool>>
    @usableFromInline let epoch = Atomic<UInt64>(1)

    /// True when the reclaimer's membarrier stands in for the readers' fences.
    static let membarrierAvailable = agingbench_membarrier_register() != 0
    /// `membarrierAvailable`, copied so the read side tests a field, not a lazy global.
    @usableFromInline let asymmetricFences = EpochReclaimer.membarrierAvailable

    private struct Retired {
        let epoch: UInt64
        /// The pointer's bit pattern (a raw pointer is not Sendable).
        let address: UInt
    }
    private let retired = Locked<[Retired]>([])
    private let free: @Sendable (UnsafeMutableRawPointer) -> Void
    private let freedCount = Atomic<Int>(0)

    /// - Parameters:
    ///   - capacity: the most walkers that can be registered at once.
    ///   - free: called once per retired pointer, when no walker can reach it any more.
    public init(capacity: Int = 256, free: @escaping @Sendable (UnsafeMutableRawPointer) -> Void) {
        self.capacity = capacity
        self.free = free
        slots = .allocate(capacity: capacity * Self.slotStride)
        for index in 0..<(capacity * Self.slotStride) {
            (slots + index).initialize(to: Atomic(0))
        }
        slotInUse = .allocate(capacity: capacity)
        for index in 0..<capacity {
            (slotInUse + index).initialize(to: Atomic(false))
        }
    }

    deinit {
        synchronize()
        slots.deinitialize(count: capacity * Self.slotStride)
        slots.deallocate()
        slotInUse.deinitialize(count: capacity)
        slotInUse.deallocate()
    }

    /// Claims a slot for one walker thread.
    public func register() -> Slot {
        for index in 0..<capacity
        where slotInUse[index].compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {
            return Slot(index: index)
        }
        preconditionFailure("EpochReclaimer: more than \(capacity) walkers registered")
    }

    /// Gives a slot back; the walker must be outside any read-side section.
    public func unregister(_ slot: Slot) {
        slots[slot.index * Self.slotStride].store(0, ordering: .releasing)
        slotInUse[slot.index].store(false, ordering: .releasing)
    }

    /// rcu_read_lock(): from here on, no page this walker can reach is freed.
    @inlinable public func enterReadSide(slot: Slot) {
        let current = epoch.load(ordering: .acquiring)
        slots[slot.index * Self.slotStride].store(current, ordering: .relaxed)
        // Pairs with the barrier in `reclaim()`: either the reclaimer sees this slot, or this
        // walker sees the unlink that preceded the retire.
        if asymmetricFences {
            agingbench_compiler_barrier()
        } else {
            atomicMemoryFence(ordering: .sequentiallyConsistent)
        }
    }

    /// rcu_read_unlock().
    @inlinable public func exitReadSide(slot: Slot) {
        slots[slot.index * Self.slotStride].store(0, ordering: .releasing)
    }

    /// call_rcu(): frees `pointer` once every walker that entered before now has left.
    public func retire(_ pointer: UnsafeMutableRawPointer) {
        let tag = epoch.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
        retired.withLock { $0.append(Retired(epoch: tag, address: UInt(bitPattern: pointer))) }
    }

    /// Frees what no walker can reach any more; returns how many pointers it freed.
    @discardableResult
    public func reclaim() -> Int {
        if pendingCount == 0 { return 0 }
        // Only pages retired before this point can be judged by the scan below: a page another
        // thread retires after the scan may be held by a walker that entered after it.
        let horizon = epoch.load(ordering: .acquiring)
        if asymmetricFences {
            agingbench_membarrier()
        } else {
            atomicMemoryFence(ordering: .sequentiallyConsistent)
        }
        var oldestActive = horizon
        for index in 0..<capacity {
            let entered = slots[index * Self.slotStride].load(ordering: .acquiring)
            if entered != 0 && entered < oldestActive { oldestActive = entered }
        }
        let ready: [UInt] = retired.withLock { list in
            var ready: [UInt] = []
            list.removeAll { item in
                guard item.epoch <= oldestActive else { return false }
                ready.append(item.address)
                return true
            }
            return ready
        }
        for address in ready { free(UnsafeMutableRawPointer(bitPattern: address)!) }
        freedCount.wrappingAdd(ready.count, ordering: .relaxed)
        return ready.count
    }

    /// Reclaims once at least `batch` pointers wait, as `call_rcu` batches callbacks: a reclaim
    /// costs a barrier on every CPU, too much for every zap.
    @discardableResult
    public func reclaim(batch: Int) -> Int {
        pendingCount >= batch ? reclaim() : 0
    }

    /// synchronize_rcu() + reclaim: waits until every retired pointer has been freed.
    public func synchronize() {
        var backoff = SpinBackoff()
        while true {
            reclaim()
            if pendingCount == 0 { return }
            backoff.pause()
        }
    }

    /// Pointers retired but not yet freed.
    public var pendingCount: Int { retired.withLock { $0.count } }
    /// Pointers freed so far.
    public var freed: Int { freedCount.load(ordering: .relaxed) }
}
