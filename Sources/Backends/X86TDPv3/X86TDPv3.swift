import Core

/// `x86-tdp-v3`: the series' own lockless clear as v3 posted it, kept to show the suite finds
/// its race.
///
/// Kernel functions followed (v3 of the series, arch/x86/kvm/mmu/tdp_iter.h and tdp_mmu.c):
/// `kvm_tdp_mmu_age_gfn_range` walks under `rcu_read_lock()` without `mmu_lock` and clears the
/// Accessed bit with `tdp_mmu_clear_spte_bits`, which does an atomic AND only when
/// `kvm_tdp_mmu_spte_need_atomic_write` says the entry has volatile bits, and otherwise writes
/// `old_spte & ~mask` with a plain store. Without `mmu_lock` nothing orders that store after a
/// concurrent zap (`kvm_tdp_mmu_unmap_gfn_range`, write lock), so the zapped entry comes back.
/// v4 made the lockless clear atomic after review; everything else is `x86-tdp`'s.
enum X86TDPv3 {
    static func capabilities(_ configuration: MMUConfiguration) -> BackendCapabilities {
        BackendCapabilities(
            format: .ept,
            structure: .radix,
            agingLock: .none,
            bitmapAgingLock: LockMode.none,
            faultLock: .read,
            clearMethod: .plainStoreUnlessVolatile,
            fast: true,
            kernelFaultPath: .x86
        )
    }

    static let descriptor = BackendDescriptor.radix(
        name: "x86-tdp-v3",
        summary: "v3 as posted: x86-tdp whose lockless clear is a plain store when no bit is volatile (racy)",
        capabilities: capabilities
    )
}
