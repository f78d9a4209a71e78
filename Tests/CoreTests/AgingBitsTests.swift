import Core
import Testing

/// Aging may change the Accessed bit and nothing else, whatever the other 63 bits hold.
@Suite struct AgingBitsTests {
    static let cases: [(EntryFormat, ClearMethod)] = [
        (.ept, .atomicAnd), (.x86Legacy, .atomicAnd), (.arm64Stage2, .compareExchangeRetry),
        (.arm64Stage2, .atomicAnd), (.x86Legacy, .compareExchangeRetry), (.ept, .plainStoreUnlessVolatile),
    ]

    @Test(arguments: 0..<cases.count)
    func clearChangesOnlyTheAccessedBit(caseIndex: Int) {
        let (format, clear) = Self.cases[caseIndex]
        let mmu = RadixMMU(capabilities: radixCapabilities(format, clear: clear), gfnCount: 2048)
        let thread = mmu.makeThread(role: .aging)
        defer { thread.retire() }
        var random = SplitMix64(seed: 0xA6E5 &+ UInt64(caseIndex))
        var before: [UInt64: UInt64] = [:]
        for gfn in stride(from: UInt64(0), to: 2048, by: 3) {
            var entry = random.next() | format.mappedMask | format.hardwarePresentMask
            if entry == PageTable.poison { entry ^= 1 << 40 }
            #expect(mmu.table.install(entry, at: gfn).installed)
            before[gfn] = entry
        }
        for start in stride(from: UInt64(0), to: 2048, by: 64) {
            let range = GFNRange(start: start, count: 64)
            _ = mmu.clearYoung(range, bitmap: .all(range), thread: thread)
        }
        for (gfn, old) in before {
            let now = mmu.table.leaf(for: gfn)
            #expect(now == old & ~format.accessedMask, "gfn \(gfn): \(String(old, radix: 16)) -> \(String(now, radix: 16))")
        }
    }

    @Test func clearHonoursTheBitmapAndTestChangesNothing() {
        let format = EntryFormat.ept
        let mmu = RadixMMU(capabilities: radixCapabilities(format), gfnCount: 64)
        let thread = mmu.makeThread(role: .aging)
        defer { thread.retire() }
        let range = GFNRange(start: 0, count: 64)
        for gfn in range.start..<range.end { _ = mmu.handleFault(gfn, write: false, thread: thread) }
        var young = YoungBitmap()
        _ = mmu.testYoung(range, bitmap: &young, thread: thread)
        #expect(young == .all(range))
        let marked = YoungBitmap(bits: 0xF0F0_0000_0000_00FF)
        let flags = mmu.clearYoung(range, bitmap: marked, thread: thread)
        #expect(flags.contains(.young) && flags.contains(.fast))
        var after = YoungBitmap()
        _ = mmu.testYoung(range, bitmap: &after, thread: thread)
        #expect(after.bits == ~marked.bits)
    }

    @Test func accessTrackingParksAndTheFastPathRestores() {
        let format = EntryFormat.eptAccessTracking
        let mmu = RadixMMU(capabilities: radixCapabilities(format, clear: .compareExchangeIgnoreFailure), gfnCount: 8)
        let thread = mmu.makeThread(role: .vcpu)
        defer { thread.retire() }
        #expect(mmu.handleFault(3, write: true, thread: thread) == .installed)
        let installed = mmu.table.leaf(for: 3)
        #expect(format.isYoung(installed))
        #expect(mmu.clearYoung(GFNRange(start: 0, count: 8), thread: thread).contains(.young))
        let parked = mmu.table.leaf(for: 3)
        #expect(format.isParked(parked) && !format.isYoung(parked))
        #expect((parked >> EntryFormat.accessTrackShift) & 0b101 == installed & 0b101)
        #expect(format.identity(parked) == format.identity(installed))
        thread.enterReadSide()
        #expect(!mmu.access(3, write: false, thread: thread))
        thread.exitReadSide()
        // A read fault restores R/X; write permission comes back only on a write fault.
        #expect(mmu.handleFault(3, write: false, thread: thread) == .restored)
        #expect(mmu.table.leaf(for: 3) == installed & ~format.writableMask)
        thread.enterReadSide()
        #expect(mmu.access(3, write: false, thread: thread))
        #expect(!mmu.access(3, write: true, thread: thread))
        thread.exitReadSide()
        #expect(mmu.handleFault(3, write: true, thread: thread) == .restored)
        #expect(mmu.table.leaf(for: 3) == installed)
        #expect(thread.events.fastFaults == 2)
    }
}
