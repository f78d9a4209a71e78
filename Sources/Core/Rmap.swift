import CPlatform
import Synchronization

/// The shadow MMU's reverse map: for each gfn, the entries (sptes) that map it.
///
/// Like the kernel's `kvm_rmap_head`, a head is one word: 0 (none), the address of the only
/// spte, or — with bit 0 set — the address of a descriptor holding up to `descriptorCapacity`
/// spte addresses (`pte_list_desc`). Bit 1 is the head's lock (`KVM_RMAP_LOCKED`), taken by
/// compare-exchange: writers take it under `mmu_lock` held for write, so that aging can walk a
/// head holding only its lock (upstream's later lockless shadow-MMU aging). The lock is elided
/// on an empty head, as in the kernel: a walker has nothing to walk there, and only a writer,
/// who holds `mmu_lock` for write, can fill it.
///
/// Contract: `add` and `removeAll` run under `mmu_lock` held for write; `forEach` runs under
/// `mmu_lock` (either side) or between `lockForWalk` and `unlockAfterWalk` of the same gfn.
final class Rmap: @unchecked Sendable {
    // Safety: heads are atomics; a descriptor is touched only by the holder of its head's lock
    // bit or of mmu_lock for write, and writers take both.

    static let descriptorCapacity = 4
    private static let descriptorBit: UInt = 1
    private static let lockedBit: UInt = 1 << 1

    private let heads: UnsafeMutablePointer<Atomic<UInt>>
    let gfnCount: Int
    /// Descriptors allocated; atomic because `bytes` is read without `mmu_lock` (by the runner,
    /// while aging may be evicting).
    private let descriptors = Atomic<Int>(0)

    init(gfnCount: UInt64) {
        self.gfnCount = Int(gfnCount)
        let count = max(1, Int(gfnCount))
        heads = .allocate(capacity: count)
        for index in 0..<count { (heads + index).initialize(to: Atomic(0)) }
    }

    deinit {
        for gfn in 0..<gfnCount { _ = detachAll(UInt64(gfn)) }
        heads.deinitialize(count: max(1, gfnCount))
        heads.deallocate()
    }

    /// Bytes of the rmap: heads plus descriptors.
    var bytes: Int {
        gfnCount * MemoryLayout<UInt>.stride
            + descriptors.load(ordering: .relaxed) * Self.descriptorCapacity * MemoryLayout<UInt>.stride
    }

    // MARK: The head's lock bit

    /// `__kvm_rmap_lock`: spins (a CPU pause, then yielding, as `SpinBackoff`: threads may
    /// outnumber the cores here) while the bit is set, then sets it by compare-exchange.
    /// - Returns: the head without the bit; 0 when the head was empty and nothing was locked.
    @inline(__always)
    func lock(_ gfn: UInt64) -> UInt {
        let head = heads + Int(gfn)
        var old = head.pointee.load(ordering: .relaxed)
        var backoff = SpinBackoff()
        while true {
            if old == 0 { return 0 }
            if old & Self.lockedBit != 0 {
                backoff.pause()
                old = head.pointee.load(ordering: .relaxed)
                continue
            }
            let result = head.pointee.compareExchange(
                expected: old, desired: old | Self.lockedBit, ordering: .acquiring)
            if result.exchanged { return old }
            old = result.original
        }
    }

    /// `kvm_rmap_unlock`: publishes `value` (the new head, without the bit) and releases.
    @inline(__always)
    func unlock(_ gfn: UInt64, _ value: UInt) {
        heads[Int(gfn)].store(value, ordering: .releasing)
    }

    /// `kvm_rmap_unlock_readonly`: releases what `lock` took, leaving the head as it was.
    @inline(__always)
    func unlockReadOnly(_ gfn: UInt64, _ locked: UInt) {
        if locked != 0 { unlock(gfn, locked) }
    }

    // MARK: Lists

    /// Adds `slot` to `gfn`'s list (`pte_list_add`), under the head's lock.
    func add(_ slot: EntrySlot, for gfn: UInt64) {
        let address = UInt(bitPattern: slot.pointer)
        let head = lock(gfn)
        if head == 0 {
            unlock(gfn, address)
            return
        }
        var newHead = head
        let descriptor: UnsafeMutablePointer<UInt>
        if head & Self.descriptorBit == 0 {
            descriptor = .allocate(capacity: Self.descriptorCapacity)
            descriptor.initialize(repeating: 0, count: Self.descriptorCapacity)
            descriptor[0] = head
            descriptors.wrappingAdd(1, ordering: .relaxed)
            newHead = UInt(bitPattern: descriptor) | Self.descriptorBit
        } else {
            descriptor = UnsafeMutablePointer(bitPattern: head & ~Self.descriptorBit)!
        }
        for index in 0..<Self.descriptorCapacity where descriptor[index] == 0 || descriptor[index] == address {
            descriptor[index] = address
            unlock(gfn, newHead)
            return
        }
        preconditionFailure("rmap: more than \(Self.descriptorCapacity) mappings of gfn \(gfn)")
    }

    /// Calls `body` for every spte that maps `gfn` (`for_each_rmap_spte`); `head` is the value
    /// `lock` returned, or 0 to read it (when `mmu_lock` excludes writers).
    @inline(__always)
    func forEach(_ gfn: UInt64, head locked: UInt? = nil, _ body: (EntrySlot) -> Void) {
        let head = (locked ?? heads[Int(gfn)].load(ordering: .acquiring)) & ~Self.lockedBit
        if head == 0 { return }
        if head & Self.descriptorBit == 0 {
            body(EntrySlot(UnsafeMutablePointer(bitPattern: head)!))
            return
        }
        let descriptor = UnsafeMutablePointer<UInt>(bitPattern: head & ~Self.descriptorBit)!
        for index in 0..<Self.descriptorCapacity {
            let address = descriptor[index]
            if address == 0 { return }
            body(EntrySlot(UnsafeMutablePointer(bitPattern: address)!))
        }
    }

    func isEmpty(_ gfn: UInt64) -> Bool { heads[Int(gfn)].load(ordering: .relaxed) == 0 }

    /// Empties `gfn`'s list under the head's lock (`kvm_zap_rmap`'s bookkeeping; the caller
    /// clears the sptes). Returns whether it held any.
    @discardableResult
    func removeAll(_ gfn: UInt64) -> Bool {
        let head = lock(gfn)
        guard head != 0 else { return false }
        freeDescriptor(of: head)
        unlock(gfn, 0)
        return true
    }

    /// `removeAll` for teardown, when no one else can hold a lock bit.
    private func detachAll(_ gfn: UInt64) -> Bool {
        let head = heads[Int(gfn)].exchange(0, ordering: .acquiringAndReleasing) & ~Self.lockedBit
        freeDescriptor(of: head)
        return head != 0
    }

    private func freeDescriptor(of head: UInt) {
        guard head & Self.descriptorBit != 0 else { return }
        UnsafeMutablePointer<UInt>(bitPattern: head & ~Self.descriptorBit)!.deallocate()
        descriptors.wrappingSubtract(1, ordering: .relaxed)
    }
}
