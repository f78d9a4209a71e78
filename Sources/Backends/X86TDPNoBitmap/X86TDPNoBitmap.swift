import Core

/// `x86-tdp-nobitmap`: the x86 TDP MMU as upstream merged lockless aging (Linux 6.15; v4's
/// "opt"): lockless, one notifier call per present page, no bitmap.
///
/// Kernel functions followed (arch/x86/kvm/mmu/tdp_mmu.c, virt/kvm/kvm_main.c, Linux 6.15):
/// - `kvm_mmu_notifier_clear_young` → `kvm_age_gfn` with `lockless` set
///   (`CONFIG_KVM_MMU_LOCKLESS_AGING`): `kvm_tdp_mmu_age_gfn_range` under `rcu_read_lock()`,
///   no `mmu_lock`, Accessed cleared with `tdp_mmu_clear_spte_bits_atomic` (an atomic AND on
///   every entry, volatile bits or not: v4's fix of v3's plain store);
/// - no bitmap and no MMU_NOTIFIER_YOUNG_FAST (neither was merged): MGLRU asks one page per call;
/// - A/D bits off: `mark_spte_for_access_track` by compare-exchange, failure ignored;
/// - faults and zaps as `x86-tdp`.
enum X86TDPNoBitmap {
    static func capabilities(_ configuration: MMUConfiguration) -> BackendCapabilities {
        BackendCapabilities(
            format: configuration.accessTracking ? .eptAccessTracking : .ept,
            structure: .radix,
            agingLock: .none,
            bitmapAgingLock: nil,
            faultLock: .read,
            clearMethod: configuration.accessTracking ? .compareExchangeIgnoreFailure : .atomicAnd,
            fast: false,
            kernelFaultPath: .x86
        )
    }

    static let descriptor = BackendDescriptor.radix(
        name: "x86-tdp-nobitmap",
        summary: "upstream (Linux 6.15, v4 \"opt\"): x86 TDP MMU lockless RCU aging, atomic AND, one page per call",
        supportsAccessTracking: true,
        capabilities: capabilities
    )
}
