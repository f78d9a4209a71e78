import Core

/// `baseline`: the kernel before the series, on the x86 TDP MMU.
///
/// Kernel functions followed (virt/kvm/kvm_main.c before the series): `kvm_mmu_notifier_test_young`
/// and `kvm_mmu_notifier_clear_young` call `kvm_handle_hva_range_no_flush`, which takes
/// `mmu_lock` for write (`KVM_MMU_LOCK`) and flushes no TLB, around `kvm_tdp_mmu_age_gfn_range` / `kvm_tdp_mmu_test_age_gfn` on every call. There is
/// no bitmap: a bitmap call reports it unreliable, so the caller ages one page per call.
/// Faults are the TDP MMU's, under the read lock.
enum Baseline {
    static func capabilities(_ configuration: MMUConfiguration) -> BackendCapabilities {
        BackendCapabilities(
            format: .ept,
            structure: .radix,
            agingLock: .write,
            bitmapAgingLock: nil,
            faultLock: .read,
            clearMethod: .atomicAnd,
            fast: false,
            kernelFaultPath: .x86
        )
    }

    static let descriptor = BackendDescriptor.radix(
        name: "baseline",
        summary: "before the series: every notifier call takes mmu_lock for write, one page per call",
        capabilities: capabilities
    )
}
