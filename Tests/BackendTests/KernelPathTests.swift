import Backends
import Core
import Testing

/// Each backend follows its kernel's path: its declared choices, and the locks its calls
/// really take (counted per thread). A baseline that honoured the bitmap, or an x86-tdp that
/// took mmu_lock to age, fails here.
@Suite(.conformanceTimeLimit) struct KernelPathTests {
    struct Path: Sendable, CustomTestStringConvertible {
        let backend: String
        let format: EntryFormat
        let agingLock: LockMode
        let bitmapAgingLock: LockMode?
        let faultLock: LockMode
        let clearMethod: ClearMethod
        let fast: Bool
        var testDescription: String { backend }
    }

    static let paths: [Path] = [
        Path(backend: "x86-tdp", format: .ept, agingLock: .none, bitmapAgingLock: LockMode.none, faultLock: .read, clearMethod: .atomicAnd, fast: true),
        Path(backend: "x86-shadow", format: .x86Legacy, agingLock: .write, bitmapAgingLock: .write, faultLock: .write, clearMethod: .atomicAnd, fast: false),
        Path(backend: "arm64-stage2", format: .arm64Stage2, agingLock: .read, bitmapAgingLock: .read, faultLock: .read, clearMethod: .compareExchangeRetry, fast: true),
        Path(backend: "baseline", format: .ept, agingLock: .write, bitmapAgingLock: nil, faultLock: .read, clearMethod: .atomicAnd, fast: false),
        // Linux 6.15: lockless, no bitmap, no YOUNG_FAST (neither was merged).
        Path(backend: "x86-tdp-nobitmap", format: .ept, agingLock: .none, bitmapAgingLock: nil, faultLock: .read, clearMethod: .atomicAnd, fast: false),
        // kvm_rmap_lock_readonly instead of mmu_lock; shadow-paging faults take it for write.
        Path(backend: "x86-shadow-rmaplock", format: .x86Legacy, agingLock: .perRmap, bitmapAgingLock: nil, faultLock: .write, clearMethod: .atomicAnd, fast: false),
        // arm64 today: KVM_MMU_LOCK for write around kvm_age_gfn; an exclusive walker's WRITE_ONCE.
        Path(backend: "arm64-stage2-wrlock", format: .arm64Stage2, agingLock: .write, bitmapAgingLock: nil, faultLock: .read, clearMethod: .plainStoreUnlessVolatile, fast: false),
        // v3's tdp_mmu_clear_spte_bits: everything else as x86-tdp.
        Path(backend: "x86-tdp-v3", format: .ept, agingLock: .none, bitmapAgingLock: LockMode.none, faultLock: .read, clearMethod: .plainStoreUnlessVolatile, fast: true),
    ]

    /// RISC-V's own format, defined in its folder, pinned to arch/riscv/include/asm/pgtable-bits.h:
    /// _PAGE_PRESENT 0, _PAGE_READ 1, _PAGE_WRITE 2, _PAGE_EXEC 3, _PAGE_USER 4, _PAGE_ACCESSED 6,
    /// _PAGE_DIRTY 7, _PAGE_PFN_SHIFT 10; faults under spin_lock(&kvm->mmu_lock).
    @Test func riscvFormatAndLocksAreTheKernels() throws {
        let descriptor = try #require(Backends.named("riscv-gstage"))
        let capabilities = descriptor.capabilities
        let format = capabilities.format
        #expect(format.hardwarePresentMask == 1 && format.mappedMask == 1)
        #expect(format.accessedMask == 1 << 6 && format.dirtyMask == 1 << 7 && format.writableMask == 1 << 2)
        #expect(format.pfnShift == 10)
        let leaf = format.makeLeaf(pfn: 0x1234, writable: true, dirty: false)
        #expect(format.pfn(of: leaf) == 0x1234)
        #expect(leaf & 0xFF == 0b0101_1111, "V R W X U and A set, D clear")
        #expect(capabilities.faultLock == .write && capabilities.agingLock == .read && capabilities.bitmapAgingLock == .read)
        #expect(capabilities.clearMethod == .atomicAnd)
    }

    /// (read, write) acquisitions one call in `mode` makes.
    static func acquisitions(_ mode: LockMode?) -> (UInt64, UInt64) {
        switch mode {
        case .read?: (1, 0)
        case .write?: (0, 1)
        default: (0, 0)
        }
    }

    static func taken(_ thread: HostThread, since before: LockStats) -> (UInt64, UInt64) {
        (thread.lockStats.read.acquisitions - before.read.acquisitions,
         thread.lockStats.write.acquisitions - before.write.acquisitions)
    }

    @Test(arguments: paths)
    func backendFollowsItsKernelPath(_ path: Path) throws {
        let descriptor = try #require(Backends.named(path.backend))
        let capabilities = descriptor.capabilities
        #expect(capabilities.format == path.format)
        #expect(capabilities.agingLock == path.agingLock)
        #expect(capabilities.bitmapAgingLock == path.bitmapAgingLock)
        #expect(capabilities.faultLock == path.faultLock)
        #expect(capabilities.clearMethod == path.clearMethod)
        #expect(capabilities.fast == path.fast)

        let mmu = descriptor.make(MMUConfiguration(gfnCount: 128))
        let vcpu = mmu.makeThread(role: .vcpu)
        let ager = mmu.makeThread(role: .aging)
        defer { vcpu.retire(); ager.retire() }
        var before = vcpu.lockStats
        #expect(mmu.handleFault(1, write: false, thread: vcpu) == .installed)
        #expect(Self.taken(vcpu, since: before) == Self.acquisitions(path.faultLock))
        mmu.populate(GFNRange(start: 0, count: 64), thread: vcpu)

        let window = GFNRange(start: 0, count: 64)
        var bitmap = YoungBitmap()
        before = ager.lockStats
        let flags = mmu.testYoung(window, bitmap: &bitmap, thread: ager)
        #expect(Self.taken(ager, since: before) == Self.acquisitions(path.bitmapAgingLock))
        #expect(flags.contains(.bitmapUnreliable) == (path.bitmapAgingLock == nil))
        #expect(bitmap.isEmpty == (path.bitmapAgingLock == nil))
        #expect(flags.contains(.fast) == (path.fast && path.bitmapAgingLock != nil))

        before = ager.lockStats
        let single = mmu.clearYoung(GFNRange(start: 2, count: 1), thread: ager)
        #expect(single.contains(.young))
        #expect(Self.taken(ager, since: before) == Self.acquisitions(path.agingLock))
    }
}
