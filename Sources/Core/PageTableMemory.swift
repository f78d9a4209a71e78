import CJemalloc

/// What jemalloc reports about memory, read through `mallctl` after refreshing its `epoch`.
///
/// All figures are 0 when jemalloc's statistics are unavailable (under AddressSanitizer the
/// table pages come from the system allocator).
public struct PageTableMemory: Sendable, Hashable {
    /// Bytes allocated (`stats.allocated`, or one arena's small + large allocated).
    public var allocated: Int
    /// Bytes resident (`stats.resident`, or one arena's `resident`).
    public var resident: Int

    /// The whole process.
    public static func process() -> PageTableMemory {
        refresh()
        return PageTableMemory(allocated: read("stats.allocated"), resident: read("stats.resident"))
    }

    /// One arena (a page table's, see `TablePageAllocator.arena`).
    public static func arena(_ index: UInt32) -> PageTableMemory {
        guard index != 0 else { return PageTableMemory(allocated: 0, resident: 0) }
        refresh()
        return PageTableMemory(
            allocated: read("stats.arenas.\(index).small.allocated") + read("stats.arenas.\(index).large.allocated"),
            resident: read("stats.arenas.\(index).resident"))
    }

    private static func refresh() {
        var newEpoch: UInt64 = 1
        var oldEpoch: UInt64 = 0
        var size = MemoryLayout<UInt64>.size
        _ = mallctl("epoch", &oldEpoch, &size, &newEpoch, size)
    }

    private static func read(_ name: String) -> Int {
        var value = 0
        var size = MemoryLayout<Int>.size
        return mallctl(name, &value, &size, nil, 0) == 0 ? value : 0
    }
}
