@testable import Bench
@testable import Results
import Backends
import Core
import Foundation
import Testing

/// The host side as the kernel orders it: the GUP step before the secondary fault, the
/// invalidation retry, and MGLRU's driver asking only about present host pages.
@Suite(.scratchCleanup) struct HostSideTests {
    static func hostSide(pages: UInt64) throws -> HostSide {
        HostSide(memory: try #require(HostMemory(pages: pages)), faultRemainderNanos: 0, agingRemainderNanosPerPage: 0)
    }

    static func tdp(pages: UInt64) -> RadixMMU {
        Backends.named("x86-tdp")!.make(MMUConfiguration(gfnCount: pages)) as! RadixMMU
    }

    @Test func aFaultsHostPageHostPTEAndFolioExistBeforeItsSecondaryEntry() throws {
        let pages: UInt64 = 128
        let host = try Self.hostSide(pages: pages)
        let probe = ProbeMMU(Self.tdp(pages: pages))
        for page in 0..<pages { host.memory.frames!.scribble(0xDEAD_BEEF, on: page) }
        struct Seen: Equatable {
            var hostPTEPresent, folioYoungest, frameZeroed, secondaryAbsent: Bool
        }
        let seen = Locked<[Seen]>([])
        probe.beforeFault = { gfn in
            let pte = host.memory.table.leaf(for: gfn)
            seen.withLock {
                $0.append(Seen(
                    hostPTEPresent: HostMemory.format.isHardwarePresent(pte) && pte & HostMemory.format.accessedMask != 0,
                    folioYoungest: host.memory.folios.generation(of: gfn) == host.memory.youngestGeneration
                        && host.memory.folios.mapCount(of: gfn) == 1,
                    frameZeroed: host.memory.frames!.firstWord(of: gfn) == 0,
                    secondaryAbsent: probe.inner.table.leaf(for: gfn) == 0))
            }
        }
        let vcpu = probe.makeThread(role: .vcpu)
        vcpu.enterReadSide()
        for gfn in 0..<pages { probe.accessFaulting(gfn, write: gfn % 2 == 0, thread: vcpu, host: host) }
        vcpu.exitReadSide()
        vcpu.retire()
        let observed = seen.withLock { $0 }
        #expect(observed.count == Int(pages))
        #expect(observed.allSatisfy { $0 == Seen(hostPTEPresent: true, folioYoungest: true, frameZeroed: true, secondaryAbsent: true) })
        let dirty = HostMemory.format.dirtyMask
        #expect((0..<pages).allSatisfy { (host.memory.table.leaf(for: $0) & dirty != 0) == ($0 % 2 == 0) }, "Dirty on written pages only")
    }

    /// `mmu_invalidate_seq`: a zap between a fault's GUP step and its install makes it retry.
    @Test(arguments: Backends.all.map(\.name))
    func aZapDuringTheGUPStepMakesTheFaultRetry(_ backend: String) throws {
        let pages: UInt64 = 64
        let host = try Self.hostSide(pages: pages)
        let mmu = Backends.named(backend)!.make(MMUConfiguration(gfnCount: pages))
        let vcpu = mmu.makeThread(role: .vcpu)
        let reclaim = mmu.makeThread(role: .zap)
        defer { vcpu.retire(); reclaim.retire() }
        let page = GFNRange(start: 5, count: 1)

        let sequence = mmu.invalidation.snapshot()
        host.memory.faultIn(5, write: false)
        mmu.invalidate(page, thread: reclaim) { host.memory.unmap(page) }
        #expect(mmu.handleFault(5, write: false, sequence: sequence, thread: vcpu) == .retry)
        #expect(mmu.mappingCount(in: page, thread: vcpu) == 0, "nothing installed for a page the host unmapped")
        #expect(vcpu.events.faultRetries == 1)

        // The vCPU's own loop re-enters, faults again and installs.
        vcpu.enterReadSide()
        #expect(mmu.accessFaulting(5, write: false, thread: vcpu, host: host) == 1)
        vcpu.exitReadSide()
        #expect(mmu.mappingCount(in: page, thread: vcpu) >= 1)
        #expect(host.memory.folios.flags(of: 5) & FolioTable.onLRU != 0)
    }

    /// Half the guest present (every other half-window): each mode asks only about those pages.
    @Test(arguments: [
        ("x86-tdp", DriverMode.perPage, 128, 128),
        ("x86-tdp", DriverMode.bitmap, 8, 4),
        ("x86-tdp", DriverMode.evictionOnly, 0, 0),
        ("baseline", DriverMode.perPage, 128, 128),
        ("baseline", DriverMode.bitmap, 4 + 128, 4 + 128),
    ])
    func theDriverAsksOnlyAboutPresentHostPages(_ backend: String, _ mode: DriverMode, _ firstPass: Int, _ secondPass: Int) throws {
        let pages: UInt64 = 256
        let host = try Self.hostSide(pages: pages)
        let mmu = Backends.named(backend)!.make(MMUConfiguration(gfnCount: pages))
        // A non-present host PTE that is not empty (a swap entry, say): aging must leave it be.
        let swapEntry: UInt64 = 0x0000_0012_3400_0040
        let vcpu = mmu.makeThread(role: .vcpu)
        vcpu.enterReadSide()
        for gfn in 0..<pages {
            if (gfn / 32) % 2 == 0 {
                mmu.accessFaulting(gfn, write: false, thread: vcpu, host: host)
            } else {
                host.memory.table.install(swapEntry, at: gfn)
            }
        }
        vcpu.exitReadSide()
        vcpu.retire()

        let report = Self.twoPasses(mmu, pages: pages, mode: mode, host: host)
        #expect(report.calls == [UInt64(firstPass), UInt64(firstPass + secondPass)])
        #expect(report.pagesAged == 2 * 128)
        // Every present page was young (its host PTE from the fault), none since: all promoted once.
        #expect(report.youngPages == [128, 128])
        for gfn in 0..<pages where (gfn / 32) % 2 == 0 {
            #expect(host.memory.folios.generation(of: gfn) == host.memory.youngestGeneration - 1)
        }
        for gfn in 0..<pages where (gfn / 32) % 2 == 1 {
            #expect(host.memory.table.leaf(for: gfn) == swapEntry)
            #expect(host.memory.folios.flags(of: gfn) == 0)
        }
    }

    /// Two passes of a fresh driver: notifier calls and young pages after each, pages aged in all.
    static func twoPasses<MMU: SecondaryMMU>(
        _ mmu: MMU, pages: UInt64, mode: DriverMode, host: HostSide
    ) -> (calls: [UInt64], youngPages: [UInt64], pagesAged: UInt64) {
        var driver = AgingDriver(
            mmu: mmu, thread: mmu.makeThread(role: .aging), guestPages: pages, windowPages: 64,
            evictAfter: 0, mode: mode, host: host)
        var calls: [UInt64] = []
        var young: [UInt64] = []
        for _ in 0..<2 {
            driver.runPass()
            calls.append(driver.notifierCalls)
            young.append(driver.youngPages)
        }
        driver.thread.retire()
        return (calls, young, driver.pagesAged)
    }

    /// A page the vCPU touched since the last pass is young through the secondary MMU only
    /// (its host PTE is old): per-page and bitmap aging promote its folio, eviction-only does not.
    @Test(arguments: [DriverMode.perPage, .bitmap, .evictionOnly])
    func agingPromotesFoliosTheGuestTouched(_ mode: DriverMode) throws {
        let pages: UInt64 = 128
        let host = try Self.hostSide(pages: pages)
        let mmu = Self.tdp(pages: pages)
        let vcpu = mmu.makeThread(role: .vcpu)
        vcpu.enterReadSide()
        for gfn in 0..<pages { mmu.accessFaulting(gfn, write: false, thread: vcpu, host: host) }
        vcpu.exitReadSide()
        var driver = AgingDriver(
            mmu: mmu, thread: mmu.makeThread(role: .aging), guestPages: pages, windowPages: 64,
            evictAfter: 0, mode: mode, host: host)
        driver.runPass()
        let firstGeneration = host.memory.youngestGeneration
        vcpu.enterReadSide()
        _ = mmu.access(7, write: false, thread: vcpu)
        vcpu.exitReadSide()
        driver.runPass()
        let touched = host.memory.folios.generation(of: 7)
        #expect(touched == (mode == .evictionOnly ? firstGeneration : host.memory.youngestGeneration))
        #expect(host.memory.folios.generation(of: 8) == firstGeneration)
        vcpu.retire()
        driver.thread.retire()
    }

    /// `non_a_bit_changes` is measured: one corrupted leaf shows in the row and fails the run.
    @Test func aCorruptedLeafIsReportedAndFailsTheRun() throws {
        let pages: UInt64 = 256
        let probe = ProbeMMU(Self.tdp(pages: pages))
        probe.afterFault = { gfn, outcome in
            // A bit aging must never touch: the page frame's top bit.
            if gfn == 3 && outcome == .installed { _ = probe.inner.table.slot(for: gfn)!.setBits(1 << 51) }
        }
        var settings = WorkloadSettings()
        settings.rounds = 1
        let cell = SweepCell(backend: "x86-tdp", memoryPerVCPU: try ByteSize(parsing: "1M"), vcpus: 1, aging: true, repetition: 0, index: 0)
        let context = RunContext(commit: "c", host: "h", cpuModel: "m", cores: 2, build: "debug", timestamp: "t", executable: "e")
        let record = try CellRunner.run(cell, mmu: probe, host: try Self.hostSide(pages: pages), backend: "x86-tdp", settings: settings, context: context)
        #expect(record.nonABitChanges == 1)
        #expect(RunCommand.invariantOutcome([record], outputPath: "x.csv")?.status == .invariantViolated)
        #expect(ExitStatus.invariantViolated.rawValue == 3)
        var clean = record
        clean.nonABitChanges = 0
        #expect(RunCommand.invariantOutcome([clean], outputPath: "x.csv") == nil)
    }

    /// `calibrate` writes a file; `run --calibration` reads it back into every row.
    @Test func calibrateWritesAFileThatRunReadsBack() throws {
        let directory = makeScratchDirectory()
        let file = directory.appendingPathComponent("calibration.json").path
        #expect(AgingBenchMain.run([
            "calibrate", "--memory", "1M", "--populate-s", "0.5", "--pass-ms", "2",
            "--repetitions", "1", "--quiet", "--output", file,
        ]).0 == .success)
        let calibration = try Calibration.load(from: file)
        #expect(calibration.memoryBytes == 1 << 20)
        #expect(calibration.faultRemainderNanos > 0)
        let engine = try #require(calibration.engine, "calibrate measures the virtual engine's costs")
        let report = CalibrateCommand.report(calibration, path: file)
        #expect(report.contains(String(format: "%.1f", locale: nil, engine.lockPairNanos)))
        for backend in Backends.all.map(\.name) { #expect(report.contains("| \(backend) "), "\(backend)") }
        let csv = directory.appendingPathComponent("run.csv").path
        #expect(AgingBenchMain.run([
            "run", "--backends", "x86-tdp", "--memory", "64K", "--vcpus", "1", "--aging", "on",
            "--repetitions", "1", "--rounds", "1", "--calibration", file, "--quiet", "--output", csv,
        ]).0 == .success)
        let rows = try csvRows(try String(contentsOfFile: csv, encoding: .utf8))
        #expect(rows.count == 1)
        for row in rows {
            #expect(row["costs"] == "calibrated")
            #expect(row["calibration"] == calibration.id)
            #expect(Double(row["fault_remainder_ns"]!) == calibration.faultRemainderNanos)
            #expect(Double(row["age_remainder_ns"]!) == calibration.agingRemainderNanosPerPage)
        }
        #expect(AgingBenchMain.run(["run", "--calibration", directory.appendingPathComponent("none.json").path, "--output", csv]).0 == .badInput)
    }
}

extension SecondaryMMU {
    /// Mappings of the gfns of `range` (an aliased gfn counts twice).
    func mappingCount(in range: GFNRange, thread: HostThread) -> Int {
        var count = 0
        forEachMapping(in: range, thread: thread) { _, _ in count += 1 }
        return count
    }
}
