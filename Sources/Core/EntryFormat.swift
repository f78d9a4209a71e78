/// The bit layout of a secondary-MMU entry for one architecture, with the kernel's bit positions.
///
/// A backend chooses a format; the page table, the fault path and the aging walk read every bit
/// through it, so one engine serves every architecture. Non-leaf entries hold a table page's address
/// (4 KiB aligned, bits 12–51) with `tableBits` set in the low 12 bits.
///
/// Contract: `markOld` changes only the bits in `agingMutableMask`; `identity` strips exactly the
/// bits that aging and the hardware's access tracking may change, so two entries with equal identity
/// map the same page with the same permissions.
public struct EntryFormat: Sendable, Hashable, CustomStringConvertible {
    /// Short name shown in `agingbench list` and the CSV (`ept`, `x86-legacy`, `arm64-s2`, …).
    public let name: String
    /// Any of these bits set: the hardware may use the entry (EPT R/W/X, x86 P, arm64 Valid).
    public let hardwarePresentMask: UInt64
    /// Any of these bits set: the MMU maps the gfn (present, or parked by access tracking).
    public let mappedMask: UInt64
    /// The Accessed bit (EPT bit 8, x86 bit 5, arm64 AF bit 10).
    public let accessedMask: UInt64
    /// The Dirty bit; 0 where the format has none (arm64 stage-2 uses DBM, not a dirty bit).
    public let dirtyMask: UInt64
    /// The bit granting write access.
    public let writableMask: UInt64
    /// Bits every new leaf carries besides the pfn (permissions, memory type, software bits).
    public let leafTemplate: UInt64
    /// Low bits every non-leaf entry carries besides the child table's address.
    public let tableBits: UInt64
    /// Where the page frame number starts (12 for x86 and arm64; RISC-V's PPN starts at 10).
    public let pfnShift: UInt64
    /// Access tracking (x86 with A/D bits off): there is no Accessed bit; aging parks the entry
    /// non-present with the `accessTrackSavedMask` bits saved at `accessTrackShift`.
    public let accessTracking: Bool
    /// Bits saved when an entry is parked (EPT R and X).
    public let accessTrackSavedMask: UInt64
    /// Bits cleared when an entry is parked (EPT R, W and X).
    public let accessTrackClearMask: UInt64
    /// Software bits of a writable leaf: host-writable (57) and MMU-writable (58) on EPT; the
    /// latter lets `fast_page_fault` make a parked entry writable again.
    public let mmuWritableMask: UInt64

    /// The kernel's SHADOW_ACC_TRACK_SAVED_BITS_SHIFT.
    public static let accessTrackShift: UInt64 = 54

    public var description: String { name }

    /// A format with the given bits, so a backend's folder can define its architecture's format.
    ///
    /// - Parameters:
    ///   - name: short name for `agingbench list` and the CSV.
    ///   - hardwarePresentMask: bits of which any one set lets the hardware use the entry.
    ///   - mappedMask: bits of which any one set means the gfn is mapped; the hardware-present
    ///     bits when the format has no software present bit.
    ///   - accessedMask: the Accessed bit (0 only with `accessTracking`).
    ///   - dirtyMask: the Dirty bit, 0 where the format has none.
    ///   - writableMask: the bit granting write access.
    ///   - leafTemplate: bits every new leaf carries besides the pfn; must include a hardware-present bit.
    ///   - tableBits: low bits of a non-leaf entry; must include bit 0, which the page table
    ///     reads as "child table present" in every format.
    ///   - pfnShift: where the page frame number starts.
    ///   - accessTracking: aging parks the entry instead of clearing an Accessed bit (x86 with A/D
    ///     bits off).
    ///   - accessTrackSavedMask: bits saved when an entry is parked.
    ///   - accessTrackClearMask: bits cleared when an entry is parked.
    ///   - mmuWritableMask: software bits of a writable leaf that let a parked entry become
    ///     writable again.
    ///
    /// > Note: the access-tracking parameters describe x86 with A/D bits off; other formats keep
    /// > the defaults.
    public init(
        name: String, hardwarePresentMask: UInt64, mappedMask: UInt64, accessedMask: UInt64, dirtyMask: UInt64,
        writableMask: UInt64, leafTemplate: UInt64, tableBits: UInt64, pfnShift: UInt64,
        accessTracking: Bool = false, accessTrackSavedMask: UInt64 = 0, accessTrackClearMask: UInt64 = 0,
        mmuWritableMask: UInt64 = 0
    ) {
        precondition(tableBits & 1 != 0, "the page table reads bit 0 of a non-leaf entry as present")
        precondition(leafTemplate & hardwarePresentMask != 0, "a new leaf must be present")
        precondition(accessTracking || accessedMask != 0, "a format without access tracking needs an Accessed bit")
        self.name = name
        self.hardwarePresentMask = hardwarePresentMask
        self.mappedMask = mappedMask
        self.accessedMask = accessedMask
        self.dirtyMask = dirtyMask
        self.writableMask = writableMask
        self.leafTemplate = leafTemplate
        self.tableBits = tableBits
        self.pfnShift = pfnShift
        self.accessTracking = accessTracking
        self.accessTrackSavedMask = accessTrackSavedMask
        self.accessTrackClearMask = accessTrackClearMask
        self.mmuWritableMask = mmuWritableMask
    }

    /// Bits a pure aging operation may change: the Accessed bit, or with access tracking the bits
    /// parking moves (R/W/X and the saved field).
    @inlinable public var agingMutableMask: UInt64 {
        accessTracking
            ? accessTrackClearMask | (accessTrackSavedMask << Self.accessTrackShift)
            : accessedMask
    }

    /// Bits of a leaf that hold the page frame number.
    @inlinable public var pfnMask: UInt64 { ((1 << 40) - 1) << pfnShift }

    @inlinable public func isMapped(_ entry: UInt64) -> Bool { entry & mappedMask != 0 }

    @inlinable public func isHardwarePresent(_ entry: UInt64) -> Bool { entry & hardwarePresentMask != 0 }

    /// Young: mapped and accessed since the last aging (with access tracking: mapped and not parked).
    @inlinable public func isYoung(_ entry: UInt64) -> Bool {
        accessTracking ? entry & hardwarePresentMask != 0 : entry & accessedMask != 0
    }

    /// The entry aged: Accessed cleared, or with access tracking parked non-present.
    @inlinable public func markOld(_ entry: UInt64) -> UInt64 {
        guard accessTracking else { return entry & ~accessedMask }
        let saved = (entry & accessTrackSavedMask) << Self.accessTrackShift
        return (entry & ~accessTrackClearMask) | saved
    }

    /// A parked entry made present again, as the kernel's `restore_acc_track_spte`; on a write
    /// fault `fast_page_fault` also gives the write permission back when the MMU-writable bit
    /// allows it.
    @inlinable public func restoreParked(_ entry: UInt64, write: Bool) -> UInt64 {
        let savedField = accessTrackSavedMask << Self.accessTrackShift
        let restored = (entry & ~savedField) | ((entry & savedField) >> Self.accessTrackShift)
        return write ? makeWritable(restored) : restored
    }

    /// The entry with write permission, if its MMU-writable bit allows it (else unchanged).
    @inlinable public func makeWritable(_ entry: UInt64) -> UInt64 {
        entry & mmuWritableMask != 0 ? entry | writableMask : entry
    }

    /// True for an entry parked by access tracking: mapped, but not usable by the hardware.
    @inlinable public func isParked(_ entry: UInt64) -> Bool {
        accessTracking && isMapped(entry) && !isHardwarePresent(entry)
    }

    /// Whether the hardware (or the fast path) may still change `entry` on its own, as the
    /// kernel's `spte_has_volatile_bits`: not yet Accessed, writable but not yet Dirty, parked,
    /// or write-protected with its MMU-writable bit set. An entry without volatile bits can only
    /// be changed by software, which is why v3 thought a plain store safe on it.
    @inlinable public func hasVolatileBits(_ entry: UInt64) -> Bool {
        if entry & writableMask == 0 && entry & mmuWritableMask != 0 { return true }
        if isParked(entry) { return true }
        if accessedMask != 0 && entry & accessedMask == 0 { return true }
        return dirtyMask != 0 && entry & writableMask != 0 && entry & dirtyMask == 0
    }

    /// What aging and access tracking must preserve: the entry with parking undone and the
    /// Accessed, Dirty and (when tracked) Writable bits removed.
    @inlinable public func identity(_ entry: UInt64) -> UInt64 {
        var normal = entry
        if isParked(entry) { normal = restoreParked(entry, write: false) }
        var volatileBits = accessedMask | dirtyMask
        if accessTracking { volatileBits |= writableMask }
        return normal & ~volatileBits
    }

    /// A new leaf for `pfn`, born young as the kernel's fault path makes it (and dirty on a write).
    @inlinable public func makeLeaf(pfn: UInt64, writable: Bool, dirty: Bool) -> UInt64 {
        var entry = leafTemplate | ((pfn << pfnShift) & pfnMask)
        if writable { entry |= writableMask | mmuWritableMask }
        if dirty { entry |= dirtyMask }
        if !accessTracking { entry |= accessedMask }
        return entry
    }

    /// The leaf's page frame number.
    @inlinable public func pfn(of entry: UInt64) -> UInt64 { (entry & pfnMask) >> pfnShift }
}

extension EntryFormat {
    /// x86 EPT with A/D bits on (TDP MMU): R 0, W 1, X 2, memory type WB 3–5, Accessed 8, Dirty 9,
    /// the MMU-present software bit 11 and the host-/MMU-writable bits 57 and 58.
    public static let ept = EntryFormat(
        name: "ept",
        hardwarePresentMask: 0b111,
        mappedMask: 1 << 11,
        accessedMask: 1 << 8,
        dirtyMask: 1 << 9,
        writableMask: 1 << 1,
        leafTemplate: 0b101 | (6 << 3) | (1 << 11),
        tableBits: 0b111 | (1 << 11),
        pfnShift: 12,
        accessTracking: false,
        accessTrackSavedMask: 0,
        accessTrackClearMask: 0,
        mmuWritableMask: (1 << 57) | (1 << 58)
    )

    /// x86 EPT with A/D bits off: the kernel's access tracking (`mark_spte_for_access_track`).
    public static let eptAccessTracking = EntryFormat(
        name: "ept-ad-off",
        hardwarePresentMask: 0b111,
        mappedMask: 1 << 11,
        accessedMask: 0,
        dirtyMask: 0,
        writableMask: 1 << 1,
        leafTemplate: 0b101 | (6 << 3) | (1 << 11) | (1 << 52),
        tableBits: 0b111 | (1 << 11),
        pfnShift: 12,
        accessTracking: true,
        accessTrackSavedMask: 0b101,
        accessTrackClearMask: 0b111,
        mmuWritableMask: (1 << 57) | (1 << 58)
    )

    /// x86 legacy paging, as NPT and the shadow MMU use it: Present 0, Writable 1, User 2,
    /// Accessed 5, Dirty 6.
    public static let x86Legacy = EntryFormat(
        name: "x86-legacy",
        hardwarePresentMask: 1,
        mappedMask: 1,
        accessedMask: 1 << 5,
        dirtyMask: 1 << 6,
        writableMask: 1 << 1,
        leafTemplate: 1 | (1 << 2),
        tableBits: 0b111,
        pfnShift: 12,
        accessTracking: false,
        accessTrackSavedMask: 0,
        accessTrackClearMask: 0,
        mmuWritableMask: 0
    )

    /// arm64 stage-2: Valid 0, page descriptor 1, MemAttr normal 2–5, S2AP read 6 / write 7,
    /// inner shareable 8–9, AF 10; DBM (51) is never set here, so there is no dirty bit.
    public static let arm64Stage2 = EntryFormat(
        name: "arm64-s2",
        hardwarePresentMask: 1,
        mappedMask: 1,
        accessedMask: 1 << 10,
        dirtyMask: 0,
        writableMask: 1 << 7,
        leafTemplate: 0b11 | (0xF << 2) | (1 << 6) | (0b11 << 8),
        tableBits: 0b11,
        pfnShift: 12,
        accessTracking: false,
        accessTrackSavedMask: 0,
        accessTrackClearMask: 0,
        mmuWritableMask: 0
    )
}

extension EntryFormat {
    /// The host's own x86-64 page-table entry, as the primary MMU maps the VMM's guest memory:
    /// Present 0, Writable 1, User 2, Accessed 5, Dirty 6 (`_PAGE_BIT_*` in pgtable_types.h).
    public static let x86HostPTE = EntryFormat(
        name: "x86-64-pte",
        hardwarePresentMask: 1,
        mappedMask: 1,
        accessedMask: 1 << 5,
        dirtyMask: 1 << 6,
        writableMask: 1 << 1,
        leafTemplate: 1 | (1 << 1) | (1 << 2),
        tableBits: 0b111,
        pfnShift: 12,
        accessTracking: false,
        accessTrackSavedMask: 0,
        accessTrackClearMask: 0,
        mmuWritableMask: 0
    )
}
