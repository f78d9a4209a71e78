import Core

/// Capabilities for a radix MMU in `format` with the given clear method and locks.
func radixCapabilities(
    _ format: EntryFormat, clear: ClearMethod = .atomicAnd, agingLock: LockMode = .none,
    bitmapLock: LockMode? = LockMode.none, faultLock: LockMode = .read
) -> BackendCapabilities {
    BackendCapabilities(
        format: format, structure: .radix, agingLock: agingLock, bitmapAgingLock: bitmapLock,
        faultLock: faultLock, clearMethod: clear, fast: agingLock == .none)
}
