import Core

/// The aging thread: MGLRU-style passes over all guest memory in look-around windows.
///
/// Per window it asks the notifier once to test and once to clear with a bitmap, or — when the
/// backend reports the bitmap unreliable — once per page (`SecondaryMMU.ageWindow`). It keeps a
/// generation count per page (passes since last seen young) and, with `evictAfter > 0`, evicts
/// (zaps) resident pages that stay old that many passes, in contiguous runs.
struct AgingDriver<MMU: SecondaryMMU> {
    let mmu: MMU
    let thread: HostThread
    let guestPages: UInt64
    let windowPages: UInt64
    let evictAfter: UInt8
    let residency: Residency
    /// Passes since each page was last seen young (saturating).
    private var generations: [UInt8]

    private(set) var passes = 0
    private(set) var passTicks: UInt64 = 0
    private(set) var notifierCalls: UInt64 = 0
    private(set) var youngPages: UInt64 = 0
    private(set) var evictions: UInt64 = 0

    init(mmu: MMU, thread: HostThread, guestPages: UInt64, windowPages: Int, evictAfter: Int, residency: Residency) {
        self.mmu = mmu
        self.thread = thread
        self.guestPages = guestPages
        self.windowPages = UInt64(min(max(windowPages, 1), 64))
        self.evictAfter = UInt8(clamping: evictAfter)
        self.residency = residency
        generations = evictAfter > 0 ? [UInt8](repeating: 0, count: Int(guestPages)) : []
    }

    /// One pass over all guest memory.
    mutating func runPass() {
        let start = Ticks.now()
        var gfn: UInt64 = 0
        while gfn < guestPages {
            let window = GFNRange(start: gfn, end: min(gfn + windowPages, guestPages))
            let (young, calls) = mmu.ageWindow(window, thread: thread)
            notifierCalls &+= UInt64(calls)
            youngPages &+= UInt64(young.count)
            if evictAfter > 0 { evictOld(in: window, young: young) }
            gfn = window.end
        }
        passTicks &+= Ticks.now() &- start
        passes += 1
    }

    /// Advances generations and zaps runs of resident pages that stayed old long enough.
    private mutating func evictOld(in window: GFNRange, young: YoungBitmap) {
        var runStart: UInt64?
        for gfn in window.start..<window.end {
            var evict = false
            if young.contains(gfn, in: window) {
                generations[Int(gfn)] = 0
            } else if residency.isResident(gfn) {
                let generation = generations[Int(gfn)] &+ 1
                generations[Int(gfn)] = generation
                evict = generation >= evictAfter
            }
            if evict {
                residency.markEvicted(gfn)
                generations[Int(gfn)] = 0
                if runStart == nil { runStart = gfn }
            } else if let start = runStart {
                evictions &+= UInt64(mmu.zap(GFNRange(start: start, end: gfn), thread: thread))
                runStart = nil
            }
        }
        if let start = runStart {
            evictions &+= UInt64(mmu.zap(GFNRange(start: start, end: window.end), thread: thread))
        }
    }

    var passAverageSeconds: Double {
        passes == 0 ? 0 : Ticks.nanoseconds(passTicks) / Double(passes) / 1e9
    }
}
