import Core

/// The aging thread as steps: `AgingDriver`'s pass, one window step or notifier call at a time,
/// for the virtual engine, which grants each call its lock in virtual time. The thread engine
/// runs the same driver's fused pass (`AgingDriver.runPass`).
///
/// Contract: `step` returns what the agent did (priced by the engine) or the call it wants to
/// make next with the lock it needs; once the engine grants that lock, `perform` makes the call.
/// Passes follow one another until `passFollows` says stop.
struct AgingAgent<MMU: SecondaryMMU> {
    /// What the agent does next.
    enum Next {
        /// It did this (the engine prices it).
        case did(AgentStep)
        /// It wants to make `call`, under `lock` (nil: it takes no lock).
        case call(AgingDriver<MMU>.NotifierCall, lock: LockMode?)
        /// kswapd has nothing to reclaim: it sleeps until the engine wakes it (free memory
        /// below the low watermark, or a fault stalled).
        case sleeping
        /// Its last pass ended.
        case finished
    }

    private enum State { case pass, window, call, victims, kswapd, reclaim, done }

    var driver: AgingDriver<MMU>
    private var state: State
    private var nextGFN: UInt64 = 0
    /// The engine's time at which the pass in progress began.
    private var passStart = 0.0
    private var window: AgingDriver<MMU>.Window?
    /// Reclaim's victim found old, to evict next.
    private var oldVictim: UInt64?

    init(driver: AgingDriver<MMU>) {
        self.driver = driver
        state = driver.underPressure ? .kswapd : .pass
    }

    /// The aging thread's stop rule, in both engines: at least one pass, then passes while any
    /// vCPU is still working.
    static func passFollows(allVCPUsDone: Bool) -> Bool { !allVCPUsDone }

    /// The next step at `time` (the engine's nanoseconds).
    mutating func step(at time: Double, allVCPUsDone: Bool) -> Next {
        switch state {
        case .done: return .finished
        case .kswapd:
            // Under a budget the thread is kswapd: it reclaims when memory runs low, and ages
            // only when reclaim needs a generation.
            if allVCPUsDone {
                state = .done
                return .finished
            }
            guard driver.reclaimNeeded else { return .sleeping }
            state = .reclaim
            return step(at: time, allVCPUsDone: allVCPUsDone)
        case .reclaim:
            if let page = oldVictim {
                oldVictim = nil
                return .call(.evict(page), lock: AgingDriver<MMU>.NotifierCall.evict(page).lockMode(capabilities))
            }
            if driver.reclaimDone {
                state = .kswapd
                return step(at: time, allVCPUsDone: allVCPUsDone)
            }
            guard let page = driver.nextVictim() else {
                state = .pass
                return step(at: time, allVCPUsDone: allVCPUsDone)
            }
            let call = AgingDriver<MMU>.NotifierCall.reference(page)
            return .call(call, lock: call.lockMode(capabilities))
        case .pass:
            driver.beginPass()
            passStart = time
            nextGFN = 0
            state = .window
            fallthrough
        case .window:
            guard nextGFN < driver.guestPages else {
                driver.endPass(ticks: UInt64((time - passStart).rounded()))
                if driver.underPressure {
                    state = .reclaim
                } else {
                    state = Self.passFollows(allVCPUsDone: allVCPUsDone) ? .pass : .done
                }
                return .did(.passEnd)
            }
            let range = driver.windowRange(at: nextGFN)
            nextGFN = range.end
            guard let begun = driver.beginWindow(range) else { return .did(.hostWindow(presentPages: 0)) }
            window = begun
            state = .call
            return .did(.hostWindow(presentPages: begun.presentCount))
        case .call:
            guard let call = driver.nextCall(&window!) else {
                let young = window!.young.count
                driver.finishCalls(&window!)
                if window!.victims.isEmpty {
                    driver.endWindow(window!)
                    window = nil
                    state = .window
                } else {
                    state = .victims
                }
                return .did(.promote(youngPages: young))
            }
            return .call(call, lock: call.lockMode(capabilities))
        case .victims:
            guard let call = driver.nextVictimCall(&window!) else {
                driver.endWindow(window!)
                window = nil
                state = .window
                return step(at: time, allVCPUsDone: allVCPUsDone)
            }
            return .call(call, lock: call.lockMode(capabilities))
        }
    }

    private var capabilities: BackendCapabilities { driver.mmu.capabilities }

    /// The first page of the window being aged (0 between windows).
    var windowStart: UInt64 { window?.range.start ?? 0 }

    /// Makes `call`, its lock granted.
    mutating func perform(_ call: AgingDriver<MMU>.NotifierCall) -> AgentStep {
        let lock = call.lockMode(capabilities)
        switch call {
        case .reference(let page) where state == .reclaim:
            driver.countNotifierCall()
            if driver.checkReference(page) { oldVictim = page }
            return .notifierCall(range: GFNRange(start: page, count: 1), clears: true, lock: lock)
        case .evict(let page):
            let hidden = window.map { $0.hidden.contains(page, in: $0.range) } ?? false
            return .invalidation(pages: 1, unmapped: driver.evictVictim(page, hidden: hidden))
        default:
            break
        }
        driver.perform(call, on: &window!)
        switch call {
        case .page(let gfn), .reference(let gfn): return .notifierCall(range: GFNRange(start: gfn, count: 1), clears: true, lock: lock)
        case .bitmapTest: return .notifierCall(range: window!.range, clears: false, lock: lock)
        case .bitmapClear: return .notifierCall(range: window!.range, clears: true, lock: lock)
        case .evict: return .invalidation(pages: 1, unmapped: 0)
        }
    }
}

/// What the aging thread did in a cell.
struct AgingReport: Sendable {
    var passes = 0
    var passAverageSeconds: Double = 0
    var notifierCalls: UInt64 = 0
    var youngPages: UInt64 = 0
    var evictions: UInt64 = 0
    var pagesAged: UInt64 = 0
    var falseOld: UInt64 = 0
    /// Reclaim's victims checked before eviction, and those found young (kept).
    var victimsChecked: UInt64 = 0
    var victimsReferenced: UInt64 = 0
    var lockStats = LockStats()
    /// The aging thread's events (its shootdowns among them, and the unmapper's).
    var events = MMUEvents()

    init() {}

    /// The driver's report, its pass times in the engine's ticks, with the lock accounting the
    /// engine kept; gives the driver's reclamation slot back.
    init<MMU>(_ driver: AgingDriver<MMU>, nanosecondsPerTick: Double, lockStats: LockStats) {
        passes = driver.passes
        passAverageSeconds = driver.passes == 0
            ? 0 : Double(driver.passTicks) * nanosecondsPerTick / Double(driver.passes) / 1e9
        notifierCalls = driver.notifierCalls
        youngPages = driver.youngPages
        evictions = driver.evictions
        pagesAged = driver.pagesAged
        falseOld = driver.falseOld
        victimsChecked = driver.victimsChecked
        victimsReferenced = driver.victimsReferenced
        self.lockStats = lockStats
        for thread in driver.threads { events = events + thread.events }
        driver.retire()
    }
}
