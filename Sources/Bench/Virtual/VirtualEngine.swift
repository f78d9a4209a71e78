import Backends
import Core
import HeapModule
import Histogram

/// How the virtual engine orders agents whose next steps fall at the same virtual time.
public enum Schedule: String, Sendable, CaseIterable {
    /// Ties go in the order the steps were scheduled: the same seed gives the same rows.
    case deterministic
    /// Ties go in an order drawn from the seed, and every step's cost is stretched by a seeded
    /// factor in [1, 1.5): other interleavings, still reproducible from the seed.
    case random
}

/// Runs one cell in virtual time: the vCPUs and the aging thread as agents on the calling
/// thread, under a discrete-event scheduler.
///
/// The agents run the real engine's code on the real backend: `AccessStream` for the vCPUs'
/// accesses, `AgingDriver`'s window steps for aging, the backend's own fault and notifier
/// entry points, the host side's real memory (unbacked by frames). What the engine swaps is
/// the clock, the scheduler and `mmu_lock`: each step advances its agent's clock by the cost
/// `EngineCosts` measured for it (plus the calibrated remainders), and a step that takes
/// `mmu_lock` for read or write runs when `VirtualLock` grants it in virtual time. Steps run
/// whole, in virtual-time order: a critical section's effect lands at its grant.
///
/// With `unmapEvery`, an unmapping agent (the VMM giving guest pages back: balloon, free page
/// reporting, `MADV_DONTNEED`) invalidates one look-around window at a seeded place each
/// interval: zap under the write lock, a TLB shootdown that waits until every vCPU in guest mode
/// has answered at its next access, then the host's unmap.
///
/// The random schedule also sets the aging thread's `PreemptionPoint`: where a backend splits a
/// read-modify-write of an entry into a load and a plain store, another agent's next step may
/// run in between (one whose lock does not conflict with what aging holds).
///
/// Not modelled (docs/virtual-engine.md says what that means): memory bandwidth and cache capacity beyond
/// what the measured costs saw, CPUs shared between agents (every agent has a CPU of its own),
/// the host kernel's own locks, line transfers queuing behind one another, per-rmap lock
/// contention, and evictions by aging and flushing aging (`run` refuses them for this engine).
/// No step waits for a grace period: zaps free tables in `call_rcu`-style batches.
final class VirtualEngine<MMU: SecondaryMMU> {
    let cell: SweepCell
    let mmu: MMU
    let host: HostSide?
    let settings: WorkloadSettings
    let costs: EngineCosts
    let own: EngineCosts.BackendCosts
    let mode: DriverMode
    let remote: RemoteTLBs?
    let pagesPerVCPU: UInt64
    let guestPages: UInt64

    /// An agent's next step, at `time`; `order` breaks ties; an event whose `ticket` is no
    /// longer its agent's was overtaken (the step ran early, at a preemption point).
    struct Event: Comparable {
        var time: Double
        var order: UInt64
        var agent: Int
        var ticket: UInt64
        static func < (lhs: Event, rhs: Event) -> Bool {
            lhs.time != rhs.time ? lhs.time < rhs.time : lhs.order < rhs.order
        }
    }

    private var events = Heap<Event>()
    private var scheduled: UInt64 = 0
    private var random: SplitMix64
    private var lock = VirtualLock()
    /// Whether the lock queue's head has its grant scheduled.
    private var headGrantScheduled = false
    private var vcpus: [VCPUAgent] = []
    private var ager: AgingAgent?
    private var unmapper: UnmapAgent?
    private var populated = 0
    private var finished = 0
    private(set) var workStart = 0.0
    /// Per agent: the ticket of its pending event and that event's time.
    private var tickets: [UInt64] = []
    private var nextStepTime: [Double] = []
    /// The lock the aging agent's current call holds (nested steps must not conflict with it).
    private var agingHolds: LockMode?
    private var nesting = false
    /// Accesses that reached a host page the host had unmapped (a zap undone).
    private(set) var staleAccesses = 0

    /// The unmapping agent: its thread and when its next invalidation is due.
    struct UnmapAgent {
        enum Step { case due, waiting, done }
        let thread: HostThread
        var step = Step.due
        var due = 0.0
        var range = GFNRange(start: 0, count: 0)
    }

    init(cell: SweepCell, mmu: MMU, host: HostSide?, settings: WorkloadSettings, costs: EngineCosts,
         own: EngineCosts.BackendCosts, mode: DriverMode) {
        self.cell = cell
        self.mmu = mmu
        self.host = host
        self.settings = settings
        self.costs = costs
        self.own = own
        self.mode = mode
        pagesPerVCPU = cell.memoryPerVCPU.bytes / GuestMemory.pageBytes
        guestPages = pagesPerVCPU * UInt64(cell.vcpus)
        remote = settings.tlbEntries > 0
            ? RemoteTLBs(vcpus: cell.vcpus, entries: settings.tlbEntries, gfnCount: guestPages) : nil
        random = SplitMix64(seed: settings.seed &* 0xA24B_AED4 &+ UInt64(cell.repetition) &+ 0x5EED)
    }

    // MARK: Agents

    /// A vCPU: its access stream, the access in progress, and what it measured (times in
    /// virtual nanoseconds; the report's tick fields hold nanoseconds).
    struct VCPUAgent {
        enum Step { case access, faultLock, waiting, barrier, done }
        var stream: AccessStream
        let thread: HostThread
        let tlbOwner: TLB?
        let tlb: TLB.Port?
        var working = false
        var step = Step.access
        var pending: (gfn: UInt64, write: Bool)?
        var faultStart = 0.0
        var sequence: UInt64 = 0
        var busy = 0.0
        var lockStats = LockStats()
        var report = VCPUReport()
    }

    /// The aging thread: its driver, the window in progress and its pass's start.
    struct AgingAgent {
        enum Step { case pass, window, call, waiting, done }
        var driver: AgingDriver<MMU>
        var step = Step.pass
        var nextGFN: UInt64 = 0
        var passStart = 0.0
        var window: AgingDriver<MMU>.Window?
        var call: AgingDriver<MMU>.NotifierCall?
        var lockStats = LockStats()
    }

    private var agingIndex: Int { vcpus.count }
    private var unmapIndex: Int { vcpus.count + 1 }

    // MARK: Running

    /// Runs the cell to the end; the measurements in virtual time.
    func run() -> (vcpus: [VCPUReport], aging: AgingReport, workStart: Double) {
        tickets = [UInt64](repeating: 0, count: cell.vcpus + 2)
        nextStepTime = [Double](repeating: 0, count: cell.vcpus + 2)
        for index in 0..<cell.vcpus {
            let tlb = remote?.tlb(index)
            vcpus.append(VCPUAgent(
                stream: AccessStream(vcpu: index, pages: pagesPerVCPU, settings: settings, repetition: cell.repetition),
                thread: mmu.makeThread(role: .vcpu), tlbOwner: tlb, tlb: tlb?.port))
            schedule(index, at: 0)
        }
        if cell.aging {
            ager = AgingAgent(driver: AgingDriver(
                mmu: mmu, thread: mmu.makeThread(role: .aging), guestPages: guestPages,
                windowPages: settings.windowPages, evictAfter: 0, mode: mode, host: host, remote: remote))
            if settings.schedule == .random {
                ager?.driver.thread.preemption = PreemptionPoint { [unowned self] in self.preempted() }
            }
            schedule(agingIndex, at: 0)
        }
        if settings.unmapEveryNanos > 0, host != nil {
            unmapper = UnmapAgent(thread: mmu.makeThread(role: .zap), due: settings.unmapEveryNanos)
            schedule(unmapIndex, at: settings.unmapEveryNanos)
        }
        while let event = events.popMin() {
            guard event.ticket == tickets[event.agent] else { continue }
            step(event.agent, at: event.time)
        }
        ager?.driver.thread.preemption = nil
        var reports: [VCPUReport] = []
        for var agent in vcpus {
            agent.report.cpuNanoseconds = UInt64(agent.busy.rounded())
            agent.report.lockStats = agent.lockStats
            agent.report.events = agent.thread.events
            if let owner = agent.tlbOwner { agent.report.tlb = owner.counters }
            agent.thread.retire()
            reports.append(agent.report)
        }
        var aging = AgingReport()
        if let ager {
            aging = AgingReport(ager.driver)
            aging.passAverageSeconds = ager.driver.passes == 0
                ? 0 : Double(ager.driver.passTicks) / Double(ager.driver.passes) / 1e9
            aging.lockStats = ager.lockStats
        }
        if let unmapper {
            // Its shootdowns and their waits go in the row's shootdown columns.
            aging.events.shootdowns &+= unmapper.thread.events.shootdowns
            aging.events.shootdownWaitTicks &+= unmapper.thread.events.shootdownWaitTicks
            unmapper.thread.retire()
        }
        return (reports, aging, workStart)
    }

    private func step(_ agent: Int, at time: Double) {
        switch agent {
        case agingIndex: stepAging(at: time)
        case unmapIndex: stepUnmap(at: time)
        default: stepVCPU(agent, at: time)
        }
    }

    private func schedule(_ agent: Int, at time: Double) {
        scheduled &+= 1
        tickets[agent] &+= 1
        nextStepTime[agent] = time
        let order = settings.schedule == .random ? random.next() : scheduled
        events.insert(Event(time: time, order: order, agent: agent, ticket: tickets[agent]))
    }

    /// The aging agent reached a `PreemptionPoint`: on a seeded coin, another agent's pending
    /// step runs now (at its own time), unless its lock would conflict with aging's.
    private func preempted() {
        guard !nesting, random.next() & 1 == 0 else { return }
        var candidates: [(agent: Int, lock: LockMode?)] = []
        for index in vcpus.indices {
            switch vcpus[index].step {
            case .access: candidates.append((index, nil))
            case .faultLock: candidates.append((index, mmu.capabilities.faultLock))
            case .waiting, .barrier, .done: break
            }
        }
        if let unmapper, unmapper.step == .due { candidates.append((unmapIndex, .write)) }
        candidates.removeAll { candidate in
            guard let held = agingHolds, let wanted = candidate.lock else { return false }
            return held.conflicts(with: wanted)
        }
        guard !candidates.isEmpty else { return }
        let chosen = candidates[Int(random.next() % UInt64(candidates.count))].agent
        nesting = true
        tickets[chosen] &+= 1
        step(chosen, at: nextStepTime[chosen])
        nesting = false
    }

    /// A step's cost: as measured, or stretched by the random schedule.
    private func cost(_ nanoseconds: Double) -> Double {
        guard settings.schedule == .random, nanoseconds > 0 else { return nanoseconds }
        return nanoseconds * (1 + Double(random.next() >> 11) / Double(1 << 53) / 2)
    }

    // MARK: The lock

    /// Asks for `mmu_lock` in `mode` for `agent` at `time`: true when the step may run now
    /// (lockless, or granted at once); otherwise the agent waits for its grant event.
    private func requestLock(_ mode: LockMode?, agent: Int, at time: Double) -> Bool {
        guard let exclusive = Self.exclusive(mode) else { return true }
        if lock.request(agent: agent, exclusive: exclusive, at: time) { return true }
        scheduleHeadGrant(now: time)
        return false
    }

    private func scheduleHeadGrant(now: Double) {
        guard !headGrantScheduled, let (waiter, time) = lock.headGrant(now: now) else { return }
        headGrantScheduled = true
        schedule(waiter.agent, at: time)
    }

    /// Runs a critical section of `work` nanoseconds under the lock for `agent`, from `time`,
    /// after waiting since `since`: accounts the wait and the hold, returns when it released.
    private func critical(
        _ mode: LockMode?, agent: Int, at time: Double, since: Double, work: Double, stats: inout LockStats
    ) -> Double {
        guard let exclusive = Self.exclusive(mode) else { return time + cost(work) }
        let half = costs.lockPairNanos / 2
        let acquired = time + cost(half + (lock.touch(agent: agent) ? costs.lineTransferNanos : 0))
        let released = acquired + cost(work)
        lock.hold(exclusive: exclusive, until: released)
        let wait = UInt64(max(0, time - since).rounded())
        let hold = UInt64((released - acquired).rounded())
        let side: WritableKeyPath<LockStats, LockSideStats> = exclusive ? \.write : \.read
        stats[keyPath: side].acquisitions &+= 1
        if wait > 0 { stats[keyPath: side].contended &+= 1 }
        stats[keyPath: side].waitTicks &+= wait
        stats[keyPath: side].holdTicks &+= hold
        scheduleHeadGrant(now: time)
        return released + cost(half)
    }

    /// Whether `mode` takes `mmu_lock` exclusively; nil when it does not take it.
    private static func exclusive(_ mode: LockMode?) -> Bool? {
        switch mode {
        case nil: nil
        case .some(.read): false
        case .some(.write): true
        case .some(.none), .some(.perRmap): nil
        }
    }

    /// A granted waiter's step: the head leaves the queue and its agent runs.
    private func takeGrant(_ agent: Int) -> Double {
        headGrantScheduled = false
        let waiter = lock.popHead()
        precondition(waiter.agent == agent, "a grant reached an agent that is not the queue's head")
        return waiter.since
    }

    /// The work of a call or fault excluding `mmu_lock`, which the measurement held uncontended.
    private func excludingLock(_ nanoseconds: Double, measuredWith mode: LockMode) -> Double {
        Self.exclusive(mode) == nil ? nanoseconds : max(0, nanoseconds - costs.lockPairNanos)
    }

    // MARK: vCPUs

    private func stepVCPU(_ index: Int, at time: Double) {
        switch vcpus[index].step {
        case .access: access(index, at: time)
        case .faultLock:
            if requestLock(mmu.capabilities.faultLock, agent: index, at: time) {
                fault(index, at: time, since: time)
            } else {
                vcpus[index].step = .waiting
            }
        case .waiting: fault(index, at: time, since: takeGrant(index))
        case .barrier:
            vcpus[index].working = true
            vcpus[index].step = .access
            access(index, at: time)
        case .done: break
        }
    }

    private func access(_ index: Int, at time: Double) {
        if vcpus[index].pending == nil {
            let next = vcpus[index].working
                ? vcpus[index].stream.nextWork()
                : vcpus[index].stream.nextPopulate().map { (gfn: $0, write: true) }
            guard let next else {
                endPhase(index, at: time)
                return
            }
            vcpus[index].pending = next
        }
        let (gfn, write) = vcpus[index].pending!
        var spent = 0.0
        if let tlb = vcpus[index].tlb {
            tlb.answerPending()
            spent += costs.tlbLookupNanos
            if tlb.lookup(gfn, write: write) {
                completeAccess(index, at: time, spent: spent)
                return
            }
        }
        let thread = vcpus[index].thread
        spent += own.accessNanos
        thread.enterReadSide()
        let mapped = mmu.access(gfn, write: write, thread: thread)
        thread.exitReadSide()
        if mapped {
            if let host, !host.memory.isPresent(gfn) { staleAccesses += 1 }
            vcpus[index].tlb?.fill(gfn, write: write)
            completeAccess(index, at: time, spent: spent)
            return
        }
        // The fault: exit, the sequence, the GUP step and the remainder, all outside the lock.
        vcpus[index].faultStart = time + spent
        vcpus[index].sequence = mmu.invalidation.snapshot()
        spent += costs.exitEntryNanos + costs.faultOverheadNanos
        if let host {
            let result = host.memory.faultIn(gfn, write: write)
            spent += result == .present ? costs.gupPresentNanos : costs.gupFirstTouchNanos
            spent += settings.costs.faultRemainderNanos
            if result.isRefault { vcpus[index].report.refaults &+= 1 }
        }
        let end = time + cost(spent)
        vcpus[index].busy += end - time
        vcpus[index].step = .faultLock
        schedule(index, at: end)
    }

    private func completeAccess(_ index: Int, at time: Double, spent: Double) {
        let end = time + cost(spent)
        vcpus[index].busy += end - time
        vcpus[index].report.accesses &+= 1
        vcpus[index].pending = nil
        schedule(index, at: end)
    }

    /// The fault's critical section at `time` (granted), then the retry of its access.
    private func fault(_ index: Int, at time: Double, since: Double) {
        let (gfn, write) = vcpus[index].pending!
        let thread = vcpus[index].thread
        _ = mmu.handleFault(gfn, write: write, sequence: vcpus[index].sequence, thread: thread)
        let capabilities = mmu.capabilities
        let work = excludingLock(own.faultNanos, measuredWith: capabilities.faultLock)
        var stats = vcpus[index].lockStats
        let released = critical(capabilities.faultLock, agent: index, at: time, since: since, work: work, stats: &stats)
        vcpus[index].lockStats = stats
        // A waiter spins (qrwlock): its wait is CPU time, as the real engine's vcpu_cpu_s counts it.
        vcpus[index].busy += released - since
        let latency = released - vcpus[index].faultStart
        vcpus[index].report.faults &+= 1
        vcpus[index].report.faultTicks.record(max(1, UInt64(latency.rounded())))
        vcpus[index].step = .access
        schedule(index, at: released)
    }

    /// A vCPU ran out of accesses: after populate it waits for the others (the work gate);
    /// after its work it is done, and aging stops at the end of its pass once all are.
    private func endPhase(_ index: Int, at time: Double) {
        if !vcpus[index].working {
            vcpus[index].report.populateEnd = UInt64(time.rounded())
            vcpus[index].step = .barrier
            populated += 1
            guard populated == vcpus.count else { return }
            workStart = time
            for other in vcpus.indices { schedule(other, at: time) }
        } else {
            vcpus[index].report.workEnd = UInt64(time.rounded())
            vcpus[index].step = .done
            finished += 1
        }
    }

    // MARK: Unmapping

    private func stepUnmap(at time: Double) {
        guard var agent = unmapper else { return }
        defer { unmapper = agent }
        switch agent.step {
        case .due:
            if finished == vcpus.count {
                agent.step = .done
                return
            }
            let windows = max(1, (guestPages + YoungBitmap.capacity - 1) / YoungBitmap.capacity)
            let start = random.next() % windows * YoungBitmap.capacity
            agent.range = GFNRange(start: start, end: min(start + YoungBitmap.capacity, guestPages))
            if requestLock(.write, agent: unmapIndex, at: time) {
                unmap(&agent, at: time, since: time)
            } else {
                agent.step = .waiting
            }
        case .waiting:
            let since = takeGrant(unmapIndex)
            agent.step = .due
            unmap(&agent, at: time, since: since)
        case .done: break
        }
    }

    /// The invalidation, granted the write lock at `time`: zap, shootdown, host unmap.
    private func unmap(_ agent: inout UnmapAgent, at time: Double, since: Double) {
        let range = agent.range
        var unmapped = 0
        mmu.invalidate(range, thread: agent.thread) {
            // The flush goes out before the host lets the pages go; each vCPU answers at its
            // next access, which the wait below charges in virtual time.
            if let remote { for tlb in remote.tlbs { _ = tlb.post(range) } }
            unmapped = host?.memory.unmap(range) ?? 0
        }
        let zap = excludingLock(own.zapNanosPerPage * Double(range.count), measuredWith: .write)
        // The row has no column for the unmapper's own lock waits; the vCPUs' and aging's show its effect.
        var unreported = LockStats()
        var released = critical(.write, agent: unmapIndex, at: time, since: since, work: zap, stats: &unreported)
        if remote != nil {
            // kvm_flush_remote_tlbs: every vCPU in guest mode answers at its next access.
            var answered = released
            for (index, vcpu) in vcpus.enumerated() where vcpu.step == .access {
                answered = max(answered, nextStepTime[index] + costs.lineTransferNanos)
            }
            agent.thread.events.shootdowns &+= 1
            agent.thread.events.shootdownWaitTicks &+= UInt64((answered - released).rounded())
            released = answered
        }
        let end = released + cost(Double(unmapped) * costs.hostUnmapNanosPerPage)
        agent.due += settings.unmapEveryNanos
        schedule(unmapIndex, at: max(end, agent.due))
    }

    // MARK: Aging

    private func stepAging(at time: Double) {
        guard var agent = ager else { return }
        defer { ager = agent }
        switch agent.step {
        case .pass:
            agent.driver.beginPass()
            agent.passStart = time
            agent.nextGFN = 0
            agent.step = .window
            fallthrough
        case .window:
            guard agent.nextGFN < guestPages else {
                agent.driver.endPass(ticks: UInt64((time - agent.passStart).rounded()))
                // At least one pass, as the real aging thread; then one more while vCPUs run.
                agent.step = finished == vcpus.count ? .done : .pass
                if agent.step == .pass { schedule(agingIndex, at: time) }
                return
            }
            let range = agent.driver.windowRange(at: agent.nextGFN)
            agent.nextGFN = range.end
            var spent = host == nil ? 0 : costs.hostWindowNanos
            if let window = agent.driver.beginWindow(range) {
                if host != nil {
                    spent += Double(window.presentCount) * (
                        costs.hostScanNanosPerPage + costs.agingOverheadNanosPerPage
                            + settings.costs.agingRemainderNanosPerPage)
                }
                agent.window = window
                agent.step = .call
            }
            schedule(agingIndex, at: time + cost(spent))
        case .call:
            guard let call = agent.driver.nextCall(&agent.window!) else {
                let young = agent.window!.young.count
                agent.driver.endWindow(agent.window!)
                agent.window = nil
                agent.step = .window
                let spent = host == nil ? 0 : Double(young) * costs.promoteNanosPerPage
                schedule(agingIndex, at: time + cost(spent))
                return
            }
            agent.call = call
            if requestLock(call.lockMode(mmu.capabilities), agent: agingIndex, at: time) {
                notifierCall(&agent, at: time, since: time)
            } else {
                agent.step = .waiting
            }
        case .waiting:
            let since = takeGrant(agingIndex)
            agent.step = .call
            notifierCall(&agent, at: time, since: since)
        case .done: break
        }
    }

    /// The aging agent's call, granted at `time`.
    private func notifierCall(_ agent: inout AgingAgent, at time: Double, since: Double) {
        guard let call = agent.call else { return }
        let capabilities = mmu.capabilities
        let lockMode = call.lockMode(capabilities)
        agingHolds = lockMode
        agent.driver.perform(call, on: &agent.window!)
        agingHolds = nil
        var work = 0.0
        if lockMode != nil {
            let pages: UInt64
            switch call {
            case .page: pages = 1
            case .bitmapTest, .bitmapClear: pages = agent.window!.range.count
            }
            work = excludingLock(own.call(pages: pages), measuredWith: capabilities.agingLock)
        }
        let released = critical(lockMode, agent: agingIndex, at: time, since: since, work: work, stats: &agent.lockStats)
        agent.call = nil
        schedule(agingIndex, at: released)
    }
}
