import CJemalloc

/// What jemalloc reports about memory, read through `mallctl` after refreshing its `epoch`.
///
/// `tableAllocated`/`tableResident` describe the table-page arena only; `allocated`/`resident`
/// the whole process. All are 0 when pages come from the system allocator (under ASan).
public struct PageTableMemory: Sendable, Hashable {
    public var allocated: Int
    public var resident: Int
    public var tableAllocated: Int
    public var tableResident: Int

    /// Reads jemalloc's statistics now.
    public static func current() -> PageTableMemory {
        var newEpoch: UInt64 = 1
        var oldEpoch: UInt64 = 0
        var epochSize = MemoryLayout<UInt64>.size
        _ = mallctl("epoch", &oldEpoch, &epochSize, &newEpoch, epochSize)
        let arena = TablePageAllocator.arena
        let perArena = arena == 0 ? (0, 0) : (
            read("stats.arenas.\(arena).small.allocated") + read("stats.arenas.\(arena).large.allocated"),
            read("stats.arenas.\(arena).resident")
        )
        return PageTableMemory(
            allocated: read("stats.allocated"),
            resident: read("stats.resident"),
            tableAllocated: perArena.0,
            tableResident: perArena.1
        )
    }

    private static func read(_ name: String) -> Int {
        var value = 0
        var size = MemoryLayout<Int>.size
        return mallctl(name, &value, &size, nil, 0) == 0 ? value : 0
    }
}
