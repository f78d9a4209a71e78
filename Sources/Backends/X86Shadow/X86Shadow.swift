import Core

/// `x86-shadow`: the x86 shadow MMU with an rmap, everything under `mmu_lock` for write.
///
/// Kernel functions followed (arch/x86/kvm/mmu/mmu.c): `kvm_rmap_age_gfn_range`,
/// `kvm_test_age_rmap` / `kvm_age_rmap` (Accessed cleared with `clear_bit`), `pte_list_add`,
/// `kvm_zap_rmap`; the series honours the bitmap under the write lock. Faults are shadow-paging
/// faults, under the write lock.
enum X86Shadow {
    static func capabilities(_ configuration: MMUConfiguration) -> BackendCapabilities {
        BackendCapabilities(
            format: .x86Legacy,
            structure: .rmap,
            agingLock: .write,
            bitmapAgingLock: .write,
            faultLock: .write,
            clearMethod: .atomicAnd,
            fast: false,
            kernelFaultPath: .x86
        )
    }

    static let descriptor = BackendDescriptor.shadow(
        name: "x86-shadow",
        summary: "x86 shadow MMU: rmap walk under mmu_lock for write, bitmap honoured, aliased gfns",
        capabilities: capabilities
    )
}
