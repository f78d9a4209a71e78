/// `clear_flush_young`: aging that also shoots the aged pages' translations down, so the next
/// access walks and sets Accessed again. MGLRU's walk calls `clear_young`, which never flushes
/// (`kvm_mmu_notifier_clear_young`); reclaim's `folio_referenced` calls `clear_flush_young`,
/// which flushes when a page was young (`flush_on_ret`). Since Linux 6.13 x86 elides that flush
/// too (`CONFIG_KVM_ELIDE_TLB_FLUSH_IF_YOUNG`); arm64 does not.
extension SecondaryMMU {
    /// `mmu_notifier_clear_flush_young` without a bitmap: `clearYoung`, then, when a page was
    /// young, a shootdown of `range` on every vCPU of `remote` (none without one).
    @inlinable public func clearFlushYoung(_ range: GFNRange, thread: HostThread, remote: RemoteTLBs?) -> AgeFlags {
        let flags = clearYoung(range, thread: thread)
        if flags.contains(.young) { remote?.shootDown(range, thread: thread) }
        return flags
    }

    /// The bitmap form: `clearYoung(_:bitmap:thread:)`, then the shootdown when a marked page
    /// was young. `.bitmapUnreliable` when the bitmap is not honoured (nothing cleared or flushed).
    @inlinable public func clearFlushYoung(
        _ range: GFNRange, bitmap: YoungBitmap, thread: HostThread, remote: RemoteTLBs?
    ) -> AgeFlags {
        let flags = clearYoung(range, bitmap: bitmap, thread: thread)
        if flags.contains(.young) { remote?.shootDown(range, thread: thread) }
        return flags
    }
}
