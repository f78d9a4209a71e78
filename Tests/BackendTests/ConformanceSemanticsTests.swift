import Backends
import Core
import Testing

/// What every backend must do, single-threaded: the notifier protocol's contract.
@Suite(.conformanceTimeLimit) struct ConformanceSemanticsTests {
    static let guest: UInt64 = 1536
    static let cases = BackendCase.all(gfnCount: guest)
    static let everything = GFNRange(start: 0, count: guest)

    @Test func registryListsTheSeedBackends() {
        let names = Backends.all.map(\.name)
        #expect(Set(["x86-tdp", "x86-shadow", "arm64-stage2", "baseline"]).isSubset(of: Set(names)))
        #expect(Set(names).count == names.count)
    }

    @Test(arguments: cases)
    func reportsTheYoungPagesAndOnlyThem(_ backend: BackendCase) {
        let mmu = backend.make()
        let thread = mmu.makeThread(role: .aging)
        defer { thread.retire() }
        mmu.populate(Self.everything, thread: thread)
        #expect(mmu.youngPages(in: Self.everything, thread: thread).count == Int(Self.guest), "new leaves are born young")
        mmu.ageAll(Self.everything, thread: thread)
        #expect(mmu.youngPages(in: Self.everything, thread: thread).isEmpty)
        var random = SplitMix64(seed: 7)
        var accessed = Set<UInt64>()
        thread.enterReadSide()
        for _ in 0..<300 {
            let gfn = random.next(below: Self.guest)
            accessed.insert(gfn)
            #expect(mmu.accessFaulting(gfn, write: random.next() & 1 == 0, thread: thread) <= 1)
        }
        thread.exitReadSide()
        #expect(mmu.youngPages(in: Self.everything, thread: thread) == accessed)
        for gfn in [accessed.min()!, (0..<Self.guest).first { !accessed.contains($0) }!] {
            let flags = mmu.testYoung(GFNRange(start: gfn, count: 1), thread: thread)
            #expect(flags.contains(.young) == accessed.contains(gfn), "gfn \(gfn)")
        }
    }

    @Test(arguments: cases)
    func aBitmapClearAgesExactlyTheMarkedPages(_ backend: BackendCase) {
        let mmu = backend.make()
        let thread = mmu.makeThread(role: .aging)
        defer { thread.retire() }
        mmu.populate(Self.everything, thread: thread)
        let window = GFNRange(start: 640, count: 64)
        let marked = YoungBitmap(bits: 0x8000_0F00_00F0_0001)
        let flags = mmu.clearYoung(window, bitmap: marked, thread: thread)
        let young = mmu.youngPages(in: window, thread: thread)
        if mmu.capabilities.honoursBitmap {
            #expect(!flags.contains(.bitmapUnreliable))
            #expect(flags.contains(.young))
            #expect(young == Set(YoungBitmap(bits: ~marked.bits).gfns(in: window)))
        } else {
            #expect(flags == .bitmapUnreliable)
            #expect(young.count == 64, "an unhonoured bitmap must leave every page as it was")
        }
        #expect(mmu.youngPages(in: GFNRange(start: 0, count: 640), thread: thread).count == 640)
    }

    @Test(arguments: cases)
    func nonPresentEntriesAreSkipped(_ backend: BackendCase) {
        let mmu = backend.make()
        let thread = mmu.makeThread(role: .aging)
        defer { thread.retire() }
        thread.enterReadSide()
        for gfn in stride(from: UInt64(0), to: Self.guest, by: 2) { mmu.accessFaulting(gfn, write: false, thread: thread) }
        thread.exitReadSide()
        mmu.zap(GFNRange(start: 100, count: 300), thread: thread)
        let mapped = Set(stride(from: UInt64(0), to: Self.guest, by: 2).filter { !(100..<400).contains($0) })
        #expect(Set(mmu.mappings(in: Self.everything, thread: thread).keys) == mapped)
        #expect(mmu.youngPages(in: Self.everything, thread: thread) == mapped)
        mmu.ageAll(Self.everything, thread: thread)
        #expect(mmu.youngPages(in: Self.everything, thread: thread).isEmpty)
        #expect(Set(mmu.mappings(in: Self.everything, thread: thread).keys) == mapped, "aging must not create entries")
        let empty = GFNRange(start: 101, count: 1)
        #expect(!mmu.testYoung(empty, thread: thread).contains(.young))
        #expect(!mmu.clearYoung(empty, thread: thread).contains(.young))
    }

    @Test(arguments: cases)
    func agingChangesOnlyTheAccessedBit(_ backend: BackendCase) {
        let mmu = backend.make()
        let format = mmu.capabilities.format
        let thread = mmu.makeThread(role: .aging)
        defer { thread.retire() }
        mmu.populate(Self.everything, thread: thread)
        let before = mmu.mappings(in: Self.everything, thread: thread)
        mmu.ageAll(Self.everything, thread: thread)
        _ = mmu.clearYoung(Self.everything, thread: thread)
        let after = mmu.mappings(in: Self.everything, thread: thread)
        #expect(after.keys.count == before.keys.count)
        var changedOtherBits = 0
        for (gfn, oldEntries) in before {
            for (old, new) in zip(oldEntries, after[gfn] ?? []) {
                if (old ^ new) & ~format.agingMutableMask != 0 { changedOtherBits += 1 }
                #expect(!format.isYoung(new))
                #expect(format.identity(new) == format.identity(old))
            }
        }
        #expect(changedOtherBits == 0)
        #expect(mmu.identityViolations(in: Self.everything, thread: thread) == 0)
    }

    @Test(arguments: cases)
    func flagsMeanWhatTheProtocolSays(_ backend: BackendCase) {
        let mmu = backend.make()
        let capabilities = mmu.capabilities
        let thread = mmu.makeThread(role: .aging)
        defer { thread.retire() }
        let window = GFNRange(start: 0, count: 64)
        mmu.populate(window, thread: thread)
        // `.fast` rides on `.young` (the series returns `young ? MMU_NOTIFIER_YOUNG_FAST : 0`).
        let youngFlags: AgeFlags = capabilities.fast ? [.young, .fast] : .young
        #expect(mmu.testYoung(window, thread: thread) == youngFlags)
        var bitmap = YoungBitmap()
        let bitmapFlags = mmu.testYoung(window, bitmap: &bitmap, thread: thread)
        #expect(bitmapFlags == (capabilities.honoursBitmap ? youngFlags : .bitmapUnreliable))
        #expect(mmu.clearYoung(window, thread: thread) == youngFlags)
        #expect(mmu.clearYoung(window, thread: thread) == [], "nothing young is left")
        #expect(mmu.testYoung(window, thread: thread) == [])
        var empty = YoungBitmap()
        let emptyFlags = mmu.testYoung(window, bitmap: &empty, thread: thread)
        #expect(emptyFlags == (capabilities.honoursBitmap ? [] : .bitmapUnreliable))
        #expect(empty.isEmpty)
    }
}
