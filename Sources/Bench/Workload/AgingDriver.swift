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
        host?.memory.advanceGeneration()
        var gfn: UInt64 = 0
        while gfn < guestPages {
            let window = GFNRange(start: gfn, end: min(gfn + windowPages, guestPages))
            ageWindow(window)
            gfn = window.end
        }
        passTicks &+= Ticks.now() &- start
        passes += 1
    }

    // Inlined so the backend's walk specializes into the pass loop, as the C reference's does.
    @inline(__always)
    private mutating func ageWindow(_ window: GFNRange) {
        var present = YoungBitmap()
        var young = YoungBitmap()
        var presentCount = 0
        // The hits since the previous pass, taken before this pass looks: a hit while the
        // window is aged may follow a walk that set Accessed after the test saw it clear.
        var hidden = YoungBitmap()
        if let remote { hidden = Self.takeHits(remote, window) }
        defer {
            // Hits while the window was aged go: they were on translations this pass's flushes
            // removed, or on fresh ones whose walk set Accessed, which the next pass will see.
            if let remote { _ = Self.takeHits(remote, window) }
        }
        if let host {
            host.memory.forEachPresent(in: window) { page, slot, pte in
                present.insert(page, in: window)
                presentCount += 1
                if host.memory.testAndClearAccessed(slot, pte) { young.insert(page, in: window) }
            }
            guard presentCount > 0 else { return }
            host.spendAgingRemainder(pages: presentCount)
        } else {
            present = YoungBitmap.all(window)
            presentCount = Int(window.count)
        }
        pagesAged &+= UInt64(presentCount)
        young.formUnion(askSecondary(window, present: present))
        if remote != nil {
            hidden.formIntersection(present)
            if mode != .evictionOnly {
                hidden.bits &= ~young.bits
                falseOld &+= UInt64(hidden.count)
            }
        }

        if let host {
            young.forEachGFN(in: window) { host.memory.promote($0) }
        }
        youngPages &+= UInt64(young.count)
        if let host, evictAfter > 0 { evict(in: window, present: present, young: young, hidden: hidden, host: host) }
    }

    /// The window's TLB hits since the last take. Out of line, so the pass loop without TLBs
    /// (`--aging-only`, `--tlb-entries 0`) stays as small as it was.
    @inline(never)
    private static func takeHits(_ remote: RemoteTLBs, _ window: GFNRange) -> YoungBitmap {
        remote.ledger.take(window)
    }

    /// The secondary MMU's young pages among `present`, asked as `mode` says.
    @inline(__always)
    private mutating func askSecondary(_ window: GFNRange, present: YoungBitmap) -> YoungBitmap {
        switch mode {
        case .evictionOnly:
            return YoungBitmap()
        case .perPage:
            return clearEachPage(window, present)
        case .bitmap:
            var young = YoungBitmap()
            notifierCalls &+= 1
            if mmu.testYoung(window, bitmap: &young, thread: thread).contains(.bitmapUnreliable) {
                return clearEachPage(window, present)
            }
            young.formIntersection(present)
            if !young.isEmpty {
                notifierCalls &+= 1
                if flushOnAge {
                    _ = mmu.clearFlushYoung(window, bitmap: young, thread: thread, remote: remote)
                } else {
                    _ = mmu.clearYoung(window, bitmap: young, thread: thread)
                }
            }
            return young
        }
    }

    /// One `clear_young` per present page.
    private mutating func clearEachPage(_ window: GFNRange, _ present: YoungBitmap) -> YoungBitmap {
        var young = YoungBitmap()
        var calls: UInt64 = 0
        present.forEachGFN(in: window) { page in
            calls &+= 1
            let range = GFNRange(start: page, count: 1)
            let flags = flushOnAge
                ? mmu.clearFlushYoung(range, thread: thread, remote: remote) : mmu.clearYoung(range, thread: thread)
            if flags.contains(.young) {
                young.insert(page, in: window)
            }
        }
        notifierCalls &+= calls
        return young
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

    var passAverageSeconds: Double {
        passes == 0 ? 0 : Ticks.nanoseconds(passTicks) / Double(passes) / 1e9
    }
}
