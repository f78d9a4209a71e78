import Core

/// The VMM giving guest pages back (balloon, free page reporting, `MADV_DONTNEED`): every
/// `interval` it invalidates one look-around window at a seeded place, as the primary MMU's
/// `invalidate_range_start`/`end` would.
///
/// Contract: `choose` draws the window from the engine's generator; once the engine grants the
/// write lock, `invalidate` zaps it, posts the TLB shootdown to every vCPU (each answers at its
/// next access; the engine prices the wait) and has the host unmap the window's present pages.
/// It stops once every vCPU has finished. The virtual engine runs it; the real engine has none.
struct Unmapper<MMU: SecondaryMMU> {
    /// Every guest's MMU and the thread the unmapper calls it on (`--vms`: one each).
    let mmus: [MMU]
    let threads: [HostThread]
    let host: HostSide
    let remote: RemoteTLBs?
    let guestPages: UInt64
    /// Virtual nanoseconds between two invalidations.
    let interval: Double
    /// When the next invalidation is due.
    private(set) var due: Double
    private(set) var range = GFNRange(start: 0, count: 0)

    init(mmus: [MMU], host: HostSide, remote: RemoteTLBs?, guestPages: UInt64, interval: Double) {
        self.mmus = mmus
        threads = mmus.map { $0.makeThread(role: .zap) }
        self.host = host
        self.remote = remote
        self.guestPages = guestPages
        self.interval = interval
        due = interval
    }

    /// Picks the window the next invalidation covers.
    mutating func choose(_ random: inout SplitMix64) {
        let windows = max(1, (guestPages + YoungBitmap.capacity - 1) / YoungBitmap.capacity)
        let start = random.next() % windows * YoungBitmap.capacity
        let pagesPerGuest = max(1, guestPages / UInt64(mmus.count))
        let guestEnd = (start / pagesPerGuest + 1) * pagesPerGuest
        range = GFNRange(start: start, end: min(start + YoungBitmap.capacity, guestPages, guestEnd))
        guest = min(Int(start / pagesPerGuest), mmus.count - 1)
    }

    /// The guest whose window the next invalidation covers.
    private(set) var guest = 0
    /// The thread of the guest the invalidation is in.
    var thread: HostThread { threads[guest] }

    /// The invalidation, under the write lock the engine granted.
    mutating func invalidate() -> AgentStep {
        let (range, remote, host) = (self.range, self.remote, self.host)
        var unmapped = 0
        mmus[guest].invalidate(range, thread: thread) {
            // The flush goes out before the host lets the pages go.
            if let remote { for tlb in remote.tlbs { _ = tlb.post(range) } }
            unmapped = host.memory.unmap(range)
        }
        due += interval
        return .invalidation(pages: range.count, unmapped: unmapped)
    }

    /// Counts the invalidation's shootdown and how long it waited for the vCPUs' answers.
    mutating func recordShootdown(waitTicks: UInt64) {
        threads[0].events.shootdowns &+= 1
        threads[0].events.shootdownWaitTicks &+= waitTicks
    }

    /// Every guest's unmapping thread's events, summed.
    var events: MMUEvents { threads.reduce(MMUEvents()) { $0 + $1.events } }

    /// Gives every thread back.
    func retire() { for thread in threads { thread.retire() } }
}
