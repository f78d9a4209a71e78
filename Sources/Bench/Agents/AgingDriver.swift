import Core

/// The aging thread: MGLRU passes over all guest memory in look-around windows.
///
/// With the host side (`HostSide`), per window, as `walk_pte_range` and `lru_gen_look_around`:
/// walk the host page table; for each present host PTE test and clear its Accessed bit; spend the
/// calibrated remainder for the present pages; ask the secondary MMU by `mode` about present pages
/// only; move young folios to the youngest generation (opened at the start of each pass); and,
/// with `evictAfter > 0`, evict present pages whose folio is `evictAfter` or more generations old
/// (in `eviction-only` mode only after `clear_young` on the secondary MMU says they are old, as
/// `folio_referenced` asks), one folio (page) per `SecondaryMMU.invalidate`, as `try_to_unmap`.
///
/// Under a host budget (`HostMemory.budget`) the driver is kswapd with MGLRU (`reclaim`): when
/// free memory is below the low watermark it reclaims until it is back at the high one, taking
/// victims from the oldest generation that has resident pages (`nextVictim`), checking each
/// with `clear_flush_young` on the host PTE and the secondary MMU (`checkReference`, the
/// backend's per-page aging lock) and evicting the old ones (`evictVictim`: the zap under the
/// write lock, the shootdown, the host's unmap, the swap-out); when only MGLRU's two youngest
/// generations hold pages it runs an aging pass first (`should_run_aging`).
///
/// With several guests (`--vms`) the driver ages all of them, as kswapd walks every mm of the
/// memcg: one generation sequence, each window asked of the guest whose memory it is.
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
    /// One guest as the aging thread sees it: its secondary MMU, and the thread it calls it on.
    struct Guest {
        let mmu: MMU
        let thread: HostThread
    }

    /// The first guest's MMU and the thread it is called on (the only ones with one guest),
    /// and the further guests (`--vms`). The first is stored apart so the pass loop reaches it
    /// without a lookup: building a `Guest` per call measured 2.5× the per-page path's
    /// instructions in the gate.
    let mmu: MMU
    let thread: HostThread
    let others: [Guest]
    /// Guest pages per guest: guest *k* owns gfns [k × `pagesPerGuest`, (k + 1) × `pagesPerGuest`).
    let pagesPerGuest: UInt64
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
    /// Whether an eviction's shootdown waits here for the vCPUs' answers (the thread engine);
    /// the virtual engine posts it and prices the wait itself.
    var waitsForShootdowns = true
    /// Reclaim's candidates checked (`folio_referenced`) and found young.
    private(set) var victimsChecked: UInt64 = 0
    private(set) var victimsReferenced: UInt64 = 0
    /// Where reclaim's scan of the oldest generation stands, and that generation.
    private var scanCursor: UInt64 = 0
    private var oldestGeneration: UInt64 = 1

    /// `others` are the further guests' MMUs (`--vms`); with none, `mmu` owns all `guestPages`.
    init(
        mmu: MMU, thread: HostThread, guestPages: UInt64, windowPages: Int, evictAfter: Int,
        mode: DriverMode, host: HostSide?, remote: RemoteTLBs? = nil, flushOnAge: Bool = false, others: [MMU] = []
    ) {
        precondition(host != nil || evictAfter == 0, "eviction needs the host side")
        precondition(!flushOnAge || remote != nil, "flushing needs the vCPUs' TLBs")
        self.mmu = mmu
        self.thread = thread
        self.others = others.map { Guest(mmu: $0, thread: $0.makeThread(role: .aging)) }
        pagesPerGuest = guestPages / UInt64(1 + others.count)
        self.guestPages = guestPages
        self.windowPages = min(UInt64(max(windowPages, 1)), YoungBitmap.capacity)
        self.evictAfter = UInt64(max(0, evictAfter))
        self.mode = mode
        self.host = host
        self.remote = remote
        self.flushOnAge = flushOnAge
    }

    /// Counts a notifier call the engine made through `checkReference` directly.
    mutating func countNotifierCall() { notifierCalls &+= 1 }

    /// Every guest, the first included.
    var guests: [Guest] { [Guest(mmu: mmu, thread: thread)] + others }

    /// Every guest's aging thread (one per guest's MMU).
    var threads: [HostThread] { guests.map(\.thread) }

    /// The lock accounting of every guest's aging thread, summed (the thread engine's).
    var lockStats: LockStats { others.reduce(thread.lockStats) { $0 + $1.thread.lockStats } }

    /// The guest that owns `gfn`.
    @inline(__always)
    func guest(_ gfn: UInt64) -> Guest {
        isFirstGuest(gfn) ? Guest(mmu: mmu, thread: thread) : others[Int(gfn / pagesPerGuest) - 1]
    }

    /// The thread guest `index` is called on.
    func thread(ofGuest index: Int) -> HostThread { index == 0 ? thread : others[index - 1].thread }

    /// Whether `gfn` is the first guest's (always, with one guest).
    @inline(__always)
    func isFirstGuest(_ gfn: UInt64) -> Bool { others.isEmpty || gfn < pagesPerGuest }

    /// Gives every guest's aging thread back.
    func retire() { for guest in guests { guest.thread.retire() } }

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
        let guestEnd = others.isEmpty ? guestPages : (gfn / pagesPerGuest + 1) * pagesPerGuest
        return GFNRange(start: gfn, end: min(gfn + windowPages, guestEnd))
    }

    // Inlined so the backend's walk specializes into the pass loop, as the C reference's does.
    // Only the bitmap path's two calls are inline; everything rarer runs out of line, or the
    // pass outgrows the inliner's budget and the walk becomes a call per window with a closure
    // call per leaf (measured: `pass_vs_limit` 1.07 → 2.03 for x86-tdp at 1 GiB).
    @inline(__always)
    private mutating func ageWindow(_ range: GFNRange) {
        guard var window = beginWindow(range) else { return }
        if case .bitmapTest = window.stage {
            if isFirstGuest(range.start) {
                // The first guest's two calls straight to the backend: through `perform`'s
                // switch over every kind of call they were no longer inlined (the gate measured
                // 1.07× the instructions per aged page on x86-tdp).
                notifierCalls &+= 1
                testWindow(&window, mmu: mmu, thread: thread)
                if case .bitmapClear(let marked) = window.stage {
                    notifierCalls &+= 1
                    clearWindow(marked, &window, mmu: mmu, thread: thread)
                }
            } else {
                perform(.bitmapTest, on: &window)
                if case .bitmapClear(let marked) = window.stage { perform(.bitmapClear(marked), on: &window) }
            }
        }
        if case .perPage = window.stage { performRemaining(&window) }
        finishCalls(&window)
        if evictAfter > 0 { performEvictions(&window) }
        endWindow(window)
    }

    /// The window's evictions, one after another.
    @inline(never)
    private mutating func performEvictions(_ window: inout Window) {
        while let call = nextVictimCall(&window) { perform(call, on: &window) }
    }

    /// The window's remaining calls: the per-page path, one `clear_young` per present page in
    /// one loop (the calls `nextCall` would hand out one at a time).
    ///
    /// The first guest's pages have a loop of their own that calls the backend directly: through
    /// `perform`, whose switch serves every kind of call, the backend's `clear_young` was no
    /// longer inlined into the loop (the gate measured 1.31× the instructions per aged page on
    /// the per-page baseline).
    @inline(never)
    private mutating func performRemaining(_ window: inout Window) {
        guard case .perPage(let pages) = window.stage else { return }
        if isFirstGuest(window.range.start) {
            let (mmu, thread, range) = (self.mmu, self.thread, window.range)
            var young = window.young
            pages.forEachGFN(in: range) { page in
                if clearPage(page, mmu: mmu, thread: thread) { young.insert(page, in: range) }
            }
            window.young = young
            notifierCalls &+= UInt64(pages.count)
        } else {
            pages.forEachGFN(in: window.range) { page in perform(.page(page), on: &window) }
        }
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
        /// Pages `--evict-after` takes once the calls are made (`finishCalls` chooses them),
        /// and the one the eviction-only check found old, to evict next.
        var victims = YoungBitmap()
        var checkedVictim: UInt64?
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
        /// Reclaim's check of a victim (`folio_referenced`: the host PTE's and the secondary
        /// MMU's Accessed bits cleared, a young victim's translations flushed).
        case reference(UInt64)
        /// The victim's eviction (`try_to_unmap`: the invalidation of one page).
        case evict(UInt64)

        /// The `mmu_lock` mode the call takes on `capabilities`; nil when the call takes
        /// nothing (a bitmap call the backend does not honour returns at once). An eviction
        /// zaps under the write lock on every backend (`kvm_mmu_notifier_invalidate_range_start`).
        func lockMode(_ capabilities: BackendCapabilities) -> LockMode? {
            switch self {
            case .bitmapTest, .bitmapClear: capabilities.bitmapAgingLock
            case .page, .reference: capabilities.agingLock
            case .evict: .write
            }
        }

        /// The page the call is about (nil for the window's bitmap calls).
        var page: UInt64? {
            switch self {
            case .bitmapTest, .bitmapClear: nil
            case .page(let page), .reference(let page), .evict(let page): page
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
        switch call {
        case .reference, .evict: return performVictimCall(call, on: &window)
        case .bitmapTest, .bitmapClear, .page: break
        }
        notifierCalls &+= 1
        if isFirstGuest(window.range.start) {
            ask(call, on: &window, mmu: mmu, thread: thread)
        } else {
            askAnotherGuest(call, on: &window)
        }
    }

    /// A window's aging call on the guest `mmu`, called on `thread`.
    @inline(__always)
    private mutating func ask(_ call: NotifierCall, on window: inout Window, mmu: MMU, thread: HostThread) {
        switch call {
        case .bitmapTest: testWindow(&window, mmu: mmu, thread: thread)
        case .bitmapClear(let marked): clearWindow(marked, &window, mmu: mmu, thread: thread)
        case .page(let page):
            if clearPage(page, mmu: mmu, thread: thread) { window.young.insert(page, in: window.range) }
        case .reference, .evict:
            break
        }
    }

    /// `test_young` with the window's bitmap; an unreliable bitmap sends the window down the
    /// per-page path.
    @inline(__always)
    private func testWindow(_ window: inout Window, mmu: MMU, thread: HostThread) {
        var young = YoungBitmap()
        if mmu.testYoung(window.range, bitmap: &young, thread: thread).contains(.bitmapUnreliable) {
            window.stage = .perPage(window.present)
            return
        }
        young.formIntersection(window.present)
        window.young.formUnion(young)
        window.stage = young.isEmpty ? .done : .bitmapClear(young)
    }

    /// `clear_young` of the pages `marked`, with the bitmap.
    @inline(__always)
    private func clearWindow(_ marked: YoungBitmap, _ window: inout Window, mmu: MMU, thread: HostThread) {
        if flushOnAge {
            flushingClear(window.range, marked, mmu: mmu, thread: thread)
        } else {
            _ = mmu.clearYoung(window.range, bitmap: marked, thread: thread)
        }
        window.stage = .done
    }

    /// A call on a guest other than the first (`--vms`): out of line, so one guest's pass loop
    /// stays small.
    @inline(never)
    private mutating func askAnotherGuest(_ call: NotifierCall, on window: inout Window) {
        let guest = self.guest(window.range.start)
        ask(call, on: &window, mmu: guest.mmu, thread: guest.thread)
    }

    /// An eviction's check or the eviction itself (`--evict-after`), out of line.
    @inline(never)
    private mutating func performVictimCall(_ call: NotifierCall, on window: inout Window) {
        let range = window.range
        switch call {
        case .reference(let page):
            notifierCalls &+= 1
            if checkReference(page) {
                window.checkedVictim = page
                if window.hidden.contains(page, in: range) { falseOld &+= 1 }
            }
        case .evict(let page):
            evictVictim(page, hidden: window.hidden.contains(page, in: range))
        case .bitmapTest, .bitmapClear, .page:
            break
        }
    }

    @inline(never)
    private func flushingClear(_ range: GFNRange, _ marked: YoungBitmap, mmu: MMU, thread: HostThread) {
        _ = mmu.clearFlushYoung(range, bitmap: marked, thread: thread, remote: remote)
    }

    /// One `clear_young` without a bitmap (flushing with `flushOnAge`); whether it was young.
    @inline(__always)
    private func clearPage(_ page: UInt64, mmu: MMU, thread: HostThread) -> Bool {
        let single = GFNRange(start: page, count: 1)
        let flags = flushOnAge
            ? mmu.clearFlushYoung(single, thread: thread, remote: remote) : mmu.clearYoung(single, thread: thread)
        return flags.contains(.young)
    }

    /// The window's calls are made: false-old accounting, folio promotion, and the victims
    /// `--evict-after` takes (`nextVictimCall` hands them out).
    @inline(__always)
    mutating func finishCalls(_ window: inout Window) {
        let young = window.young
        if let host {
            young.forEachGFN(in: window.range) { host.memory.promote($0) }
        }
        youngPages &+= UInt64(young.count)
        if remote != nil || evictAfter > 0 { accountFalseOldAndChooseVictims(&window) }
    }

    /// The window's last step, once its victims are gone: its TLB hits are dropped.
    @inline(__always)
    func endWindow(_ window: Window) {
        if remote != nil || evictAfter > 0 { dropHits(window.range) }
    }

    /// False-old accounting (with TLBs) and the choice of victims: out of line, as `takeHits`.
    @inline(never)
    private mutating func accountFalseOldAndChooseVictims(_ window: inout Window) {
        var hidden = window.hidden
        if remote != nil {
            hidden.formIntersection(window.present)
            if mode != .evictionOnly {
                hidden.bits &= ~window.young.bits
                falseOld &+= UInt64(hidden.count)
            }
        }
        window.hidden = hidden
        guard let host, evictAfter > 0 else { return }
        let youngest = host.memory.youngestGeneration
        guard youngest > evictAfter else { return }
        let oldest = youngest - evictAfter
        var victims = window.present
        victims.bits &= ~window.young.bits
        window.present.forEachGFN(in: window.range) { page in
            let generation = host.memory.folios.generation(of: page)
            if generation == 0 || generation > oldest { victims.remove(page, in: window.range) }
        }
        window.victims = victims
    }

    /// The window's next eviction call: in `eviction-only` mode each victim is checked first
    /// (`folio_referenced`), and only one found old is evicted; nil when none is left.
    mutating func nextVictimCall(_ window: inout Window) -> NotifierCall? {
        if let page = window.checkedVictim {
            window.checkedVictim = nil
            return .evict(page)
        }
        guard let page = window.victims.popFirst(in: window.range) else { return nil }
        return mode == .evictionOnly ? .reference(page) : .evict(page)
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

    // MARK: Reclaim under a budget (kswapd)

    /// MGLRU's `MIN_NR_GENS` (`include/linux/mmzone.h`): eviction leaves the two youngest
    /// generations alone; when only they hold pages, aging must run first.
    static var minimumGenerations: UInt64 { 2 }

    /// Whether the host has a budget, so the driver reclaims instead of passing back to back.
    var underPressure: Bool { host?.memory.budget != nil }

    /// Whether kswapd has work: free memory below the low watermark, or a fault stalled.
    var reclaimNeeded: Bool { host.map { $0.memory.isBelowLowWatermark || $0.memory.wouldStall } ?? false }

    /// Whether kswapd is done: free memory back at the high watermark, or nothing left to take.
    var reclaimDone: Bool {
        guard let memory = host?.memory else { return true }
        return memory.isAtHighWatermark || memory.residentPages == 0
    }

    /// The next victim: a resident page of the oldest generation that holds one, the scan
    /// going on from where it stopped (the model's LRU order within a generation is gfn order);
    /// nil when only the `minimumGenerations` youngest hold pages (age first).
    mutating func nextVictim() -> UInt64? {
        guard let memory = host?.memory, memory.residentPages > 0, guestPages > 0 else { return nil }
        while oldestGeneration + Self.minimumGenerations <= memory.youngestGeneration {
            for _ in 0..<guestPages {
                let page = scanCursor
                scanCursor = page + 1 == guestPages ? 0 : page + 1
                let generation = memory.folios.generation(of: page)
                if generation != 0 && generation <= oldestGeneration { return page }
            }
            oldestGeneration += 1
        }
        return nil
    }

    /// `folio_referenced` on a victim: the Accessed bit of its host PTE and `clear_young` of the
    /// secondary MMU's entry (under the backend's per-page aging lock), and, when young, the
    /// flush of its translations (`clear_flush_young`'s behaviour). A young victim moves to the
    /// youngest generation. Returns whether it is old (to be evicted).
    mutating func checkReference(_ page: UInt64) -> Bool {
        victimsChecked &+= 1
        var young = false
        if let memory = host?.memory, let slot = memory.table.slot(for: page) {
            let pte = slot.load()
            if HostMemory.format.isHardwarePresent(pte) { young = memory.testAndClearAccessed(slot, pte) }
        }
        let guest = self.guest(page)
        let single = GFNRange(start: page, count: 1)
        if guest.mmu.clearYoung(single, thread: guest.thread).contains(.young) {
            young = true
            shootDown(single, thread: guest.thread)
        }
        guard young else { return true }
        host?.memory.promote(page)
        youngPages &+= 1
        victimsReferenced &+= 1
        return false
    }

    /// `try_to_unmap` and the swap-out of one victim: the secondary MMU's invalidation (the
    /// zap under the write lock, the shootdown), the host's unmap, the page written to swap.
    /// `hidden`: a vCPU used it through its TLB since the previous pass (its refault is told
    /// apart). Returns the pages unmapped (0 if it was no longer present).
    @discardableResult
    mutating func evictVictim(_ page: UInt64, hidden: Bool) -> Int {
        guard let host else { return 0 }
        let range = GFNRange(start: page, count: 1)
        let guest = self.guest(page)
        var unmapped = 0
        guest.mmu.invalidate(range, thread: guest.thread) {
            shootDown(range, thread: guest.thread)
            unmapped = host.memory.unmap(range) { _ in hidden }
        }
        evictions &+= UInt64(unmapped)
        host.spendSwapOut(pages: unmapped)
        return unmapped
    }

    /// The flush of `range` from every vCPU's TLB: waited for here, or posted for the engine.
    private func shootDown(_ range: GFNRange, thread: HostThread) {
        guard let remote else { return }
        if waitsForShootdowns {
            remote.shootDown(range, thread: thread)
        } else {
            for tlb in remote.tlbs { _ = tlb.post(range) }
        }
    }

    /// kswapd's run, fused (the thread engine): until free memory is back at the high
    /// watermark, evict old victims from the oldest generation, aging first whenever only the
    /// youngest generations hold pages.
    mutating func reclaim() {
        while !reclaimDone {
            guard let page = nextVictim() else {
                runPass()
                continue
            }
            notifierCalls &+= 1
            if checkReference(page) { evictVictim(page, hidden: false) }
        }
    }
}
