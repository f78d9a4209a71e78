/// How an aging walk clears the Accessed bit.
public enum ClearMethod: String, Sendable, Hashable, CaseIterable {
    /// Atomic AND (x86's `clear_bit` / `tdp_mmu_clear_spte_bits`).
    case atomicAnd = "atomic-and"
    /// Compare-exchange, retried when the entry changed underneath (arm64's -EAGAIN).
    case compareExchangeRetry = "cmpxchg-retry"
    /// Compare-exchange whose failure is ignored (x86 access tracking: "most likely young").
    case compareExchangeIgnoreFailure = "cmpxchg-ignore"
    /// v3's `tdp_mmu_clear_spte_bits`: an atomic AND when the entry has volatile bits
    /// (`EntryFormat.hasVolatileBits`), otherwise a plain store of the value read with Accessed
    /// cleared. Racy without `mmu_lock`: a zap landing between the read and the store is undone,
    /// and the zapped entry comes back present. v4 made every lockless clear atomic.
    case plainStoreUnlessVolatile = "store-unless-volatile"

    /// What the method does, for `agingbench list`'s legend.
    public var meaning: String {
        switch self {
        case .atomicAnd: "an atomic AND"
        case .compareExchangeRetry: "compare-exchange, retried on a changed entry"
        case .compareExchangeIgnoreFailure: "compare-exchange whose failure is ignored"
        case .plainStoreUnlessVolatile: "a plain store unless the hardware can change the entry (racy without mmu_lock)"
        }
    }
}
