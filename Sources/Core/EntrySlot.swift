import Synchronization

/// The address of one 64-bit page-table entry, with the atomic operations the model allows on it.
///
/// Hardware and lockless walkers race on entries, so every access is atomic and spells its
/// memory ordering; there is no plain store.
public struct EntrySlot: @unchecked Sendable, Hashable {
    // Safety: the pointee is an Atomic; the table page it lives in outlives every walker that
    // reached it inside a read-side section (EpochReclaimer).
    public let pointer: UnsafeMutablePointer<Atomic<UInt64>>

    @inlinable public init(_ pointer: UnsafeMutablePointer<Atomic<UInt64>>) { self.pointer = pointer }

    @inlinable public func load() -> UInt64 { pointer.pointee.load(ordering: .relaxed) }

    @inlinable public func loadAcquiring() -> UInt64 { pointer.pointee.load(ordering: .acquiring) }

    @inlinable public func store(_ value: UInt64) { pointer.pointee.store(value, ordering: .releasing) }

    /// Atomic exchange (the kernel's xchg for entries with volatile bits); returns the old value.
    @inlinable public func exchange(_ value: UInt64) -> UInt64 {
        pointer.pointee.exchange(value, ordering: .acquiringAndReleasing)
    }

    /// Atomic compare-exchange; returns whether it stored and the value it found.
    @inlinable public func compareExchange(expected: UInt64, desired: UInt64) -> (exchanged: Bool, original: UInt64) {
        pointer.pointee.compareExchange(expected: expected, desired: desired, ordering: .acquiringAndReleasing)
    }

    /// Atomic AND (clear bits); returns the old value.
    @inlinable public func clearBits(_ mask: UInt64) -> UInt64 {
        pointer.pointee.bitwiseAnd(~mask, ordering: .relaxed).oldValue
    }

    /// The CPU's page walk reaching this leaf: sets Accessed (and Dirty on a write) with a locked
    /// update of the entry it read, never on an entry that stopped being present. False when
    /// the access must fault: not present, or a write to a read-only entry.
    @inlinable @inline(__always) public func hardwareAccess(write: Bool, format: EntryFormat) -> Bool {
        let wanted = format.accessedMask | (write ? format.dirtyMask : 0)
        var value = load()
        while true {
            guard format.isHardwarePresent(value) else { return false }
            if write && value & format.writableMask == 0 { return false }
            if value & wanted == wanted { return true }
            let result = compareExchange(expected: value, desired: value | wanted)
            if result.exchanged { return true }
            value = result.original
        }
    }

    /// Atomic OR (set bits); returns the old value.
    @inlinable public func setBits(_ mask: UInt64) -> UInt64 {
        pointer.pointee.bitwiseOr(mask, ordering: .relaxed).oldValue
    }
}
