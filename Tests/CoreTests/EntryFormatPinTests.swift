import Core
import Testing

/// Every format's bits where the kernel puts them (arch/x86/kvm/mmu/spte.h, vmx.h,
/// arch/x86/include/asm/pgtable_types.h, arch/arm64/include/asm/kvm_pgtable.h): a moved bit would
/// still pass every behavioural test. A backend that defines its own format pins it beside it.
@Suite struct EntryFormatPinTests {
    struct Pin: Sendable, CustomTestStringConvertible {
        let format: EntryFormat
        let present: UInt64
        let accessed: UInt64
        let dirty: UInt64
        let writable: UInt64
        let pfnShift: UInt64
        var testDescription: String { format.name }
    }

    static let pins: [Pin] = [
        // VMX_EPT_READABLE/WRITABLE/EXECUTABLE 0-2, VMX_EPT_ACCESS_BIT 8, VMX_EPT_DIRTY_BIT 9.
        Pin(format: .ept, present: 0b111, accessed: 1 << 8, dirty: 1 << 9, writable: 1 << 1, pfnShift: 12),
        // A/D off: no Accessed or Dirty bit; SHADOW_ACC_TRACK_SAVED_BITS_SHIFT 54.
        Pin(format: .eptAccessTracking, present: 0b111, accessed: 0, dirty: 0, writable: 1 << 1, pfnShift: 12),
        // _PAGE_BIT_PRESENT 0, _PAGE_BIT_RW 1, _PAGE_BIT_ACCESSED 5, _PAGE_BIT_DIRTY 6.
        Pin(format: .x86Legacy, present: 1, accessed: 1 << 5, dirty: 1 << 6, writable: 1 << 1, pfnShift: 12),
        Pin(format: .x86HostPTE, present: 1, accessed: 1 << 5, dirty: 1 << 6, writable: 1 << 1, pfnShift: 12),
        // KVM_PTE_VALID 0, S2AP_W 7, KVM_PTE_LEAF_ATTR_LO_S2_AF 10; no dirty bit (DBM unused).
        Pin(format: .arm64Stage2, present: 1, accessed: 1 << 10, dirty: 0, writable: 1 << 7, pfnShift: 12),
    ]

    @Test(arguments: pins)
    func bitsSitWhereTheKernelPutsThem(_ pin: Pin) {
        #expect(pin.format.hardwarePresentMask == pin.present)
        #expect(pin.format.accessedMask == pin.accessed)
        #expect(pin.format.dirtyMask == pin.dirty)
        #expect(pin.format.writableMask == pin.writable)
        #expect(pin.format.pfnShift == pin.pfnShift)
        let leaf = pin.format.makeLeaf(pfn: 0x1234, writable: true, dirty: false)
        #expect(pin.format.pfn(of: leaf) == 0x1234)
        #expect(leaf & pin.writable == pin.writable)
    }

    @Test func accessTrackingSavesReadAndExecuteAtBit54() {
        #expect(EntryFormat.accessTrackShift == 54)
        #expect(EntryFormat.eptAccessTracking.accessTrackSavedMask == 0b101)
        #expect(EntryFormat.eptAccessTracking.accessTrackClearMask == 0b111)
    }

    /// The kernel's `spte_has_volatile_bits` with A/D bits on: only a young, writable, dirty
    /// entry (or a young read-only one) is safe from the hardware; v3 stored plainly on exactly those.
    @Test func volatileBitsFollowTheKernel() {
        let format = EntryFormat.ept
        let clean = format.makeLeaf(pfn: 7, writable: true, dirty: false)
        let dirty = format.makeLeaf(pfn: 7, writable: true, dirty: true)
        #expect(format.hasVolatileBits(clean), "writable and not dirty: the hardware may set D")
        #expect(!format.hasVolatileBits(dirty))
        #expect(format.hasVolatileBits(format.markOld(dirty)), "not accessed: the hardware may set A")
        #expect(format.hasVolatileBits(dirty & ~format.writableMask), "MMU-writable but write-protected: the fast path may fix it")
        let readOnly = format.makeLeaf(pfn: 7, writable: false, dirty: false)
        #expect(!format.hasVolatileBits(readOnly))
    }
}
