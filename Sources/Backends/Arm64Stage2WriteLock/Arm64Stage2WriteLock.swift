import Core

/// `arm64-stage2-wrlock`: arm64 stage-2 as it ages today: `mmu_lock` for write, no bitmap.
///
/// Kernel functions followed (virt/kvm/kvm_main.c, arch/arm64/kvm/mmu.c,
/// arch/arm64/kvm/hyp/pgtable.c): arm64 does not select `CONFIG_KVM_MMU_LOCKLESS_AGING`, so
/// `kvm_handle_hva_range` takes `mmu_lock` for write around `kvm_age_gfn` / `kvm_test_age_gfn`
/// → `kvm_pgtable_stage2_test_clear_young`, whose `stage2_age_walker` clears AF through
/// `stage2_try_set_pte` with an exclusive walker: a plain `WRITE_ONCE` of the value it read
/// (safe only because the write lock excludes every other software writer). Faults
/// (`user_mem_abort`) take the read lock. The series' read-locked bitmap hook was dropped.
enum Arm64Stage2WriteLock {
    static func capabilities(_ configuration: MMUConfiguration) -> BackendCapabilities {
        BackendCapabilities(
            format: .arm64Stage2,
            structure: .radix,
            agingLock: .write,
            bitmapAgingLock: nil,
            faultLock: .read,
            clearMethod: .plainStoreUnlessVolatile,
            fast: false,
            kernelFaultPath: .vmaLookup
        )
    }

    static let descriptor = BackendDescriptor.radix(
        name: "arm64-stage2-wrlock",
        summary: "arm64 today: aging under mmu_lock for write (AF cleared by plain store), one page per call",
        capabilities: capabilities
    )
}
