import Core

/// `x86-tdp`: the x86 TDP MMU with the series' lockless aging and bitmap.
///
/// Kernel functions followed (arch/x86/kvm/mmu/tdp_mmu.c, mmu.c, virt/kvm/kvm_main.c):
/// - aging: `kvm_tdp_mmu_age_gfn_range` / `kvm_tdp_mmu_test_age_gfn` walking under
///   `rcu_read_lock()` with no `mmu_lock` (the series' `kvm_arch_prepare_bitmap_age` takes
///   nothing on x86), clearing Accessed with an atomic AND only on entries that test young
///   (`tdp_mmu_clear_spte_bits`), and reporting MMU_NOTIFIER_YOUNG_FAST;
/// - A/D bits off: `mark_spte_for_access_track` by compare-exchange whose failure is ignored
///   ("most likely young anyway"), lockless as in Linux 6.15; no bitmap, since the series'
///   `kvm_arch_prepare_bitmap_age` requires `shadow_accessed_mask`; the next access takes
///   `fast_page_fault`, which restores the entry without `mmu_lock`;
/// - faults: `kvm_tdp_mmu_map` under `mmu_lock` for read, tables linked and leaves installed
///   with `tdp_mmu_set_spte_atomic` (a lost race retries the fault: here a spurious fault);
/// - zaps: `kvm_tdp_mmu_unmap_gfn_range` under the write lock, tables freed via RCU.
enum X86TDP {
    static func capabilities(_ configuration: MMUConfiguration) -> BackendCapabilities {
        BackendCapabilities(
            format: configuration.accessTracking ? .eptAccessTracking : .ept,
            structure: .radix,
            agingLock: .none,
            // The series' hook needs an Accessed bit (`shadow_accessed_mask`): with A/D bits off
            // the bitmap is not honoured, and aging is upstream's lockless per-page path.
            bitmapAgingLock: configuration.accessTracking ? nil : LockMode.none,
            faultLock: .read,
            clearMethod: configuration.accessTracking ? .compareExchangeIgnoreFailure : .atomicAnd,
            fast: true,
            kernelFaultPath: .x86
        )
    }

    static let descriptor = BackendDescriptor.radix(
        name: "x86-tdp",
        summary: "x86 TDP MMU: lockless RCU aging, atomic AND, 64-page bitmap, YOUNG_FAST",
        supportsAccessTracking: true,
        capabilities: capabilities
    )
}
