import Core

/// `x86-shadow-rmaplock`: the x86 shadow MMU as upstream ages it since Linux 6.15: each gfn's
/// rmap walked under the rmap head's own lock bit instead of `mmu_lock`.
///
/// Kernel functions followed (arch/x86/kvm/mmu/mmu.c): `kvm_rmap_age_gfn_range` without
/// `mmu_lock`, each head locked by `kvm_rmap_lock_readonly` → `__kvm_rmap_lock`: spin (PAUSE,
/// then re-read) while `KVM_RMAP_LOCKED` (bit 1 of the head word) is set, then set it with
/// `atomic_long_try_cmpxchg_acquire`; elided on an empty head. Accessed cleared with
/// `clear_bit` (an atomic AND). Rmap changes (`pte_list_add`, `kvm_zap_rmap`) still need
/// `mmu_lock` for write and take the head's lock too (`kvm_rmap_lock`), and shadow-paging faults
/// take `mmu_lock` for write. No bitmap and no YOUNG_FAST (neither was merged).
enum X86ShadowRmapLock {
    static func capabilities(_ configuration: MMUConfiguration) -> BackendCapabilities {
        BackendCapabilities(
            format: .x86Legacy,
            structure: .rmap,
            agingLock: .perRmap,
            bitmapAgingLock: nil,
            faultLock: .write,
            clearMethod: .atomicAnd,
            fast: false,
            kernelFaultPath: .x86
        )
    }

    static let descriptor = BackendDescriptor.shadow(
        name: "x86-shadow-rmaplock",
        summary: "upstream shadow MMU: aging under a per-rmap lock bit (cmpxchg), no mmu_lock; rmap changes need the write lock",
        capabilities: capabilities
    )
}
