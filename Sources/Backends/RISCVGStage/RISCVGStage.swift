import Core

/// `riscv-gstage`: RISC-V G-stage (Sv48x4) translation as the series would age it: the 64-page
/// bitmap honoured, aging under `mmu_lock` for read.
///
/// Kernel functions followed (arch/riscv/kvm/mmu.c, arch/riscv/include/asm/pgtable-bits.h):
/// - aging: `kvm_age_gfn` finds the leaf with `kvm_riscv_gstage_get_leaf` and clears A with
///   `ptep_test_and_clear_young` (`test_and_clear_bit`: an atomic AND); `kvm_test_age_gfn`
///   reads `pte_young`. The series' hooks would take `mmu_lock` for read, as on arm64;
/// - faults: `kvm_riscv_mmu_map` takes `spin_lock(&kvm->mmu_lock)`: RISC-V's `mmu_lock` is a
///   spinlock, so a fault excludes everyone, aging's "read" lock included; the model's fault
///   therefore takes it for write;
/// - no MMU_NOTIFIER_YOUNG_FAST: with faults exclusive, asking is not cheap for the vCPUs;
/// - the table: 4 levels of 512 entries (Sv48x4's root is 16 KiB; the model's radix root is one
///   512-entry page, which only the top 2 gfn bits would need beyond).
enum RISCVGStage {
    /// G-stage leaf: V 0, R 1, W 2, X 3, U 4, A 6, D 7, PPN from bit 10 (`_PAGE_*`,
    /// `_PAGE_PFN_SHIFT`); a non-leaf is V alone with the child's PPN.
    static let format = EntryFormat(
        name: "riscv-g",
        hardwarePresentMask: 1 << 0,
        mappedMask: 1 << 0,
        accessedMask: 1 << 6,
        dirtyMask: 1 << 7,
        writableMask: 1 << 2,
        leafTemplate: (1 << 0) | (1 << 1) | (1 << 3) | (1 << 4),
        tableBits: 1 << 0,
        pfnShift: 10
    )

    static func capabilities(_ configuration: MMUConfiguration) -> BackendCapabilities {
        BackendCapabilities(
            format: format,
            structure: .radix,
            agingLock: .read,
            bitmapAgingLock: .read,
            faultLock: .write,
            clearMethod: .atomicAnd,
            fast: false,
            kernelFaultPath: .vmaLookup
        )
    }

    static let descriptor = BackendDescriptor.radix(
        name: "riscv-gstage",
        summary: "RISC-V G-stage: own format, aging under mmu_lock for read, bitmap; faults take the spinlock",
        capabilities: capabilities
    )
}
