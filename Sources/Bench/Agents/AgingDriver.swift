import Core

/// The aging thread: MGLRU passes over all guest memory in look-around windows.
///
/// With the host side (`HostSide`), per window, as `walk_pte_range` and `lru_gen_look_around`:
/// walk the host page table; for each present host PTE test and clear its Accessed bit; spend the
/// calibrated remainder for the present pages; ask the secondary MMU by `mode` about present pages
/// only; move young folios to the youngest generation (opened at the start of each pass); and,
/// with `evictAfter > 0`, evict present pages whose folio is `evictAfter` or more generations old
/// (in `eviction-only` mode only after `clear_young` on the secondary MMU says they are old, as
/// `folio_referenced` asks), in contiguous runs through `SecondaryMMU.invalidate`.
///
/// Without the host side (`--costs raw`) every gfn counts as present and nothing is evicted:
/// the bare secondary MMU, as the C reference is timed against it.
///
/// With the vCPUs' TLBs (`remote`): the walk's `clear_young` does not flush, unless
/// `flushOnAge` (then every clear that found young pages shoots them down, as
/// `clear_flush_young`); the eviction-only check is `clear_flush_young`; evictions shoot down
/// what they zap. Before looking at a window the driver takes its TLB hits since the previous
/// pass from the ledger: present pages it then reports old that a vCPU used through its TLB
/// are **false old** (in eviction-only mode: those `clear_flush_young` finds old), and evicting
/// one marks its folio so its refault is told apart. Hits while the window is being aged are
/// dropped at its end, so a hit on a translation this pass flushed never counts.
struct AgingDriver<MMU: SecondaryMMU> {
    let mmu: MMU
    let thread: HostThread
    let guestPages: UInt64
    let windowPages: UInt64
    let evictAfter: UInt64
    let mode: DriverMode
    let host: HostSide?
    let remote: RemoteTLBs?
    let flushOnAge: Bool

    private(set) var passes = 0
    private(set) var passTicks: UInt64 = 0
    private(set) var notifierCalls: UInt64 = 0
    private(set) var youngPages: UInt64 = 0
    private(set) var evictions: UInt64 = 0
    /// Present pages visited, summed over passes.
    private(set) var pagesAged: UInt64 = 0
    /// Pages reported old while a vCPU used them through its TLB since the previous pass.
    private(set) var falseOld: UInt64 = 0

    init(
        mmu: MMU, thread: HostThread, guestPages: UInt64, windowPages: Int, evictAfter: Int,
        mode: DriverMode, host: HostSide?, remote: RemoteTLBs? = nil, flushOnAge: Bool = false
    ) {
        precondition(host != nil || evictAfter == 0, "eviction needs the host side")
        precondition(!flushOnAge || remote != nil, "flushing needs the vCPUs' TLBs")
        self.mmu = mmu
        self.thread = thread
        self.guestPages = guestPages
        self.windowPages = min(UInt64(max(windowPages, 1)), YoungBitmap.capacity)
        self.evictAfter = UInt64(max(0, evictAfter))
        self.mode = mode
        self.host = host
        self.remote = remote
        self.flushOnAge = flushOnAge
    }

    /// One pass over all guest memory.
    mutating func runPass() {
        let start = Ticks.now()
        beginPass()
        var gfn: UInt64 = 0
        while gfn < guestPages {
            let window = windowRange(at: gfn)
            ageWindow(window)
            gfn = window.end
        }
        endPass(ticks: Ticks.now() &- start)
    }

    /// A pass opens a new youngest generation (`inc_max_seq`).
    mutating func beginPass() { host?.memory.advanceGeneration() }

    /// Counts a finished pass that took `ticks` (virtual nanoseconds in the virtual engine).
    mutating func endPass(ticks: UInt64) {
        passTicks &+= ticks
        passes += 1
    }

    /// The look-around window that starts at `gfn`.
    @inline(__always)
    func windowRange(at gfn: UInt64) -> GFNRange {
        GFNRange(start: gfn, end: min(gfn + windowPages, guestPages))
    }

    // Inlined so the backend's walk specializes into the pass loop, as the C reference's does.
    // Only the bitmap path's two calls are inline; everything rarer runs out of line, or the
    // pass outgrows the inliner's budget and the walk becomes a call per window with a closure
    // call per leaf (measured: `pass_vs_limit` 1.07 → 2.03 for x86-tdp at 1 GiB).
    @inline(__always)
    private mutating func ageWindow(_ range: GFNRange) {
        guard var window = beginWindow(range) else { return }
        if case .bitmapTest = window.stage {
            perform(.bitmapTest, on: &window)
            if case .bitmapClear(let marked) = window.stage { perform(.bitmapClear(marked), on: &window) }
        }
        if case .perPage = window.stage { performRemaining(&window) }
        endWindow(window)
    }

    /// The window's remaining calls: the per-page path, one `clear_young` per present page in
    /// one loop (the calls `nextCall` would hand out one at a time).
    @inline(never)
    private mutating func performRemaining(_ window: inout Window) {
        guard case .perPage(let pages) = window.stage else { return }
        pages.forEachGFN(in: window.range) { page in perform(.page(page), on: &window) }
        window.stage = .done
    }

    /// One window being aged: what the host side found, and where its secondary MMU calls stand.
    /// The real engine runs a window's steps back to back (`ageWindow`); the virtual engine runs
    /// the same steps one at a time, each call when its lock is granted in virtual time.
    struct Window {
        let range: GFNRange
        var present: YoungBitmap
        var presentCount: Int
        /// Young pages: the host's, then the secondary MMU's as the calls report them.
        var young: YoungBitmap
        /// The window's TLB hits since the previous pass.
        var hidden: YoungBitmap
        var stage: Stage

        enum Stage {
            case bitmapTest
            case bitmapClear(YoungBitmap)
            /// One `clear_young` per page still in the bitmap.
            case perPage(YoungBitmap)
            case done
        }
    }

    /// A notifier call a window still has to make.
    enum NotifierCall {
        /// `test_young` with the window's bitmap.
        case bitmapTest
        /// `clear_young` of the marked pages with the bitmap.
        case bitmapClear(YoungBitmap)
        /// `clear_young` of one page, without a bitmap.
        case page(UInt64)

        /// The `mmu_lock` mode the call takes on `capabilities`; nil when the call takes
        /// nothing (a bitmap call the backend does not honour returns at once).
        func lockMode(_ capabilities: BackendCapabilities) -> LockMode? {
            switch self {
            case .bitmapTest, .bitmapClear: capabilities.bitmapAgingLock
            case .page: capabilities.agingLock
            }
        }
    }

    /// The window's host-side step: test and clear the present host PTEs' Accessed bits and spend
    /// the aging remainder. Nil when nothing in the window is present (no call is made).
    @inline(__always)
    mutating func beginWindow(_ range: GFNRange) -> Window? {
        var present = YoungBitmap()
        var young = YoungBitmap()
        var presentCount = 0
        // The hits since the previous pass, taken before this pass looks: a hit while the
        // window is aged may follow a walk that set Accessed after the test saw it clear.
        var hidden = YoungBitmap()
        if let remote { hidden = Self.takeHits(remote, range) }
        if let host {
            host.memory.forEachPresent(in: range) { page, slot, pte in
                present.insert(page, in: range)
                presentCount += 1
                if host.memory.testAndClearAccessed(slot, pte) { young.insert(page, in: range) }
            }
            guard presentCount > 0 else {
                dropHits(range)
                return nil
            }
            host.spendAgingRemainder(pages: presentCount)
        } else {
            present = YoungBitmap.all(range)
            presentCount = Int(range.count)
        }
        pagesAged &+= UInt64(presentCount)
        let stage: Window.Stage
        switch mode {
        case .evictionOnly: stage = .done
        case .perPage: stage = .perPage(present)
        case .bitmap: stage = .bitmapTest
        }
        return Window(range: range, present: present, presentCount: presentCount, young: young, hidden: hidden, stage: stage)
    }

    /// The window's next notifier call, as `mode` asks the secondary MMU about present pages
    /// only; nil when the window has made all of them.
    @inline(__always)
    func nextCall(_ window: inout Window) -> NotifierCall? {
        switch window.stage {
        case .bitmapTest: return .bitmapTest
        case .bitmapClear(let marked): return .bitmapClear(marked)
        case .perPage(var remaining):
            guard let page = remaining.popFirst(in: window.range) else {
                window.stage = .done
                return nil
            }
            window.stage = .perPage(remaining)
            return .page(page)
        case .done: return nil
        }
    }

    /// Makes `call` and records what it found in `window`.
    @inline(__always)
    mutating func perform(_ call: NotifierCall, on window: inout Window) {
        notifierCalls &+= 1
        let range = window.range
        switch call {
        case .bitmapTest:
            var young = YoungBitmap()
            if mmu.testYoung(range, bitmap: &young, thread: thread).contains(.bitmapUnreliable) {
                window.stage = .perPage(window.present)
                return
            }
            young.formIntersection(window.present)
            window.young.formUnion(young)
            window.stage = young.isEmpty ? .done : .bitmapClear(young)
        case .bitmapClear(let marked):
            if flushOnAge {
                flushingClear(range, marked)
            } else {
                _ = mmu.clearYoung(range, bitmap: marked, thread: thread)
            }
            window.stage = .done
        case .page(let page):
            if clearPage(page) { window.young.insert(page, in: range) }
        }
    }

    @inline(never)
    private func flushingClear(_ range: GFNRange, _ marked: YoungBitmap) {
        _ = mmu.clearFlushYoung(range, bitmap: marked, thread: thread, remote: remote)
    }

    /// One `clear_young` without a bitmap (flushing with `flushOnAge`); whether it was young.
    @inline(__always)
    private func clearPage(_ page: UInt64) -> Bool {
        let single = GFNRange(start: page, count: 1)
        let flags = flushOnAge
            ? mmu.clearFlushYoung(single, thread: thread, remote: remote) : mmu.clearYoung(single, thread: thread)
        return flags.contains(.young)
    }

    /// The window's last step: false-old accounting, folio promotion and eviction.
    @inline(__always)
    mutating func endWindow(_ window: Window) {
        let young = window.young
        if let host {
            young.forEachGFN(in: window.range) { host.memory.promote($0) }
        }
        youngPages &+= UInt64(young.count)
        if remote != nil || evictAfter > 0 { endWindowWithTLBsOrEviction(window) }
    }

    /// False-old accounting (with TLBs) and eviction: out of line, as `takeHits`.
    @inline(never)
    private mutating func endWindowWithTLBsOrEviction(_ window: Window) {
        defer { dropHits(window.range) }
        var hidden = window.hidden
        if remote != nil {
            hidden.formIntersection(window.present)
            if mode != .evictionOnly {
                hidden.bits &= ~window.young.bits
                falseOld &+= UInt64(hidden.count)
            }
        }
        if let host, evictAfter > 0 {
            evict(in: window.range, present: window.present, young: window.young, hidden: hidden, host: host)
        }
    }

    /// Hits while the window was aged go: they were on translations this pass's flushes
    /// removed, or on fresh ones whose walk set Accessed, which the next pass will see.
    @inline(__always)
    private func dropHits(_ range: GFNRange) {
        if let remote { _ = Self.takeHits(remote, range) }
    }

    /// The window's TLB hits since the last take. Out of line, so the pass loop without TLBs
    /// (`--aging-only`, `--tlb-entries 0`) stays as small as it was.
    @inline(never)
    private static func takeHits(_ remote: RemoteTLBs, _ window: GFNRange) -> YoungBitmap {
        remote.ledger.take(window)
    }

    /// Evicts the window's present pages whose folio is old enough, in contiguous runs; `hidden`
    /// holds the window's pages used through a TLB since the previous pass.
    private mutating func evict(
        in window: GFNRange, present: YoungBitmap, young: YoungBitmap, hidden: YoungBitmap, host: HostSide
    ) {
        let youngest = host.memory.youngestGeneration
        guard youngest > evictAfter else { return }
        let oldest = youngest - evictAfter
        var runStart: UInt64?
        for page in window.start..<window.end {
            var evict = false
            if present.contains(page, in: window) && !young.contains(page, in: window) {
                let generation = host.memory.folios.generation(of: page)
                evict = generation != 0 && generation <= oldest
                if evict && mode == .evictionOnly {
                    notifierCalls &+= 1
                    let range = GFNRange(start: page, count: 1)
                    if mmu.clearFlushYoung(range, thread: thread, remote: remote).contains(.young) {
                        host.memory.promote(page)
                        youngPages &+= 1
                        evict = false
                    } else if hidden.contains(page, in: window) {
                        falseOld &+= 1
                    }
                }
            }
            if evict {
                if runStart == nil { runStart = page }
            } else if let start = runStart {
                evictRun(GFNRange(start: start, end: page), window: window, hidden: hidden, host: host)
                runStart = nil
            }
        }
        if let start = runStart {
            evictRun(GFNRange(start: start, end: window.end), window: window, hidden: hidden, host: host)
        }
    }

    private mutating func evictRun(_ run: GFNRange, window: GFNRange, hidden: YoungBitmap, host: HostSide) {
        var unmapped = 0
        mmu.invalidate(run, thread: thread, remote: remote) {
            unmapped = host.memory.unmap(run) { hidden.contains($0, in: window) }
        }
        evictions &+= UInt64(unmapped)
    }
}
