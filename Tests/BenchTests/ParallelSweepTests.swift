@testable import Bench
@testable import Results
import Backends
import Core
import Foundation
import Testing

/// `--jobs`: virtual-engine cells on several threads give the rows a serial run gives, in plan
/// order; an interrupted parallel sweep keeps a prefix of its cells; memory bounds the workers.
@Suite(.scratchCleanup) struct ParallelSweepTests {
    /// 2 backends × 2 vCPU counts × aging on and off, on tiny guests: 8 cells.
    static func plan() throws -> SweepPlan {
        try SweepPlan(
            backends: ["x86-tdp", "baseline"], memorySizes: [ByteSize(parsing: "1M")], vcpuCounts: [1, 4],
            aging: [true, false], repetitions: 1)
    }

    static func runner(jobs: Int, _ settings: WorkloadSettings) throws -> SweepRunner {
        var runner = SweepRunner(plan: try plan(), settings: settings, context: VirtualEngineTests.context, quiet: true)
        runner.jobs = jobs
        return runner
    }

    /// Each schedule, and with the unmapping agent: everything a cell does comes from the cell and
    /// the settings, so a row cannot depend on which thread ran it or what ran beside it.
    @Test(arguments: Schedule.allCases, [0.0, 20_000])
    func parallelCellsGiveTheSerialRowsInPlanOrder(_ schedule: Schedule, unmapEveryNanos: Double) throws {
        var settings = VirtualEngineTests.settings(.virtual, schedule: schedule)
        settings.unmapEveryNanos = unmapEveryNanos
        let serialRunner = try Self.runner(jobs: 1, settings)
        let parallelRunner = try Self.runner(jobs: 2, settings)
        #expect(parallelRunner.workerCount(for: parallelRunner.plan.cells) == 2, "the parallel path runs")
        let serial = try serialRunner.run().map(VirtualEngineTests.csvLine)
        let parallel = try parallelRunner.run().map(VirtualEngineTests.csvLine)
        #expect(serial.count == 8)
        #expect(parallel == serial)

        let records = try parallelRunner.run()
        let coordinates = records.map { "\($0.backend)/\($0.vcpus)/\($0.aging)" }
        let planned = parallelRunner.plan.cells.map { "\($0.backend)/\($0.vcpus)/\($0.agingLabel(agingOnly: false))" }
        #expect(coordinates == planned, "in plan order")
    }

    /// As serially: asked once before each cell starts; once it says stop, the cells running finish
    /// and are kept, and they are the first ones; a resumed run adds the rest with the same rows.
    @Test func anInterruptedParallelSweepKeepsAPrefixAndResumesToTheSameRows() throws {
        let settings = VirtualEngineTests.settings(.virtual)
        let runner = try Self.runner(jobs: 2, settings)
        let whole = try Self.runner(jobs: 1, settings).run().map(VirtualEngineTests.csvLine)
        var asked = 0
        let firstThree = try runner.run { asked += 1; return asked > 3 }
        #expect(asked == 4, "asked before each of three cells, and then told to stop")
        #expect(firstThree.map(VirtualEngineTests.csvLine) == Array(whole.prefix(3)))
        let rest = try runner.run(skipping: Set(runner.plan.cells.prefix(3).map(\.index)))
        #expect((firstThree + rest).map(VirtualEngineTests.csvLine) == whole)
    }

    /// Real-engine cells and instruction counts run alone, whatever `jobs` says.
    @Test func onlyVirtualCellsInTimeRunSideBySide() throws {
        var real = WorkloadSettings()
        real.engine = .real
        #expect(try Self.runner(jobs: 4, real).workerCount(for: try Self.plan().cells) == 1)
        var counted = VirtualEngineTests.settings(.virtual)
        counted.countInstructions = true
        #expect(!SweepRunner.runsInParallel(counted))
        let virtual = VirtualEngineTests.settings(.virtual)
        #expect(try Self.runner(jobs: 4, virtual).workerCount(for: try Self.plan().cells) == 4)
        #expect(try Self.runner(jobs: 16, virtual).workerCount(for: try Self.plan().cells) == 8, "no more workers than cells")
    }

    /// Workers are reduced until the largest cells fit side by side; one always runs.
    @Test func theLargestCellsSideBySideBoundTheWorkers() throws {
        let cells = try SweepPlan(
            backends: ["x86-tdp"], memorySizes: [ByteSize(parsing: "1G")], vcpuCounts: [1, 16, 112, 64],
            aging: [true], repetitions: 1).cells
        func bytes(_ vcpus: UInt64) -> UInt64 {
            MemoryEstimate.bytes(guestPages: vcpus << 18, structure: .radix, hostSide: true, frames: false)
        }
        let twoLargest = bytes(112) + bytes(64)
        func fitting(_ jobs: Int, limit: UInt64) -> Int {
            MemoryEstimate.concurrentCells(cells, jobs: jobs, hostSide: true, frames: false, limit: limit)
        }
        #expect(fitting(2, limit: twoLargest) == 2)
        #expect(fitting(4, limit: twoLargest) == 2, "a third large cell would not fit")
        #expect(fitting(4, limit: twoLargest - 1) == 1)
        #expect(fitting(4, limit: 0) == 1, "whether one cell fits is check's question")
        #expect(fitting(4, limit: .max) == 4)
        #expect(bytes(112) > 2 << 30, "a 112-vCPU × 1 GiB cell's host side is gigabytes, unbacked or not")
    }

    /// The command line: `--jobs 1` and `--jobs 2` write the same rows (apart from when and how
    /// the run was started), progress says which cell finished, and `--jobs` is checked.
    @Test func jobsOnTheCommandLine() throws {
        let directory = makeScratchDirectory()
        let calibration = try VirtualEngineTests.calibrationFixture(in: directory)
        let sweep = [
            "run", "--engine", "virtual", "--calibration", calibration, "--backends", "x86-tdp,baseline",
            "--memory", "1M", "--vcpus", "1,4", "--aging", "on,off", "--repetitions", "1", "--rounds", "2",
        ]
        var outputs: [[[String: String]]] = []
        for jobs in ["1", "2"] {
            let output = directory.appendingPathComponent("jobs\(jobs).csv").path
            let (status, errors) = try runBinary(sweep + ["--jobs", jobs, "--output", output])
            #expect(status == 0, "\(errors)")
            let progress = errors.split(separator: "\n").filter { $0.hasPrefix("agingbench: [cell ") }
            #expect(progress.count == 8, "one line per finished cell: \(errors)")
            if jobs == "2" {
                #expect(progress.allSatisfy { $0.contains(" finished] ") }, "\(progress)")
                #expect(progress.last?.hasPrefix("agingbench: [cell 8/8 finished]") == true)
            }
            // When the run ended and the command that started it are the only columns that may differ.
            outputs.append(try csvRows(String(contentsOfFile: output, encoding: .utf8)).map {
                $0.filter { $0.key != "timestamp" && $0.key != "command" }
            })
        }
        #expect(outputs[0].count == 8)
        #expect(outputs[0] == outputs[1])

        for (arguments, expected) in [
            (["--jobs", "0"], "--jobs 0 is out of range: expected at least 1"),
            (["--jobs", "-3"], "--jobs -3 is out of range: expected at least 1"),
        ] {
            let (status, errors) = try runBinary(sweep + arguments + ["--output", directory.appendingPathComponent("bad.csv").path])
            #expect(status == 2)
            #expect(errors.split(separator: "\n").filter { !$0.contains("DEBUG build") } == ["agingbench: error: \(expected)"])
        }
        let (status, errors) = try runBinary(["run", "--engine", "real", "--jobs", "2", "--costs", "raw", "--memory", "64K"])
        #expect(status == 2)
        #expect(errors.split(separator: "\n").count == 1 && errors.contains("--jobs 2") && errors.contains("--engine virtual"), "\(errors)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("bad.csv").path))
    }
}
