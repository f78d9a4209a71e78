import Core
import Results
import HeapModule

/// How the virtual engine orders agents whose next steps fall at the same virtual time.
public enum Schedule: String, Sendable, CaseIterable {
    /// Ties go in the order the steps were scheduled: the same seed gives the same rows.
    case deterministic
    /// Ties go in an order drawn from the seed, and every step's cost is stretched by a seeded
    /// factor in [1, 1.5): other interleavings, still reproducible from the seed.
    case random
}

/// The virtual engine: the cell's agents on the calling thread in virtual time, under a
/// discrete-event scheduler.
///
/// The agents are the real engine's (`VCPU`, `AgingAgent` over `AgingDriver`, and `Unmapper`),
/// on the real backend and the host side's real memory (unbacked by frames). What the engine
/// swaps is the clock, the scheduler and `mmu_lock`: each step advances its agent's clock by
/// what `EngineCosts` measured for the `AgentStep` it returned (plus the calibrated remainders),
/// and a step that takes `mmu_lock` for read or write runs when `VirtualLock` grants it in
/// virtual time. Steps run whole, in virtual-time order: a critical section's effect lands at
/// its grant.
///
/// With `--unmap-every`, the `Unmapper` invalidates a window each interval; its TLB shootdown
/// waits until every vCPU in guest mode has answered at its next access.
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
struct VirtualEngine: CellEngine {
    let costs: EngineCosts
    /// The cell's backend's own costs.
    let own: EngineCosts.BackendCosts
    let schedule: Schedule
    let seed: UInt64

    var kind: Engine { .virtual }
    var nanosecondsPerTick: Double { 1 }

    /// The engine for `backend`'s cells under `settings`.
    /// - Throws: `InputError` when the calibration has no costs for the backend, or the settings
    ///   ask for what this engine does not model.
    init(backend: String, settings: WorkloadSettings) throws(InputError) {
        let key = EngineCosts.key(backend: backend, accessTracking: settings.accessTracking)
        guard let costs = settings.engineCosts, let own = costs.backends[key] else {
            throw InputError("the virtual engine has no measured costs for '\(key)' (run `agingbench calibrate`)")
        }
        guard !settings.agingOnly, settings.evictAfter == 0, !settings.flushOnAge else {
            throw InputError("the virtual engine does not model --aging-only, --evict-after or --flush-on-age (use --engine real)")
        }
        self.costs = costs
        self.own = own
        schedule = settings.schedule
        seed = settings.seed
    }

    /// Real memory without frames; the remainders are virtual time, not busy waits.
    func makeHostSide(guestPages: UInt64, costs: CostModel) throws(InputError) -> HostSide? {
        guard costs.hostSide else { return nil }
        guard let memory = HostMemory(pages: guestPages, backedByFrames: false) else {
            throw InputError("cannot allocate the host side of a \(guestPages)-page guest")
        }
        return HostSide(memory: memory, faultRemainderNanos: 0, agingRemainderNanosPerPage: 0)
    }

    func run<MMU: SecondaryMMU>(_ setup: CellSetup<MMU>, populated: () -> Void) -> EngineRun {
        withoutActuallyEscaping(populated) { hook in
            VirtualRun(engine: self, setup: setup, populated: hook).run()
        }
    }
}

/// One cell's event loop: the heap of agents' next steps, their tickets, the preemption points,
/// the lock in virtual time, and the pricing of each step.
private final class VirtualRun<MMU: SecondaryMMU> {
    let setup: CellSetup<MMU>
    let costs: EngineCosts
    let own: EngineCosts.BackendCosts
    let schedule: Schedule
    let populatedHook: () -> Void

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

    /// Where an agent stands with the engine (its own state is the agent's).
    enum Gate {
        /// Its next step is its own.
        case free
        /// Its next step asks for `mmu_lock` (a fault's second half, a notifier call, an unmap).
        case requesting
        /// It is queued for `mmu_lock`; its next event is the grant.
        case waiting
        /// A vCPU between populate and work (the work gate).
        case barrier
        case done
    }

    private var events = Heap<Event>()
    private var scheduled: UInt64 = 0
    private var random: SplitMix64
    private var lock = VirtualLock()
    /// Whether the lock queue's head has its grant scheduled.
    private var headGrantScheduled = false
    private var vcpus: [VCPU<MMU>] = []
    private var ager: AgingAgent<MMU>?
    private var unmapper: Unmapper<MMU>?
    private var populated = 0
    private var finished = 0
    private var workStart = 0.0
    /// Per agent: the ticket of its pending event and that event's time, and its gate.
    private var tickets: [UInt64]
    private var nextStepTime: [Double]
    private var gates: [Gate]
    /// Per vCPU: its CPU time, its lock accounting, and when its fault in progress began.
    private var busy: [Double]
    private var vcpuLocks: [LockStats]
    private var faultStart: [Double]
    private var agingLocks = LockStats()
    /// The call the aging agent waits to make, and the lock it holds while making it (nested
    /// steps must not conflict with it).
    private var agingCall: AgingDriver<MMU>.NotifierCall?
    private var agingHolds: LockMode?
    private var nesting = false

    private var agingIndex: Int { vcpus.count }
    private var unmapIndex: Int { vcpus.count + 1 }

    init(engine: VirtualEngine, setup: CellSetup<MMU>, populated: @escaping () -> Void) {
        self.setup = setup
        costs = engine.costs
        own = engine.own
        schedule = engine.schedule
        populatedHook = populated
        random = SplitMix64(seed: engine.seed &* 0xA24B_AED4 &+ UInt64(setup.cell.repetition) &+ 0x5EED)
        let agents = setup.cell.vcpus + 2
        tickets = [UInt64](repeating: 0, count: agents)
        nextStepTime = [Double](repeating: 0, count: agents)
        gates = [Gate](repeating: .free, count: agents)
        busy = [Double](repeating: 0, count: setup.cell.vcpus)
        vcpuLocks = [LockStats](repeating: LockStats(), count: setup.cell.vcpus)
        faultStart = [Double](repeating: 0, count: setup.cell.vcpus)
    }

    // MARK: Running

    func run() -> EngineRun {
        for index in 0..<setup.cell.vcpus {
            vcpus.append(setup.makeVCPU(index))
            vcpus[index].beginPhase(.populate)
            scheduleStep(index, at: 0)
        }
        if setup.agingRunsAlongside {
            ager = AgingAgent(driver: setup.makeAgingDriver())
            if schedule == .random {
                ager?.driver.thread.preemption = PreemptionPoint { [unowned self] in self.preempted() }
            }
            scheduleStep(agingIndex, at: 0)
        }
        if let agent = setup.makeUnmapper() {
            unmapper = agent
            scheduleStep(unmapIndex, at: agent.due)
        }
        while let event = events.popMin() {
            guard event.ticket == tickets[event.agent] else { continue }
            step(event.agent, at: event.time)
        }
        ager?.driver.thread.preemption = nil
        var reports: [VCPUReport] = []
        for index in vcpus.indices {
            reports.append(vcpus[index].finish(cpuNanoseconds: UInt64(busy[index].rounded()), lockStats: vcpuLocks[index]))
        }
        var aging = AgingReport()
        if let ager { aging = AgingReport(ager.driver, nanosecondsPerTick: 1, lockStats: agingLocks) }
        if let unmapper {
            // Its shootdowns and their waits go in the row's shootdown columns.
            aging.events.shootdowns &+= unmapper.thread.events.shootdowns
            aging.events.shootdownWaitTicks &+= unmapper.thread.events.shootdownWaitTicks
            unmapper.thread.retire()
        }
        return EngineRun(vcpus: reports, aging: aging, populateStart: 0, workStart: UInt64(workStart.rounded()))
    }

    private func step(_ agent: Int, at time: Double) {
        switch agent {
        case agingIndex: stepAging(at: time)
        case unmapIndex: stepUnmap(at: time)
        default: stepVCPU(agent, at: time)
        }
    }

    private func scheduleStep(_ agent: Int, at time: Double) {
        scheduled &+= 1
        tickets[agent] &+= 1
        nextStepTime[agent] = time
        let order = schedule == .random ? random.next() : scheduled
        events.insert(Event(time: time, order: order, agent: agent, ticket: tickets[agent]))
    }

    /// The aging agent reached a `PreemptionPoint`: on a seeded coin, another agent's pending
    /// step runs now (at its own time), unless its lock would conflict with aging's.
    private func preempted() {
        guard !nesting, random.next() & 1 == 0 else { return }
        var candidates: [(agent: Int, lock: LockMode?)] = []
        for index in vcpus.indices {
            switch gates[index] {
            case .free: candidates.append((index, nil))
            case .requesting: candidates.append((index, vcpus[index].faultLock))
            case .waiting, .barrier, .done: break
            }
        }
        if unmapper != nil, gates[unmapIndex] == .free { candidates.append((unmapIndex, .write)) }
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

    // MARK: Pricing

    /// A step's cost: as measured, or stretched by the random schedule.
    private func stretch(_ nanoseconds: Double) -> Double {
        guard schedule == .random, nanoseconds > 0 else { return nanoseconds }
        return nanoseconds * (1 + Double(random.next() >> 11) / Double(1 << 53) / 2)
    }

    /// What `step` costs outside `mmu_lock`, as `EngineCosts` measured it (unstretched). The
    /// work a step does under the lock is `lockedNanoseconds(of:)`.
    private func nanoseconds(of step: AgentStep) -> Double {
        let hostSide = setup.host != nil
        switch step {
        case .access(let attempt, let fault):
            var spent = accessNanoseconds(attempt)
            if let fault {
                spent += costs.exitEntryNanos + costs.faultOverheadNanos
                if let result = fault.hostResult {
                    spent += result == .present ? costs.gupPresentNanos : costs.gupFirstTouchNanos
                    spent += setup.settings.costs.faultRemainderNanos
                }
            }
            return spent
        case .hostWindow(let present):
            guard hostSide else { return 0 }
            return costs.hostWindowNanos + Double(present) * (
                costs.hostScanNanosPerPage + costs.agingOverheadNanosPerPage
                    + setup.settings.costs.agingRemainderNanosPerPage)
        case .promote(let young):
            return hostSide ? Double(young) * costs.promoteNanosPerPage : 0
        case .invalidation(_, let unmapped):
            return Double(unmapped) * costs.hostUnmapNanosPerPage
        case .fault, .notifierCall, .phaseEnd, .passEnd:
            return 0
        }
    }

    /// The access's TLB lookup and walk: the part of an access before its fault begins.
    private func accessNanoseconds(_ attempt: AccessAttempt) -> Double {
        (setup.remote != nil ? costs.tlbLookupNanos : 0) + (attempt == .tlbHit ? 0 : own.accessNanos)
    }

    /// The work `step` does under `mmu_lock`, excluding the lock itself, which the measurement
    /// held uncontended.
    private func lockedNanoseconds(of step: AgentStep) -> Double {
        let capabilities = setup.mmu.capabilities
        switch step {
        case .fault: return excludingLock(own.faultNanos, measuredWith: capabilities.faultLock)
        case .notifierCall(let pages, let lock):
            return lock == nil ? 0 : excludingLock(own.call(pages: pages), measuredWith: capabilities.agingLock)
        case .invalidation(let pages, _): return excludingLock(own.zapNanosPerPage * Double(pages), measuredWith: .write)
        case .access, .phaseEnd, .hostWindow, .promote, .passEnd: return 0
        }
    }

    private func excludingLock(_ nanoseconds: Double, measuredWith mode: LockMode) -> Double {
        Self.exclusive(mode) == nil ? nanoseconds : max(0, nanoseconds - costs.lockPairNanos)
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
        scheduleStep(waiter.agent, at: time)
    }

    /// Runs a critical section of `work` nanoseconds under the lock for `agent`, from `time`,
    /// after waiting since `since`: accounts the wait and the hold, returns when it released.
    private func critical(
        _ mode: LockMode?, agent: Int, at time: Double, since: Double, work: Double, stats: inout LockStats
    ) -> Double {
        guard let exclusive = Self.exclusive(mode) else { return time + stretch(work) }
        let half = costs.lockPairNanos / 2
        let acquired = time + stretch(half + (lock.touch(agent: agent) ? costs.lineTransferNanos : 0))
        let released = acquired + stretch(work)
        lock.hold(exclusive: exclusive, until: released)
        let wait = UInt64(max(0, time - since).rounded())
        let hold = UInt64((released - acquired).rounded())
        let side: WritableKeyPath<LockStats, LockSideStats> = exclusive ? \.write : \.read
        stats[keyPath: side].acquisitions &+= 1
        if wait > 0 { stats[keyPath: side].contended &+= 1 }
        stats[keyPath: side].waitTicks &+= wait
        stats[keyPath: side].holdTicks &+= hold
        scheduleHeadGrant(now: time)
        return released + stretch(half)
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

    /// A granted waiter's step: the head leaves the queue and its agent runs; returns since when
    /// it waited.
    private func takeGrant(_ agent: Int) -> Double {
        headGrantScheduled = false
        let waiter = lock.popHead()
        precondition(waiter.agent == agent, "a grant reached an agent that is not the queue's head")
        return waiter.since
    }

    /// The agent's gated step at `time`: on a request, runs `body` now if the lock is free, or
    /// queues; on a grant, runs `body`. `body` gets the time the agent has waited since.
    private func gated(_ agent: Int, _ mode: LockMode?, at time: Double, _ body: (_ since: Double) -> Void) {
        if gates[agent] == .waiting {
            gates[agent] = .free
            body(takeGrant(agent))
        } else if requestLock(mode, agent: agent, at: time) {
            gates[agent] = .free
            body(time)
        } else {
            gates[agent] = .waiting
        }
    }

    /// Debug builds: the step took `mmu_lock` in no mode other than the one the backend
    /// declared, which the engine gated it by (the real lock, uncontended here, still counts its
    /// acquisitions; a fast path may take none). A backend whose code takes another mode than its
    /// capabilities say would be timed under the wrong gate: this stops it. Per-rmap locks are
    /// not `mmu_lock` and are not checked.
    private static func checkDeclaredLock(_ declared: LockMode?, before: LockStats, after: LockStats, step: AgentStep) {
        #if DEBUG
        let reads = after.read.acquisitions - before.read.acquisitions
        let writes = after.write.acquisitions - before.write.acquisitions
        let allowed: (reads: Bool, writes: Bool)
        switch declared {
        case .some(.read): allowed = (true, false)
        case .some(.write): allowed = (false, true)
        case nil, .some(.none): allowed = (false, false)
        case .some(.perRmap): return
        }
        assert((allowed.reads || reads == 0) && (allowed.writes || writes == 0),
               "\(step) declared mmu_lock \(declared.map { "\($0)" } ?? "none") but took \(reads) read and \(writes) write")
        #endif
    }

    // MARK: vCPUs

    private func stepVCPU(_ index: Int, at time: Double) {
        switch gates[index] {
        case .requesting, .waiting:
            gated(index, vcpus[index].faultLock, at: time) { since in fault(index, at: time, since: since) }
        case .barrier:
            gates[index] = .free
            vcpus[index].beginPhase(.work)
            access(index, at: time)
        case .free: access(index, at: time)
        case .done: break
        }
    }

    private func access(_ index: Int, at time: Double) {
        let step = vcpus[index].stepAccess()
        guard case .access(let attempt, let fault) = step else {
            endPhase(index, at: time)
            return
        }
        if fault != nil {
            faultStart[index] = time + accessNanoseconds(attempt)
            gates[index] = .requesting
        }
        let end = time + stretch(nanoseconds(of: step))
        busy[index] += end - time
        scheduleStep(index, at: end)
    }

    /// The fault's critical section at `time` (granted), then the retry of its access.
    private func fault(_ index: Int, at time: Double, since: Double) {
        let before = vcpus[index].thread.lockStats
        let step = vcpus[index].commitFault()
        Self.checkDeclaredLock(vcpus[index].faultLock, before: before, after: vcpus[index].thread.lockStats, step: step)
        let released = critical(
            vcpus[index].faultLock, agent: index, at: time, since: since, work: lockedNanoseconds(of: step),
            stats: &vcpuLocks[index])
        // A waiter spins (qrwlock): its wait is CPU time, as the real engine's vcpu_cpu_s counts it.
        busy[index] += released - since
        vcpus[index].recordFault(ticks: UInt64((released - faultStart[index]).rounded()))
        scheduleStep(index, at: released)
    }

    /// A vCPU ran out of accesses: after populate it waits for the others (the work gate);
    /// after its work it is done, and aging stops at the end of its pass once all are.
    private func endPhase(_ index: Int, at time: Double) {
        if vcpus[index].phase == .populate {
            vcpus[index].report.populateEnd = UInt64(time.rounded())
            gates[index] = .barrier
            populated += 1
            guard populated == vcpus.count else { return }
            populatedHook()
            workStart = time
            for other in vcpus.indices { scheduleStep(other, at: time) }
        } else {
            vcpus[index].report.workEnd = UInt64(time.rounded())
            gates[index] = .done
            finished += 1
        }
    }

    // MARK: Unmapping

    private func stepUnmap(at time: Double) {
        guard unmapper != nil else { return }
        switch gates[unmapIndex] {
        case .free:
            if finished == vcpus.count {
                gates[unmapIndex] = .done
                return
            }
            unmapper!.choose(&random)
            gates[unmapIndex] = .requesting
            fallthrough
        case .requesting, .waiting:
            gated(unmapIndex, .write, at: time) { since in unmap(at: time, since: since) }
        case .barrier, .done: break
        }
    }

    /// The invalidation, granted the write lock at `time`: zap, shootdown, host unmap.
    private func unmap(at time: Double, since: Double) {
        let before = unmapper!.thread.lockStats
        let step = unmapper!.invalidate()
        Self.checkDeclaredLock(.write, before: before, after: unmapper!.thread.lockStats, step: step)
        // The row has no column for the unmapper's own lock waits; the vCPUs' and aging's show its effect.
        var unreported = LockStats()
        var released = critical(.write, agent: unmapIndex, at: time, since: since, work: lockedNanoseconds(of: step), stats: &unreported)
        if setup.remote != nil {
            // kvm_flush_remote_tlbs: every vCPU in guest mode answers at its next access.
            var answered = released
            for index in vcpus.indices where vcpus[index].inGuest {
                answered = max(answered, nextStepTime[index] + costs.lineTransferNanos)
            }
            unmapper!.recordShootdown(waitTicks: UInt64((answered - released).rounded()))
            released = answered
        }
        let end = released + stretch(nanoseconds(of: step))
        scheduleStep(unmapIndex, at: max(end, unmapper!.due))
    }

    // MARK: Aging

    private func stepAging(at time: Double) {
        guard ager != nil else { return }
        if gates[agingIndex] == .waiting {
            gated(agingIndex, nil, at: time) { since in notifierCall(at: time, since: since) }
            return
        }
        switch ager!.step(at: time, allVCPUsDone: finished == vcpus.count) {
        case .finished: break
        case .did(.passEnd):
            if AgingAgent<MMU>.passFollows(allVCPUsDone: finished == vcpus.count) { scheduleStep(agingIndex, at: time) }
        case .did(let step):
            scheduleStep(agingIndex, at: time + stretch(nanoseconds(of: step)))
        case .call(let call, let lockMode):
            agingCall = call
            gated(agingIndex, lockMode, at: time) { since in notifierCall(at: time, since: since) }
        }
    }

    /// The aging agent's call, granted at `time`.
    private func notifierCall(at time: Double, since: Double) {
        guard let call = agingCall else { return }
        let lockMode = call.lockMode(setup.mmu.capabilities)
        agingHolds = lockMode
        let before = ager!.driver.thread.lockStats
        let step = ager!.perform(call)
        Self.checkDeclaredLock(lockMode, before: before, after: ager!.driver.thread.lockStats, step: step)
        agingHolds = nil
        let released = critical(lockMode, agent: agingIndex, at: time, since: since, work: lockedNanoseconds(of: step), stats: &agingLocks)
        agingCall = nil
        scheduleStep(agingIndex, at: released)
    }
}
