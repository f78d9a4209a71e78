import Core
import Results

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
/// its grant; its release is an event of its own.
///
/// The machine model (docs/virtual-engine.md, "Contention physics"): the agents sit on the CPUs
/// of `--machine` (`MachineProfile`, `--placement`), and every shared word they write is a line
/// in `CacheLines` — `mmu_lock`'s word, `mmap_lock`'s count, the zone and LRU locks
/// (`VirtualSpinLock`), the memcg's page counter, `kvm->stat.pages`, the secondary MMU's leaf
/// entries (eight a line) and, for per-rmap aging, the rmap heads. A fault runs in the places
/// the kernel's does (`FaultSplit` divides the calibrated remainder among them): exit, the GUP
/// step under `mmap_lock` read with the host's batched locks (`KernelBatches`), the walk and
/// install under `mmu_lock`, re-entry.
///
/// With `--unmap-every`, the `Unmapper` invalidates a window each interval; its TLB shootdown
/// waits until every vCPU in guest mode has answered at its next access.
///
/// The random schedule also sets the aging thread's `PreemptionPoint`: where a backend splits a
/// read-modify-write of an entry into a load and a plain store, another agent's next step may
/// run in between (one whose lock does not conflict with what aging holds).
///
/// Under a host budget (docs/pressure.md) the aging agent is kswapd: it sleeps until free
/// memory runs low, then checks and evicts victims, each a call granted its lock (an eviction
/// the write lock twice: the zap, then `invalidate_range_end`); a fault that finds no frame
/// stalls until an eviction frees one; refaults pay the swap device's swap-in in their GUP step.
/// With `--vms`, each guest has its own `mmu_lock` and its own `mmap_lock` and page-counter lines.
///
/// Not modelled (docs/virtual-engine.md says what that means): memory bandwidth and cache capacity beyond
/// what the measured costs saw, CPUs shared between agents (every agent has a CPU of its own),
/// and flushing aging (`run` refuses it for this engine).
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
        guard !settings.agingOnly, !settings.flushOnAge else {
            throw InputError("the virtual engine does not model --aging-only or --flush-on-age (use --engine real)")
        }
        self.costs = costs
        self.own = own
        schedule = settings.schedule
        seed = settings.seed
    }

    /// Real memory without frames; the remainders and swap are virtual time, not busy waits.
    func makeHostSide(guestPages: UInt64, costs: CostModel, budget: Watermarks?, swap: SwapDevice) throws(InputError) -> HostSide? {
        guard costs.hostSide else { return nil }
        guard let memory = HostMemory(pages: guestPages, backedByFrames: false, budget: budget) else {
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

/// What the machine model counted in one cell: the host's locks and the lines that moved.
struct MachineCounters: Sendable, Hashable {
    /// Nanoseconds the vCPUs spent getting host locks and shared host counters (`mmap_lock`'s
    /// count, the zone and LRU locks, the memcg counter, `kvm->stat.pages`): queueing and moves.
    var hostLockWaitNanos = 0.0
    var zoneLockAcquisitions: UInt64 = 0
    var lruLockAcquisitions: UInt64 = 0
    var memcgCharges: UInt64 = 0
    /// Line moves between CPUs, all lines.
    var lineMoves: UInt64 = 0
    /// Events the virtual engine ran (its speed is these per second of the cell's wall time).
    var events: UInt64 = 0
    /// Faults that found no frame within the host's budget and waited for reclaim, and the
    /// nanoseconds they waited.
    var allocationStalls: UInt64 = 0
    var allocationStallNanos = 0.0
}

/// One cell's event loop: the queue of agents' next steps, the preemption points, the lock and
/// the machine's lines in virtual time, and the pricing of each step.
private final class VirtualRun<MMU: SecondaryMMU> {
    let setup: CellSetup<MMU>
    let costs: EngineCosts
    let own: EngineCosts.BackendCosts
    let schedule: Schedule
    let populatedHook: () -> Void

    /// Where an agent stands with the engine (its own state is the agent's); each names what
    /// the agent's next event does.
    enum Gate {
        /// Its own next step.
        case free
        /// A vCPU's GUP step ends (the LRU drain, `mmap_lock` released), then it asks for `mmu_lock`.
        case gup
        /// It asks for `mmu_lock` (a fault's second half, a notifier call, an unmap).
        case requesting
        /// It is queued for `mmu_lock`; its next event is the grant.
        case waiting
        /// It holds `mmu_lock`; its next event is the release.
        case holding
        /// A vCPU between populate and work (the work gate).
        case barrier
        /// A vCPU whose fault found no frame within the budget: woken when reclaim frees one.
        case stalled
        /// kswapd with nothing to reclaim: woken when free memory runs low or a fault stalls.
        case sleeping
        case done
    }

    /// The host's lines, one each, before the guests' lines.
    enum HostLine: Int, CaseIterable {
        case zoneLock, lruLock, memcgCounter
    }

    /// Each guest's lines (its VMM's `mm` and its VM's `kvm`), after the host's.
    enum SharedLine: Int, CaseIterable {
        case mmuLockWord, mmapLock, pageStats
    }

    /// Virtual nanoseconds of accesses a vCPU runs in one event when none faults: they touch
    /// no shared line, so running them together moves nothing but where another agent's step
    /// may fall between them (a TLB shootdown is answered at most this much later).
    static var accessQuantumNanos: Double { 500 }

    /// Each agent's next step, at a time; `order` (`scheduled`, or seeded) breaks ties.
    private var events: AgentQueue
    private var scheduled: UInt64 = 0
    private var random: SplitMix64
    /// Each guest's `mmu_lock`.
    private var locks: FixedArray<VirtualLock>
    private var lines: CacheLines
    private var zoneLock = VirtualSpinLock(line: HostLine.zoneLock.rawValue)
    private var lruLock = VirtualSpinLock(line: HostLine.lruLock.rawValue)
    private var counters = MachineCounters()
    /// Set when a vCPU made no progress: the event loop stops there.
    private var starvation: String?
    private let split: FaultSplit
    private let faultPath: KernelFaultPath
    /// Where the per-entry lines start, and the per-rmap lines (nil: the backend has none).
    private let leafLineBase: Int
    private let rmapLineBase: Int?
    private var vcpus: FixedArray<VCPU<MMU>>
    private var ager: AgingAgent<MMU>?
    private var unmapper: Unmapper<MMU>?
    private var populated = 0
    private var finished = 0
    private var workStart = 0.0
    /// Per agent: its pending step's time, its gate, since when it waits for `mmu_lock`, and
    /// when its hold began.
    private var nextStepTime: FixedArray<Double>
    private var gates: FixedArray<Gate>
    private var waitSince: FixedArray<Double>
    private var holdStart: FixedArray<Double>
    /// Per vCPU: its lock accounting, when its fault in progress began, when its request in
    /// progress began (`--requests`), and its host batches' counts (first touches: page
    /// allocations, memcg charges and LRU adds go together).
    private var vcpuLocks: FixedArray<LockStats>
    private var faultStart: FixedArray<Double>
    private var requestStart: FixedArray<Double>
    private var firstTouches: FixedArray<UInt64>
    private var agingLocks = LockStats()
    /// The call the aging agent waits to make, and the lock it holds while making it (nested
    /// steps must not conflict with it).
    private var agingCall: AgingDriver<MMU>.NotifierCall?
    private var agingHolds: LockMode?
    private var nesting = false
    private var unmapStats = LockStats()
    /// The invalidation the unmapper holds the write lock for, priced after its release.
    private var pendingUnmap: AgentStep?
    /// The guest whose `mmu_lock` the aging agent's call takes.
    private var agingGuest = 0
    /// The eviction whose invalidation the aging agent is in, priced once it is closed, and
    /// whether the agent is closing it (`invalidate_range_end`'s write lock).
    private var pendingEviction: AgentStep?
    private var closingEviction = false
    /// Per vCPU: since when its fault has waited for a frame (nil: it is not stalled), and the
    /// stalled vCPUs in the order they stalled.
    private var stallStart: FixedArray<Double?>
    private var stalledVCPUs: [Int] = []
    private var stalledHead = 0
    private let swapInNanos: Double
    private let swapOutNanos: Double

    private var agingIndex: Int { vcpus.count }
    private var unmapIndex: Int { setup.cell.vcpus + 1 }

    init(engine: VirtualEngine, setup: CellSetup<MMU>, populated: @escaping () -> Void) {
        self.setup = setup
        costs = engine.costs
        own = engine.own
        schedule = engine.schedule
        populatedHook = populated
        random = SplitMix64(seed: engine.seed &* 0xA24B_AED4 &+ UInt64(setup.cell.repetition) &+ 0x5EED)
        let agents = setup.cell.vcpus + 2
        vcpus = FixedArray(capacity: setup.cell.vcpus)
        events = AgentQueue(agents: agents)
        nextStepTime = FixedArray(repeating: 0, count: agents)
        gates = FixedArray(repeating: .free, count: agents)
        waitSince = FixedArray(repeating: 0, count: agents)
        holdStart = FixedArray(repeating: 0, count: agents)
        vcpuLocks = FixedArray(repeating: LockStats(), count: setup.cell.vcpus)
        stallStart = FixedArray(repeating: nil, count: setup.cell.vcpus)
        locks = FixedArray(repeating: VirtualLock(), count: setup.mmus.count)
        faultStart = FixedArray(repeating: 0, count: setup.cell.vcpus)
        requestStart = FixedArray(repeating: 0, count: setup.cell.vcpus)
        firstTouches = FixedArray(repeating: 0, count: setup.cell.vcpus)
        let settings = setup.settings
        var split = FaultSplit.model(engine.costs)
        if let share = settings.mmuLockShareOverride { split = split.overridingMMULockShare(share) }
        self.split = split
        faultPath = setup.mmu.capabilities.kernelFaultPath
        // Without a budget nothing goes to swap: a page the VMM gave back refaults as a new one.
        let swaps = settings.hostMemory != nil
        swapInNanos = swaps ? settings.swap.swapInNanos : 0
        swapOutNanos = swaps ? settings.swap.swapOutNanos : 0
        let entryLines = Int((setup.guestPages + 7) / 8)
        leafLineBase = HostLine.allCases.count + SharedLine.allCases.count * setup.mmus.count
        let perRmap = setup.mmu.capabilities.agingLock == .perRmap
        rmapLineBase = perRmap ? leafLineBase + entryLines : nil
        let cpus = settings.machine.cpus(forAgents: agents, placement: settings.placement)
        let hostTransfer = engine.costs.lineTransferNanos
        let machine = settings.machine
        let uniform = settings.lineTransferOverride
        lines = CacheLines(count: leafLineBase + entryLines * (perRmap ? 2 : 1), agents: agents) { from, to in
            if cpus[from] == cpus[to] { return 0 }
            return uniform ?? machine.transferNanos(from: cpus[from], to: cpus[to], hostTransferNanos: hostTransfer)
        }
    }

    // MARK: Running

    func run() -> EngineRun {
        for index in 0..<setup.cell.vcpus {
            vcpus.append(setup.makeVCPU(index))
            vcpus[index].beginPhase(.populate)
            scheduleStep(index, at: 0)
        }
        if setup.agingRunsAlongside {
            var driver = setup.makeAgingDriver()
            driver.waitsForShootdowns = false
            ager = AgingAgent(driver: driver)
            if schedule == .random {
                for thread in driver.threads { thread.preemption = PreemptionPoint { [unowned self] in self.preempted() } }
            }
            scheduleStep(agingIndex, at: 0)
        }
        if let agent = setup.makeUnmapper() {
            unmapper = agent
            scheduleStep(unmapIndex, at: agent.due)
        }
        var ran: UInt64 = 0
        while starvation == nil, let next = events.popMin() {
            ran &+= 1
            step(next.agent, at: next.time)
        }
        counters.events = ran
        for thread in ager?.driver.threads ?? [] { thread.preemption = nil }
        var reports: [VCPUReport] = []
        for index in vcpus.indices {
            // Every wait spins (qrwlock, qspinlock, a line in flight): a vCPU is busy from the
            // start of populate to its end, and from the work gate to its last access.
            let report = vcpus[index].report
            let busy = Double(report.populateEnd) + max(0, Double(report.workEnd) - workStart)
            reports.append(vcpus[index].finish(cpuNanoseconds: Self.whole(busy), lockStats: vcpuLocks[index]))
        }
        var aging = AgingReport()
        if let ager { aging = AgingReport(ager.driver, nanosecondsPerTick: 1, lockStats: agingLocks) }
        if let unmapper {
            // Its shootdowns and their waits go in the row's shootdown columns.
            aging.events.shootdowns &+= unmapper.events.shootdowns
            aging.events.shootdownWaitTicks &+= unmapper.events.shootdownWaitTicks
            unmapper.retire()
        }
        counters.zoneLockAcquisitions = zoneLock.acquisitions
        counters.lruLockAcquisitions = lruLock.acquisitions
        counters.lineMoves = lines.totalMoves
        return EngineRun(
            vcpus: reports, aging: aging, populateStart: 0, workStart: Self.whole(workStart), machine: counters,
            starvation: starvation)
    }

    private func step(_ agent: Int, at time: Double) {
        switch agent {
        case agingIndex where ager != nil: stepAging(at: time)
        case unmapIndex: stepUnmap(at: time)
        default: stepVCPU(agent, at: time)
        }
    }

    private func scheduleStep(_ agent: Int, at time: Double) {
        scheduled &+= 1
        nextStepTime[agent] = time
        let order = schedule == .random ? random.next() : scheduled
        events.schedule(agent, at: time, order: order)
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
            case .gup, .waiting, .holding, .barrier, .stalled, .sleeping, .done: break
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
        // Its pending step runs now, early: the queue forgets it.
        events.remove(chosen)
        step(chosen, at: nextStepTime[chosen])
        nesting = false
    }

    // MARK: Pricing

    /// `UInt64(nanoseconds.rounded())` for a time that is not negative, without a call to
    /// libm's `round` per lock hold and fault (1.2% of a cell's instructions, callgrind): the
    /// truncation, plus one when the fraction is a half or more. Exact: below 2^53 the
    /// truncation and the fraction are exact doubles, and above it every double is whole.
    @inline(__always)
    private static func whole(_ nanoseconds: Double) -> UInt64 {
        let truncated = UInt64(nanoseconds)
        return nanoseconds - Double(truncated) >= 0.5 ? truncated &+ 1 : truncated
    }

    /// A step's cost: as measured, or stretched by the random schedule.
    private func stretch(_ nanoseconds: Double) -> Double {
        guard schedule == .random, nanoseconds > 0 else { return nanoseconds }
        return nanoseconds * (1 + Double(random.next() >> 11) / Double(1 << 53) / 2)
    }

    /// What `step` costs outside every lock and line, as `EngineCosts` measured it
    /// (unstretched). A fault's first half is priced by `beginFault` and its locked work by
    /// `lockedNanoseconds(of:)`.
    private func nanoseconds(of step: AgentStep) -> Double {
        let hostSide = setup.host != nil
        switch step {
        case .access(let attempt, _):
            return accessNanoseconds(attempt)
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
        case .notifierCall(let range, _, let lock):
            return lock == nil ? 0 : excludingLock(own.call(pages: range.count), measuredWith: capabilities.agingLock)
        case .invalidation(let pages, _): return excludingLock(own.zapNanosPerPage * Double(pages), measuredWith: .write)
        case .access, .phaseEnd, .hostWindow, .promote, .passEnd: return 0
        }
    }

    private func excludingLock(_ nanoseconds: Double, measuredWith mode: LockMode) -> Double {
        Self.exclusive(mode) == nil ? nanoseconds : max(0, nanoseconds - costs.lockPairNanos)
    }

    /// The fault remainder's share spent in `place` (0 without a host side).
    private func remainder(_ share: KeyPath<FaultSplit, Double>) -> Double {
        setup.host == nil ? 0 : setup.settings.costs.faultRemainderNanos * split[keyPath: share]
    }

    // MARK: Lines

    private func leafLine(_ gfn: UInt64) -> Int { leafLineBase + Int(gfn >> 3) }

    /// The line of `shared` in `guest`.
    private func line(_ shared: SharedLine, guest: Int) -> Int {
        HostLine.allCases.count + guest * SharedLine.allCases.count + shared.rawValue
    }

    /// vCPU `index` writes its guest's `shared` word at `time`.
    private func writeGuest(_ shared: SharedLine, by index: Int, at time: Double) -> Double {
        writeHost(line(shared, guest: setup.guest(ofVCPU: index)), by: index, at: time)
    }

    /// `agent` writes a shared host word at `time` (for a vCPU, the wait is host-lock time).
    private func writeHost(_ line: Int, by agent: Int, at time: Double) -> Double {
        let done = lines.write(line, by: agent, at: time)
        if agent < vcpus.count { counters.hostLockWaitNanos += done - time }
        return done
    }

    /// `agent` takes a host spinlock at `time` for `hold`: when it has released it.
    private func takeHostLock(_ spin: inout VirtualSpinLock, by agent: Int, at time: Double, hold: Double) -> Double {
        let before = spin.waitNanos
        let released = spin.acquire(by: agent, at: time, hold: hold, lines: &lines)
        if agent < vcpus.count { counters.hostLockWaitNanos += spin.waitNanos - before }
        return released
    }

    /// A read-side `mmap_lock` section's two writes to its count, around `work` from `time`.
    private func mmapReadSection(by agent: Int, at time: Double, work: (Double) -> Double) -> Double {
        let inside = writeGuest(.mmapLock, by: agent, at: time)
        return writeGuest(.mmapLock, by: agent, at: work(inside))
    }

    // MARK: The lock

    /// Whether `mode` takes `mmu_lock` exclusively; nil when it does not take it.
    private static func exclusive(_ mode: LockMode?) -> Bool? {
        switch mode {
        case nil: nil
        case .some(.read): false
        case .some(.write): true
        case .some(.none), .some(.perRmap): nil
        }
    }

    /// `agent` asks for `mmu_lock` in `mode` at `time`: true when it may begin now (lockless,
    /// or granted at once); otherwise it is queued and its grant will be its next event.
    private func requestLock(_ mode: LockMode?, agent: Int, guest: Int, at time: Double) -> Bool {
        guard let exclusive = Self.exclusive(mode) else { return true }
        waitSince[agent] = time
        if locks[guest].request(agent: agent, exclusive: exclusive, at: time) { return true }
        gates[agent] = .waiting
        // qrwlock's slow path: a reader that met a writer backs its bias out again.
        let word = line(.mmuLockWord, guest: guest)
        if !exclusive { _ = lines.write(word, by: agent, at: lines.write(word, by: agent, at: time)) }
        lines.setSpinner(word, locks[guest].spinner)
        return false
    }

    /// The holder's acquiring write of the lock word from `time` (its grant), with the wait
    /// since it asked and the acquisition counted in `stats`: when it is inside.
    private func acquired(_ mode: LockMode?, agent: Int, guest: Int, at time: Double, stats: inout LockStats) -> Double {
        guard let exclusive = Self.exclusive(mode) else { return time }
        let inside = lines.write(line(.mmuLockWord, guest: guest), by: agent, at: time) + stretch(costs.lockPairNanos / 2)
        let wait = Self.whole(max(0, inside - waitSince[agent] - costs.lockPairNanos / 2))
        let contended: UInt64 = time > waitSince[agent] ? 1 : 0
        if exclusive {
            stats.write.acquisitions &+= 1
            stats.write.contended &+= contended
            stats.write.waitTicks &+= wait
        } else {
            stats.read.acquisitions &+= 1
            stats.read.contended &+= contended
            stats.read.waitTicks &+= wait
        }
        holdStart[agent] = inside
        return inside
    }

    /// `agent`'s hold ends at `time`: the releasing write, the hold counted in `stats`, and the
    /// waiters it admits granted from when the word is written. Returns when it is out.
    private func release(_ mode: LockMode?, agent: Int, guest: Int, at time: Double, stats: inout LockStats) -> Double {
        guard let exclusive = Self.exclusive(mode) else { return time }
        let hold = Self.whole(max(0, time - holdStart[agent]))
        if exclusive { stats.write.holdTicks &+= hold } else { stats.read.holdTicks &+= hold }
        locks[guest].release(exclusive: exclusive)
        let word = line(.mmuLockWord, guest: guest)
        let out = lines.write(word, by: agent, at: time)
        locks[guest].admit { waiter in scheduleStep(waiter.agent, at: out) }
        lines.setSpinner(word, locks[guest].spinner)
        return out + stretch(costs.lockPairNanos / 2)
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
        case .free: access(index, at: time)
        case .gup: endGUP(index, at: time)
        case .requesting: requestFaultLock(index, at: time)
        case .waiting: fault(index, at: time)
        case .holding: endFault(index, at: time)
        case .barrier:
            gates[index] = .free
            vcpus[index].beginPhase(.work)
            access(index, at: time)
        case .stalled, .sleeping, .done: break
        }
    }

    /// Why vCPU `index` could not complete its access `starved`, in one line.
    private static func starvation(vcpu index: Int, _ starved: (gfn: UInt64, write: Bool, faults: Int)) -> String {
        "vCPU \(index)'s \(starved.write ? "write" : "read") access to gfn \(starved.gfn) made no progress in "
            + "\(starved.faults) faults: each fault's entry was undone before the access retried (with --ad-off, "
            + "aging passes over this little memory come faster than a fault's re-entry: give each vCPU more "
            + "memory), or the backend's access refuses what its fault installs"
    }

    /// The vCPU's accesses from `time` until one faults, the phase ends, or the quantum is spent.
    /// A request starts when its first access is issued and ends when its last completes (after
    /// its faults and retries): its latency is what its accesses cost and waited.
    private func access(_ index: Int, at time: Double) {
        var now = time
        while true {
            let step = vcpus[index].stepAccess()
            guard case .access(let attempt, let fault) = step else {
                endPhase(index, at: now)
                return
            }
            let request = vcpus[index].requestEdge
            if request.contains(.starts) { requestStart[index] = now }
            now += stretch(accessNanoseconds(attempt))
            if let fault {
                beginFault(index, fault, at: now)
                return
            }
            if request.contains(.ends) {
                vcpus[index].recordRequest(nanoseconds: Self.whole(now - requestStart[index]))
            }
            if now - time >= Self.accessQuantumNanos || nesting { break }
        }
        scheduleStep(index, at: now)
    }

    /// The fault's first half from `time`: the exit and the remainder's outside share, then
    /// the GUP step — on a first touch (or a refault) the slow path under `mmap_lock` read with
    /// the host's batched locks, on a present page the lockless fast path.
    private func beginFault(_ index: Int, _ entry: FaultEntry, at time: Double) {
        if entry.stalled {
            stall(index, at: time)
            return
        }
        if let since = stallStart[index] {
            counters.allocationStallNanos += time - since
            stallStart[index] = nil
        } else {
            faultStart[index] = time
        }
        var now = time + stretch(costs.exitEntryNanos / 2 + costs.faultOverheadNanos + remainder(\.outside))
        if let result = entry.hostResult {
            if faultPath.vmaLookupTakesMmapLock { now = mmapReadSection(by: index, at: now) { $0 } }
            if result == .present {
                now += stretch(costs.gupPresentNanos + remainder(\.underMmapLock))
            } else {
                now = writeGuest(.mmapLock, by: index, at: now)
                let touch = firstTouches[index]
                if KernelBatches.isBatchStart(touch, size: KernelBatches.memcgCharge) {
                    counters.memcgCharges &+= 1
                    now = writeHost(HostLine.memcgCounter.rawValue, by: index, at: now)
                }
                if KernelBatches.isBatchStart(touch, size: KernelBatches.pageAllocatorRefill) {
                    now = takeHostLock(&zoneLock, by: index, at: now, hold: hostBatchHold(KernelBatches.pageAllocatorRefill))
                }
                if setup.host?.memory.isBelowLowWatermark == true { wakeKswapd(at: now) }
                let swapIn = result.isRefault ? swapInNanos : 0
                gates[index] = .gup
                scheduleStep(index, at: now + stretch(costs.gupFirstTouchNanos + remainder(\.underMmapLock) + swapIn))
                return
            }
        }
        gates[index] = .requesting
        scheduleStep(index, at: now)
    }

    /// vCPU `index`'s fault found no frame within the budget at `time`: it waits, in the order
    /// it came, until reclaim frees one (`wakeStalled`), and kswapd is woken. Its fault's
    /// duration runs from its first attempt.
    private func stall(_ index: Int, at time: Double) {
        vcpus[index].abandonFault()
        if stallStart[index] == nil {
            stallStart[index] = time
            faultStart[index] = time
            counters.allocationStalls &+= 1
        }
        gates[index] = .stalled
        stalledVCPUs.append(index)
        wakeKswapd(at: time)
    }

    /// Reclaim freed memory by `time`: as many stalled vCPUs as there are frames now retry.
    private func wakeStalled(at time: Double) {
        guard let memory = setup.host?.memory, let budget = memory.budget else { return }
        var frames = budget.allocatable - min(budget.allocatable, memory.residentPages)
        while frames > 0, stalledHead < stalledVCPUs.count {
            let index = stalledVCPUs[stalledHead]
            stalledHead += 1
            gates[index] = .free
            scheduleStep(index, at: time)
            frames -= 1
        }
        if stalledHead == stalledVCPUs.count {
            stalledVCPUs.removeAll(keepingCapacity: true)
            stalledHead = 0
        }
    }

    /// kswapd, asleep, is woken at `time` (`wakeup_kswapd`).
    private func wakeKswapd(at time: Double) {
        // Not `ager`: a stall at the random schedule's preemption point comes here while the
        // aging agent is in a step of its own.
        guard gates.count > agingIndex, gates[agingIndex] == .sleeping else { return }
        gates[agingIndex] = .free
        scheduleStep(agingIndex, at: time)
    }

    /// The work a host lock's holder does for a batch of `pages`: one folio update each, as
    /// `EngineCosts` measured one (`promoteNanosPerPage`: a compare-exchange on a folio's flags).
    private func hostBatchHold(_ pages: Int) -> Double { stretch(Double(pages) * costs.promoteNanosPerPage) }

    /// The slow GUP step's end at `time`: the folio joins the per-CPU LRU batch (a full batch
    /// drains under the LRU lock), `mmap_lock` is released, and the vCPU asks for `mmu_lock`.
    private func endGUP(_ index: Int, at time: Double) {
        var now = time
        if KernelBatches.isBatchEnd(firstTouches[index], size: KernelBatches.lruAdd) {
            now = takeHostLock(&lruLock, by: index, at: now, hold: hostBatchHold(KernelBatches.lruAdd))
        }
        firstTouches[index] &+= 1
        now = writeGuest(.mmapLock, by: index, at: now)
        requestFaultLock(index, at: now)
    }

    private func requestFaultLock(_ index: Int, at time: Double) {
        if requestLock(vcpus[index].faultLock, agent: index, guest: setup.guest(ofVCPU: index), at: time) { fault(index, at: time) }
    }

    /// The fault's critical section from its grant at `time`: the lock word, `handleFault`, the
    /// entry's line, the VM-wide page counter, the rmap head's line, the walk and install and
    /// the remainder's share under the lock; the release is the vCPU's next event.
    private func fault(_ index: Int, at time: Double) {
        let mode = vcpus[index].faultLock
        let gfn = vcpus[index].pending!.gfn
        var now = acquired(mode, agent: index, guest: setup.guest(ofVCPU: index), at: time, stats: &vcpuLocks[index])
        let before = vcpus[index].thread.lockStats
        let step = vcpus[index].commitFault()
        Self.checkDeclaredLock(mode, before: before, after: vcpus[index].thread.lockStats, step: step)
        if let starved = vcpus[index].starvedAccess {
            starvation = Self.starvation(vcpu: index, starved)
            return
        }
        now = lines.write(leafLine(gfn), by: index, at: now)
        if faultPath.countsPageStats { now = writeGuest(.pageStats, by: index, at: now) }
        if let rmapLineBase { now = lines.write(rmapLineBase + Int(gfn >> 3), by: index, at: now) }
        now += stretch(lockedNanoseconds(of: step) + remainder(\.underMMULock))
        if Self.exclusive(mode) == nil {
            endFault(index, at: now)
        } else {
            gates[index] = .holding
            scheduleStep(index, at: now)
        }
    }

    /// The fault's release at `time`, the re-entry, and the fault's duration recorded.
    private func endFault(_ index: Int, at time: Double) {
        let out = release(vcpus[index].faultLock, agent: index, guest: setup.guest(ofVCPU: index), at: time, stats: &vcpuLocks[index])
        let end = out + stretch(costs.exitEntryNanos / 2)
        vcpus[index].recordFault(ticks: Self.whole(end - faultStart[index]))
        gates[index] = .free
        scheduleStep(index, at: end)
    }

    /// A vCPU ran out of accesses: after populate it waits for the others (the work gate);
    /// after its work it is done, and aging stops at the end of its pass once all are.
    private func endPhase(_ index: Int, at time: Double) {
        if vcpus[index].phase == .populate {
            vcpus[index].report.populateEnd = Self.whole(time)
            gates[index] = .barrier
            populated += 1
            guard populated == vcpus.count else { return }
            populatedHook()
            workStart = time
            for other in vcpus.indices { scheduleStep(other, at: time) }
        } else {
            vcpus[index].report.workEnd = Self.whole(time)
            gates[index] = .done
            finished += 1
            if finished == vcpus.count { wakeKswapd(at: time) }
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
            if requestLock(.write, agent: unmapIndex, guest: unmapper!.guest, at: time) { unmap(at: time) }
        case .waiting: unmap(at: time)
        case .holding: endUnmap(at: time)
        case .gup, .requesting, .barrier, .stalled, .sleeping, .done: break
        }
    }

    /// The invalidation, granted the write lock at `time`: the zap over the window's entry lines.
    private func unmap(at time: Double) {
        var now = acquired(.write, agent: unmapIndex, guest: unmapper!.guest, at: time, stats: &unmapStats)
        let before = unmapper!.thread.lockStats
        let step = unmapper!.invalidate()
        Self.checkDeclaredLock(.write, before: before, after: unmapper!.thread.lockStats, step: step)
        now = touchEntries(unmapper!.range, clears: true, by: unmapIndex, at: now)
        pendingUnmap = step
        gates[unmapIndex] = .holding
        scheduleStep(unmapIndex, at: now + stretch(lockedNanoseconds(of: step)))
    }

    /// The zap's release at `time`, then the shootdown and the host's unmap.
    private func endUnmap(at time: Double) {
        var now = release(.write, agent: unmapIndex, guest: unmapper!.guest, at: time, stats: &unmapStats)
        if let waited = shootdownAnswered(guest: unmapper!.guest, by: unmapIndex, at: now) {
            unmapper!.recordShootdown(waitTicks: Self.whole(waited - now))
            now = waited
        }
        let end = now + stretch(pendingUnmap.map(nanoseconds(of:)) ?? 0)
        pendingUnmap = nil
        gates[unmapIndex] = .free
        scheduleStep(unmapIndex, at: max(end, unmapper!.due))
    }

    /// `kvm_flush_remote_tlbs` posted by `agent` at `time` to `guest`'s vCPUs: when every one
    /// in guest mode has answered, at its next access (nil without TLBs). A vCPU out of guest
    /// mode (in a fault, stalled, done) answers before it re-enters.
    private func shootdownAnswered(guest: Int, by agent: Int, at time: Double) -> Double? {
        guard setup.remote != nil else { return nil }
        var answered = time
        let first = guest * setup.vcpusPerGuest
        for index in first..<(first + setup.vcpusPerGuest) where vcpus[index].inGuest && gates[index] != .stalled {
            answered = max(answered, nextStepTime[index] + lines.transferNanos(from: agent, to: index))
        }
        return answered
    }

    /// The entry lines of `range` read or written by `agent` from `time`.
    private func touchEntries(_ range: GFNRange, clears: Bool, by agent: Int, at time: Double) -> Double {
        var now = time
        var line = Int(range.start >> 3)
        while range.count > 0 && line <= Int((range.end - 1) >> 3) {
            now = clears ? lines.write(leafLineBase + line, by: agent, at: now) : lines.read(leafLineBase + line, by: agent, at: now)
            line += 1
        }
        return now
    }

    // MARK: Aging

    private func stepAging(at time: Double) {
        switch gates[agingIndex] {
        case .waiting: notifierCall(at: time)
        case .holding: endNotifierCall(at: time)
        case .free:
            switch ager!.step(at: time, allVCPUsDone: finished == vcpus.count) {
            case .finished: gates[agingIndex] = .done
            case .sleeping: gates[agingIndex] = .sleeping
            case .did(.passEnd):
                if ager!.driver.underPressure || AgingAgent<MMU>.passFollows(allVCPUsDone: finished == vcpus.count) {
                    scheduleStep(agingIndex, at: time)
                }
            case .did(let step):
                scheduleStep(agingIndex, at: time + stretch(nanoseconds(of: step)))
            case .call(let call, let lockMode):
                agingCall = call
                // Not `call.page ?? ager!.windowStart`: the autoclosure copied the whole agent
                // (616 bytes) on every call.
                if let page = call.page {
                    agingGuest = setup.guest(ofGFN: page)
                } else {
                    agingGuest = setup.guest(ofGFN: ager!.windowStart)
                }
                if requestLock(lockMode, agent: agingIndex, guest: agingGuest, at: time) { notifierCall(at: time) }
            }
        case .gup, .requesting, .barrier, .stalled, .sleeping, .done: break
        }
    }

    /// The aging agent's call at `time`, its lock granted: the lock word, the call, the entry
    /// lines it reads or clears (and the rmap heads it locks); the release is its next event.
    private func notifierCall(at time: Double) {
        guard let call = agingCall else { return }
        let lockMode = call.lockMode(setup.mmu.capabilities)
        var now = acquired(lockMode, agent: agingIndex, guest: agingGuest, at: time, stats: &agingLocks)
        if closingEviction {
            // invalidate_range_end: the write lock again, to close the invalidation.
            gates[agingIndex] = .holding
            scheduleStep(agingIndex, at: now)
            return
        }
        agingHolds = lockMode
        let thread = ager!.driver.thread(ofGuest: agingGuest)
        let before = thread.lockStats
        let step = ager!.perform(call)
        Self.checkDeclaredLock(lockMode, before: before, after: thread.lockStats, step: step)
        agingHolds = nil
        if case .invalidation = step {
            now = touchEntries(GFNRange(start: call.page!, count: 1), clears: true, by: agingIndex, at: now)
            pendingEviction = step
        }
        if case .notifierCall(let range, let clears, _) = step {
            var line = Int(range.start >> 3)
            while let rmapLineBase, range.count > 0 && line <= Int((range.end - 1) >> 3) {
                now = lines.write(rmapLineBase + line, by: agingIndex, at: now)
                line += 1
            }
            now = touchEntries(range, clears: clears, by: agingIndex, at: now)
        }
        now += stretch(lockedNanoseconds(of: step))
        if Self.exclusive(lockMode) == nil {
            agingCall = nil
            gates[agingIndex] = .free
            scheduleStep(agingIndex, at: now)
        } else {
            gates[agingIndex] = .holding
            scheduleStep(agingIndex, at: now)
        }
    }

    private func endNotifierCall(at time: Double) {
        let lockMode = agingCall?.lockMode(setup.mmu.capabilities)
        var out = release(lockMode, agent: agingIndex, guest: agingGuest, at: time, stats: &agingLocks)
        if let eviction = pendingEviction {
            if !closingEviction {
                // The zap is done: the shootdown, then invalidate_range_end's write lock.
                if let waited = shootdownAnswered(guest: agingGuest, by: agingIndex, at: out) {
                    ager!.driver.thread(ofGuest: agingGuest).events.shootdowns &+= 1
                    ager!.driver.thread(ofGuest: agingGuest).events.shootdownWaitTicks &+= Self.whole(waited - out)
                    out = waited
                }
                closingEviction = true
                if requestLock(.write, agent: agingIndex, guest: agingGuest, at: out) { notifierCall(at: out) }
                return
            }
            // The invalidation is closed: the host's unmap and the page's swap-out; the frame
            // is free for a stalled fault.
            closingEviction = false
            pendingEviction = nil
            if case .invalidation(_, let unmapped) = eviction { out += stretch(Double(unmapped) * swapOutNanos) }
            out += stretch(nanoseconds(of: eviction))
            wakeStalled(at: out)
        }
        agingCall = nil
        gates[agingIndex] = .free
        scheduleStep(agingIndex, at: out)
    }
}
