extension ClearMethod {
    /// Ages one young entry (`value` as last read from `slot`) by this method: the one place
    /// every engine clears, so a method behaves alike in the radix and the shadow engine.
    // Never inlined: the radix walk spells out the common methods and calls this only for the
    // rare ones, so this body must not count against the walk's inlining budget.
    @inline(never)
    public func apply(to slot: EntrySlot, _ value: UInt64, format: EntryFormat, thread: HostThread) {
        switch self {
        case .atomicAnd:
            _ = slot.clearBits(format.accessedMask)
        case .compareExchangeIgnoreFailure:
            if !slot.compareExchange(expected: value, desired: format.markOld(value)).exchanged {
                thread.events.ageCASIgnored &+= 1
            }
        case .compareExchangeRetry:
            var current = value
            while format.isMapped(current) && format.isYoung(current) {
                let result = slot.compareExchange(expected: current, desired: format.markOld(current))
                if result.exchanged { return }
                thread.events.ageRetries &+= 1
                current = result.original
            }
        case .plainStoreUnlessVolatile:
            if format.hasVolatileBits(value) {
                _ = slot.clearBits(format.accessedMask)
            } else {
                // Deliberately the stale value: this is the lost update the variant exists to show.
                thread.preemption?.reached()
                slot.store(value & ~format.accessedMask)
            }
        }
    }
}
