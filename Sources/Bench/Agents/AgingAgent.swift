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
        /// Its last pass ended.
        case finished
    }

    private enum State { case pass, window, call, done }

    var driver: AgingDriver<MMU>
    private var state = State.pass
    private var nextGFN: UInt64 = 0
    /// The engine's time at which the pass in progress began.
    private var passStart = 0.0
    private var window: AgingDriver<MMU>.Window?

    init(driver: AgingDriver<MMU>) { self.driver = driver }

    /// The aging thread's stop rule, in both engines: at least one pass, then passes while any
    /// vCPU is still working.
    static func passFollows(allVCPUsDone: Bool) -> Bool { !allVCPUsDone }

    /// The next step at `time` (the engine's nanoseconds).
    mutating func step(at time: Double, allVCPUsDone: Bool) -> Next {
        switch state {
        case .done: return .finished
        case .pass:
            driver.beginPass()
            passStart = time
            nextGFN = 0
            state = .window
            fallthrough
        case .window:
            guard nextGFN < driver.guestPages else {
                driver.endPass(ticks: UInt64((time - passStart).rounded()))
                state = Self.passFollows(allVCPUsDone: allVCPUsDone) ? .pass : .done
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
                driver.endWindow(window!)
                window = nil
                state = .window
                return .did(.promote(youngPages: young))
            }
            return .call(call, lock: call.lockMode(driver.mmu.capabilities))
        }
    }

    /// Makes `call`, its lock granted.
    mutating func perform(_ call: AgingDriver<MMU>.NotifierCall) -> AgentStep {
        driver.perform(call, on: &window!)
        let range: GFNRange
        let clears: Bool
        switch call {
        case .page(let gfn): (range, clears) = (GFNRange(start: gfn, count: 1), true)
        case .bitmapTest: (range, clears) = (window!.range, false)
        case .bitmapClear: (range, clears) = (window!.range, true)
        }
        return .notifierCall(range: range, clears: clears, lock: call.lockMode(driver.mmu.capabilities))
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
        self.lockStats = lockStats
        events = driver.thread.events
        driver.thread.retire()
    }
}
