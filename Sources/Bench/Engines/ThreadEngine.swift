import Core
import Results
import Dispatch
import Synchronization

/// The real engine: a thread per vCPU and one for aging, on the machine's CPUs, with the real
/// `mmu_lock` and the tick counter for a clock.
///
/// Phases, as `access_tracking_perf_test` in benchmark mode: with aging on, the aging thread
/// starts first and runs passes back to back; the vCPUs populate their memory (timed:
/// `populate_s`, fault-bound) behind one gate, then do their work (timed: `vcpu_wall_s`) behind
/// another; the aging thread stops after the pass in which the last of them finished.
struct ThreadEngine: CellEngine {
    var kind: Engine { .real }
    var nanosecondsPerTick: Double { Ticks.nanosecondsPerTick }
    var schedule: Schedule { .deterministic }

    func makeHostSide(guestPages: UInt64, costs: CostModel, budget: Watermarks?, swap: SwapDevice) throws(InputError) -> HostSide? {
        guard costs.hostSide else { return nil }
        guard let memory = HostMemory(pages: guestPages, budget: budget) else {
            throw InputError("cannot map \(guestPages * GuestMemory.pageBytes >> 20) MiB of host frames for the guest")
        }
        let pressure = budget != nil
        return HostSide(
            memory: memory, faultRemainderNanos: costs.faultRemainderNanos,
            agingRemainderNanosPerPage: costs.agingRemainderNanosPerPage,
            swapInNanos: pressure ? swap.swapInNanos : 0, swapOutNanos: pressure ? swap.swapOutNanos : 0)
    }

    func run<MMU: SecondaryMMU>(_ setup: CellSetup<MMU>, populated hook: () -> Void) -> EngineRun {
        let vcpuCount = setup.cell.vcpus
        let agingOnly = setup.settings.agingOnly
        let populateGate = DispatchSemaphore(value: 0)
        let workGate = DispatchSemaphore(value: 0)
        let populated = DispatchSemaphore(value: 0)
        let reports = ThreadResults<VCPUReport>(count: vcpuCount)
        // One CPU per thread when they fit, so the scheduler cannot stack the aging thread on a
        // vCPU's core in one repetition and not the next; when they do not fit, it shares.
        let pinThreads = setup.runnableThreads <= OSThread.allowedCPUs

        let vcpuThreads = (0..<vcpuCount).map { index in
            OSThread {
                if pinThreads { OSThread.pinCurrentThread(toCPU: index) }
                var vcpu = setup.makeVCPU(index)
                populateGate.wait()
                let cpuStart = VCPU<MMU>.threadCPUNanoseconds()
                CountedRegion.measure(.populate) { vcpu.runPhase(.populate) }
                vcpu.report.populateEnd = Ticks.now()
                populated.signal()
                workGate.wait()
                if !agingOnly {
                    vcpu.runPhase(.work)
                    vcpu.report.workEnd = Ticks.now()
                }
                let cpu = VCPU<MMU>.threadCPUNanoseconds() &- cpuStart
                reports.store(vcpu.finish(cpuNanoseconds: cpu, lockStats: vcpu.thread.lockStats), at: index)
            }
        }

        let vcpusDone = Atomic<Bool>(false)
        let agingStarted = DispatchSemaphore(value: 0)
        let agingResult = ThreadResults<AgingReport>(count: 1)
        let agingThread: OSThread? = setup.agingRunsAlongside ? OSThread {
            if pinThreads { OSThread.pinCurrentThread(toCPU: vcpuCount) }
            var driver = setup.makeAgingDriver()
            agingStarted.signal()
            if driver.underPressure {
                // kswapd: reclaim when memory runs low, until the vCPUs are done.
                while !vcpusDone.load(ordering: .relaxed) {
                    if driver.reclaimNeeded { driver.reclaim() } else { OSThread.yield() }
                }
            } else {
                repeat { driver.runPass() } while AgingAgent<MMU>.passFollows(allVCPUsDone: vcpusDone.load(ordering: .relaxed))
            }
            agingResult.store(
                AgingReport(driver, nanosecondsPerTick: Ticks.nanosecondsPerTick, lockStats: driver.lockStats), at: 0)
        } : nil
        if agingThread != nil { agingStarted.wait() }

        let populateStart = Ticks.now()
        for _ in 0..<vcpuCount { populateGate.signal() }
        for _ in 0..<vcpuCount { populated.wait() }
        hook()
        let workStart = Ticks.now()
        for _ in 0..<vcpuCount { workGate.signal() }
        vcpuThreads.forEach { $0.join() }
        vcpusDone.store(true, ordering: .relaxed)
        agingThread?.join()
        return EngineRun(
            vcpus: reports.all, aging: agingResult.all.first ?? AgingReport(), populateStart: populateStart,
            workStart: workStart)
    }
}
