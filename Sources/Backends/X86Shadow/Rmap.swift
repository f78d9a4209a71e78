import Core
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The shadow MMU's reverse map: for each gfn, the entries (sptes) that map it.
///
/// Like the kernel's `kvm_rmap_head`, a head is one word: 0 (none), the address of the only
/// spte, or — with bit 0 set — the address of a descriptor holding up to `descriptorCapacity`
/// spte addresses (`pte_list_desc`). Not thread-safe: the caller holds `mmu_lock` for write.
final class Rmap: @unchecked Sendable {
    // Safety: heads and descriptors are mutated only under mmu_lock held for write (see
    // ShadowMMU); the descriptor count is atomic because `bytes` is read without the lock.

    static let descriptorCapacity = 4
    private static let descriptorBit: UInt = 1

    private let heads: UnsafeMutablePointer<UInt>
    let gfnCount: Int
    /// Descriptors allocated; atomic because `bytes` is read without `mmu_lock` (by the runner,
    /// while aging may be evicting).
    private let descriptors = Atomic<Int>(0)

    init(gfnCount: UInt64) {
        self.gfnCount = Int(gfnCount)
        heads = .allocate(capacity: max(1, Int(gfnCount)))
        heads.initialize(repeating: 0, count: max(1, Int(gfnCount)))
    }

    deinit {
        for gfn in 0..<gfnCount { removeAll(UInt64(gfn)) }
        heads.deallocate()
    }

    /// Bytes of the rmap: heads plus descriptors.
    var bytes: Int {
        gfnCount * MemoryLayout<UInt>.stride
            + descriptors.load(ordering: .relaxed) * Self.descriptorCapacity * MemoryLayout<UInt>.stride
    }

    /// Adds `slot` to `gfn`'s list (`pte_list_add`).
    func add(_ slot: EntrySlot, for gfn: UInt64) {
        let address = UInt(bitPattern: slot.pointer)
        let head = heads[Int(gfn)]
        if head == 0 {
            heads[Int(gfn)] = address
            return
        }
        let descriptor: UnsafeMutablePointer<UInt>
        if head & Self.descriptorBit == 0 {
            descriptor = .allocate(capacity: Self.descriptorCapacity)
            descriptor.initialize(repeating: 0, count: Self.descriptorCapacity)
            descriptor[0] = head
            descriptors.wrappingAdd(1, ordering: .relaxed)
            heads[Int(gfn)] = UInt(bitPattern: descriptor) | Self.descriptorBit
        } else {
            descriptor = UnsafeMutablePointer(bitPattern: head & ~Self.descriptorBit)!
        }
        for index in 0..<Self.descriptorCapacity where descriptor[index] == 0 || descriptor[index] == address {
            descriptor[index] = address
            return
        }
        preconditionFailure("rmap: more than \(Self.descriptorCapacity) mappings of gfn \(gfn)")
    }

    /// Calls `body` for every spte that maps `gfn` (`for_each_rmap_spte`).
    @inline(__always)
    func forEach(_ gfn: UInt64, _ body: (EntrySlot) -> Void) {
        let head = heads[Int(gfn)]
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

    func isEmpty(_ gfn: UInt64) -> Bool { heads[Int(gfn)] == 0 }

    /// Empties `gfn`'s list (`kvm_zap_rmap`'s bookkeeping; the caller clears the sptes).
    func removeAll(_ gfn: UInt64) {
        let head = heads[Int(gfn)]
        if head & Self.descriptorBit != 0 {
            UnsafeMutablePointer<UInt>(bitPattern: head & ~Self.descriptorBit)!.deallocate()
            descriptors.wrappingSubtract(1, ordering: .relaxed)
        }
        heads[Int(gfn)] = 0
    }
}
