import Core
import Testing

@Suite struct PageTableTests {
    @Test func walkVisitsExactlyTheInstalledLeaves() {
        let table = PageTable(format: .ept)
        let thread = HostThread(role: .aging, reclaimer: table.reclaimer)
        defer { thread.retire() }
        var random = SplitMix64(seed: 42)
        var installed = Set<UInt64>()
        // Sparse over several level-2 and level-3 tables, plus both edges of one leaf table.
        for _ in 0..<3000 { installed.insert(random.next() % (1 << 22)) }
        installed.formUnion([511, 512, 1023, 262_143, 262_144])
        for gfn in installed {
            table.install(EntryFormat.ept.makeLeaf(pfn: gfn, writable: true, dirty: false), at: gfn)
        }
        let ranges = [
            GFNRange(start: 0, end: 1 << 22), GFNRange(start: 500, end: 1030),
            GFNRange(start: 262_100, end: 262_145), GFNRange(start: 777, end: 777),
            GFNRange(start: 123_456, end: 2_345_678),
        ]
        for range in ranges {
            var visited: [UInt64] = []
            thread.enterReadSide()
            table.forEachLeaf(in: range) { gfn, _, value in
                visited.append(gfn)
                #expect(EntryFormat.ept.pfn(of: value) == gfn)
            }
            thread.exitReadSide()
            #expect(visited == installed.filter { range.contains($0) }.sorted(), "range \(range)")
        }
    }

    @Test func zapClearsLeavesAndUnlinksEmptiedTables() {
        let table = PageTable(format: .arm64Stage2)
        let leaf = EntryFormat.arm64Stage2.makeLeaf(pfn: 1, writable: true, dirty: false)
        for gfn in UInt64(0)..<2048 { table.install(leaf, at: gfn) }
        // root + one level-3 + one level-2 + four leaf tables
        #expect(table.tablePages == 7)
        let partial = table.zap(GFNRange(start: 100, end: 600))
        #expect(partial.zapped == 500 && partial.young == 500)
        #expect(table.tablePages == 7)
        let whole = table.zap(GFNRange(start: 1024, end: 1536))
        #expect(whole.zapped == 512)
        #expect(table.tablePages == 6)
        table.zap(GFNRange(start: 0, end: 1 << 20))
        #expect(table.tablePages == 1)
        table.reclaimer.synchronize()
        #expect(table.reclaimer.pendingCount == 0)
    }

    @Test func aWalkerKeepsItsTablePageAliveAcrossAZap() {
        let table = PageTable(format: .ept)
        let leaf = EntryFormat.ept.makeLeaf(pfn: 7, writable: true, dirty: false)
        table.install(leaf, at: 7)
        let walker = HostThread(role: .aging, reclaimer: table.reclaimer)
        defer { walker.retire() }
        walker.enterReadSide()
        let slot = table.slot(for: 7)!
        let freedBefore = table.reclaimer.freed
        table.zap(GFNRange(start: 0, end: 512))
        // The leaf table is unlinked but the walker may still read it.
        #expect(table.slot(for: 7) == nil)
        #expect(table.reclaimer.pendingCount >= 1)
        #expect(table.reclaimer.freed == freedBefore)
        #expect(slot.load() == 0)
        walker.exitReadSide()
        table.reclaimer.reclaim()
        #expect(table.reclaimer.pendingCount == 0)
        #expect(table.reclaimer.freed > freedBefore)
    }

    @Test func reclaimerFreesOnlyAfterEveryEarlierWalkerLeft() {
        let freed = FreedLog()
        let reclaimer = EpochReclaimer(capacity: 4) { freed.append(UInt(bitPattern: $0)) }
        let early = reclaimer.register()
        let late = reclaimer.register()
        reclaimer.enterReadSide(slot: early)
        let page = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
        reclaimer.retire(page)
        reclaimer.enterReadSide(slot: late)
        #expect(reclaimer.reclaim() == 0)
        reclaimer.exitReadSide(slot: early)
        // The late walker entered after the retire: it cannot hold the page.
        #expect(reclaimer.reclaim() == 1)
        #expect(freed.addresses == [UInt(bitPattern: page)])
        reclaimer.exitReadSide(slot: late)
        reclaimer.unregister(early)
        reclaimer.unregister(late)
        page.deallocate()
    }

    @Test func jemallocCountsExactlyOneTablesPages() {
        let table = PageTable(format: .ept)
        guard table.allocator.usesJemalloc else {
            // Only under AddressSanitizer do table pages bypass jemalloc; then it reports nothing.
            #expect(!TablePageAllocator.jemallocAvailable)
            #expect(table.jemallocMemory.allocated == 0)
            return
        }
        #expect(table.jemallocMemory.allocated == TablePageAllocator.pageBytes)
        let leaf = EntryFormat.ept.makeLeaf(pfn: 1, writable: true, dirty: false)
        for gfn in stride(from: UInt64(0), to: 512 * 64, by: 512) { table.install(leaf, at: gfn) }
        #expect(table.tablePages == 67)
        #expect(table.jemallocMemory.allocated == 67 * TablePageAllocator.pageBytes)
        #expect(table.jemallocMemory.resident >= 67 * TablePageAllocator.pageBytes)
        // The process as a whole holds at least this table's pages.
        #expect(PageTableMemory.process().allocated >= table.jemallocMemory.allocated)
    }
}

final class FreedLog: Sendable {
    private let list = Locked<[UInt]>([])
    func append(_ address: UInt) { list.withLock { $0.append(address) } }
    var addresses: [UInt] { list.withLock { $0 } }
}
