import Core

/// `arm64-stage2`: arm64 stage-2 page tables as the series changes them.
///
/// Kernel functions followed (arch/arm64/kvm/mmu.c, arch/arm64/kvm/hyp/pgtable.c):
/// - bitmap aging: the series' `kvm_arch_prepare_bitmap_age` takes `mmu_lock` for read and
///   `kvm_arch_finish_bitmap_age` drops it; `kvm_pgtable_stage2_test_clear_young` walks with a
///   shared walker and clears AF (bit 10) by compare-exchange (`stage2_try_set_pte`), retrying
///   an entry that changed underneath (-EAGAIN);
/// - aging without a bitmap: in the series the hooks run for every aging call, so it too runs
///   under the read lock;
/// - the result carries MMU_NOTIFIER_YOUNG_FAST whenever a page was young, as the series'
///   generic `kvm_mmu_notifier_test_clear_young` reports it for any arch whose hook succeeded;
/// - faults: `user_mem_abort` → `kvm_pgtable_stage2_map` under the read lock, installing with
///   compare-exchange.
enum Arm64Stage2 {
    static func capabilities(_ configuration: MMUConfiguration) -> BackendCapabilities {
        BackendCapabilities(
            format: .arm64Stage2,
            structure: .radix,
            agingLock: .read,
            bitmapAgingLock: .read,
            faultLock: .read,
            clearMethod: .compareExchangeRetry,
            fast: true,
            kernelFaultPath: .vmaLookup
        )
    }

    static let descriptor = BackendDescriptor.radix(
        name: "arm64-stage2",
        summary: "arm64 stage-2: aging under mmu_lock for read, AF cleared by cmpxchg with retry, bitmap",
        capabilities: capabilities
    )
}
