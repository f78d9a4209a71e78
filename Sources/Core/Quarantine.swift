import Synchronization

/// Freed table pages kept poisoned in debug builds, so a late reader sees `PageTable.poison`
/// instead of a reused page.
final class Quarantine: @unchecked Sendable {
    // Safety: the list is `Locked`.
    private let pages = Locked<[UInt]>([])
    private let allocator: TablePageAllocator

    init(allocator: TablePageAllocator) { self.allocator = allocator }

    func keep(_ page: UnsafeMutableRawPointer) {
        let entries = page.assumingMemoryBound(to: Atomic<UInt64>.self)
        for index in 0..<Int(PageTable.entriesPerTable) {
            entries[index].store(PageTable.poison, ordering: .relaxed)
        }
        pages.withLock { $0.append(UInt(bitPattern: page)) }
    }

    func releaseAll() {
        let all = pages.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for page in all { allocator.deallocate(UnsafeMutableRawPointer(bitPattern: page)!) }
    }
}
