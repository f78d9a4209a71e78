/// What the architecture's KVM fault handler does to VM-wide shared memory beyond the secondary
/// MMU's own entries: the lines the virtual engine's machine model charges a fault for.
///
/// Contract: each flag is a count read off the kernel's fault path for the architecture (the
/// functions named below); a backend states the path of the kernel code it models, so two
/// backends differ here only where their kernels do.
public struct KernelFaultPath: Sendable, Hashable {
    /// Every fault takes `mmap_read_lock` to look the VMA up, present page or not: arm64
    /// `user_mem_abort` and RISC-V `kvm_riscv_gstage_map` (arch/*/kvm/mmu.c). x86 takes it only
    /// in the slow GUP path of a first touch (`hva_to_pfn_slow`), which every path pays.
    public var vmaLookupTakesMmapLock: Bool
    /// Every installed leaf adds to the VM-wide `kvm->stat.pages[level]` with `atomic64_add`:
    /// x86's `kvm_update_page_stats` (arch/x86/kvm/mmu/tdp_mmu.c `handle_changed_spte`, and
    /// mmu.c `mmu_set_spte` for the shadow MMU).
    public var countsPageStats: Bool

    public init(vmaLookupTakesMmapLock: Bool, countsPageStats: Bool) {
        self.vmaLookupTakesMmapLock = vmaLookupTakesMmapLock
        self.countsPageStats = countsPageStats
    }

    /// x86 (TDP MMU and shadow MMU): page stats per leaf, `mmap_lock` only in slow GUP.
    public static let x86 = KernelFaultPath(vmaLookupTakesMmapLock: false, countsPageStats: true)
    /// arm64 stage-2 and RISC-V G-stage: the VMA lookup under `mmap_read_lock` on every fault,
    /// no VM-wide page counter.
    public static let vmaLookup = KernelFaultPath(vmaLookupTakesMmapLock: true, countsPageStats: false)
    /// Neither: what a backend that says nothing is charged (only the GUP path's locks).
    public static let minimal = KernelFaultPath(vmaLookupTakesMmapLock: false, countsPageStats: false)
}
