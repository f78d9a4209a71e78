import Core
import Testing

@Suite struct BitmapOrderTests {
    @Test func bitZeroIsTheLastPageOfTheRange() {
        let range = GFNRange(start: 1000, count: 64)
        #expect(YoungBitmap.bit(for: 1063, in: range) == 0)
        #expect(YoungBitmap.bit(for: 1000, in: range) == 63)
        var bitmap = YoungBitmap()
        bitmap.insert(1063, in: range)
        #expect(bitmap.bits == 1)
        bitmap.insert(1000, in: range)
        #expect(bitmap.bits == (UInt64(1) << 63) | 1)
        #expect(bitmap.gfns(in: range) == [1000, 1063])
    }

    @Test func shortRangeCountsFromItsOwnLastPage() {
        let range = GFNRange(start: 10, count: 3)
        var bitmap = YoungBitmap()
        bitmap.insert(12, in: range)
        bitmap.insert(10, in: range)
        #expect(bitmap.bits == 0b101)
        #expect(YoungBitmap.all(range).bits == 0b111)
    }

    @Test func anMMUReportsYoungPagesInKernelOrder() {
        let mmu = RadixMMU(capabilities: radixCapabilities(.ept), gfnCount: 512)
        let thread = mmu.makeThread(role: .aging)
        defer { thread.retire() }
        let range = GFNRange(start: 128, count: 64)
        for gfn in range.start..<range.end { _ = mmu.handleFault(gfn, write: false, thread: thread) }
        _ = mmu.clearYoung(range, thread: thread)
        thread.enterReadSide()
        #expect(mmu.access(130, write: false, thread: thread))
        #expect(mmu.access(191, write: true, thread: thread))
        thread.exitReadSide()
        var bitmap = YoungBitmap()
        let flags = mmu.testYoung(range, bitmap: &bitmap, thread: thread)
        #expect(flags.contains(.young))
        #expect(bitmap.bits == (1 << (191 - 191)) | (1 << (191 - 130)))
    }
}
