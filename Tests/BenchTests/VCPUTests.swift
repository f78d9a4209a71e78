@testable import Bench
import Backends
import Core
import Results
import Testing

/// The vCPU both engines run: its steps one at a time (the virtual engine's way) and fused
/// (`runPhase`, the thread engine's) do the same accesses, and both tell a walk through an
/// undone zap from a mapping an invalidation removed.
@Suite struct VCPUTests {
    static let pages: UInt64 = 16

    /// A vCPU over `pages` guest pages on x86-tdp, with a host side and no TLB.
    static func make() throws -> (VCPU<RadixMMU>, HostSide) {
        let mmu = try #require(Backends.named("x86-tdp")?.make(MMUConfiguration(gfnCount: pages)) as? RadixMMU)
        let host = HostSide(memory: try #require(HostMemory(pages: pages, backedByFrames: false)),
                            faultRemainderNanos: 0, agingRemainderNanosPerPage: 0)
        let vcpu = VCPU(mmu: mmu, index: 0, pages: pages, settings: WorkloadSettings(), repetition: 0, host: host,
                        tlb: nil, checksStaleAccesses: true)
        return (vcpu, host)
    }

    /// Runs `phase` one step at a time, as the virtual engine does; returns the steps' kinds.
    static func stepThrough(_ vcpu: inout VCPU<RadixMMU>, _ phase: VCPU<RadixMMU>.Phase) -> (walks: Int, faults: Int) {
        vcpu.beginPhase(phase)
        var walks = 0
        var faults = 0
        while case .access(let attempt, let fault) = vcpu.stepAccess() {
            if attempt == .walked { walks += 1 }
            if fault != nil {
                #expect(!vcpu.inGuest, "a fault leaves guest mode")
                guard case .fault(let lock) = vcpu.commitFault() else { Issue.record("no fault step"); break }
                #expect(lock == .read, "x86-tdp faults under the read lock")
                vcpu.recordFault(ticks: 1)
                faults += 1
            }
        }
        #expect(!vcpu.inGuest, "the phase's end leaves guest mode")
        return (walks, faults)
    }

    @Test func stepsAndTheFusedLoopDoTheSameAccessesAndFaults() throws {
        var (stepped, _) = try Self.make()
        var (fused, _) = try Self.make()
        let counts = Self.stepThrough(&stepped, .populate)
        fused.runPhase(.populate)
        #expect(counts.faults == Int(Self.pages) && counts.walks == Int(Self.pages), "each page faults once, then its retry walks")
        for vcpu in [stepped, fused] {
            #expect(vcpu.report.faults == Self.pages && vcpu.report.accesses == Self.pages)
            #expect(vcpu.report.faultTicks.totalCount == Self.pages)
            #expect(vcpu.report.staleAccesses == 0)
        }
        _ = stepped.finish(cpuNanoseconds: 0, lockStats: LockStats())
        _ = fused.finish(cpuNanoseconds: 0, lockStats: LockStats())
    }

    @Test(arguments: [false, true])
    func aWalkThroughAnUndoneZapIsStaleAndOneAfterAnInvalidationIsNot(_ fusedLoop: Bool) throws {
        var (vcpu, host) = try Self.make()
        func run(_ phase: VCPU<RadixMMU>.Phase) {
            if fusedLoop { vcpu.runPhase(phase) } else { _ = Self.stepThrough(&vcpu, phase) }
        }
        run(.populate)
        // The host gives pages 0–3 back without the zap (what a lost zap leaves): the mappings stay.
        _ = host.memory.unmap(GFNRange(start: 0, count: 4))
        run(.populate)
        #expect(vcpu.report.staleAccesses == 4)
        #expect(vcpu.report.faults == Self.pages, "a stale mapping lets the access through")
        // Pages 4–7 go the proper way: zap first, then the host's unmap. The next walks fault.
        let zapper = vcpu.mmu.makeThread(role: .zap)
        vcpu.mmu.invalidate(GFNRange(start: 4, count: 4), thread: zapper) {
            _ = host.memory.unmap(GFNRange(start: 4, count: 4))
        }
        zapper.retire()
        run(.populate)
        #expect(vcpu.report.staleAccesses == 8, "pages 0–3 are still stale; 4–7 are not")
        #expect(vcpu.report.faults == Self.pages + 4 && vcpu.report.refaults == 4)
        _ = vcpu.finish(cpuNanoseconds: 0, lockStats: LockStats())
    }
}

/// The virtual engine gates each step by the lock mode the backend declares; in debug builds it
/// checks that the backend's code took no other mode.
@Suite struct DeclaredLockTests {
    @Test func aBackendThatTakesAnotherLockThanItDeclaresStopsTheVirtualEngine() async {
        #if DEBUG
        let outcome = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            // x86-tdp's faults take mmu_lock for read; this probe says they take none.
            guard let tdp = Backends.named("x86-tdp")?.make(MMUConfiguration(gfnCount: 64)) as? RadixMMU else { return }
            let probe = ProbeMMU(tdp)
            var lying = tdp.capabilities
            lying.faultLock = LockMode.none
            probe.declared = lying
            let cell = SweepCell(
                backend: "x86-tdp", memoryPerVCPU: ByteSize(uncheckedBytes: 256 << 10), vcpus: 1, aging: false,
                repetition: 0, index: 0)
            let settings = VirtualEngineTests.settings(.virtual)
            _ = try? CellRunner.run(cell, mmu: probe, backend: "x86-tdp", settings: settings, context: VirtualEngineTests.context)
        }
        let standardError = String(decoding: outcome?.standardErrorContent ?? [], as: UTF8.self)
        #expect(standardError.contains("declared mmu_lock none but took 1 read and 0 write"), "\(standardError)")
        #endif
    }

    @Test func aBackendThatTakesWhatItDeclaresRunsClean() throws {
        let tdp = try #require(Backends.named("x86-tdp")?.make(MMUConfiguration(gfnCount: 64)) as? RadixMMU)
        let cell = SweepCell(
            backend: "x86-tdp", memoryPerVCPU: ByteSize(uncheckedBytes: 256 << 10), vcpus: 1, aging: false,
            repetition: 0, index: 0)
        let record = try CellRunner.run(
            cell, mmu: ProbeMMU(tdp), backend: "x86-tdp", settings: VirtualEngineTests.settings(.virtual),
            context: VirtualEngineTests.context)
        #expect(record.faults == 64)
    }
}
