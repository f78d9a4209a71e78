import Foundation
import Results

/// Counts a cell's instructions under valgrind's callgrind (`run --count instructions`): per fault
/// of the populate, per aged page and per notifier call of the aging passes.
///
/// Contract: each cell runs twice in a child process, this executable's `run` of the same
/// `--aging-only --costs raw` cell at one vCPU, under callgrind with collection switched on only
/// inside `CountedRegion`: once counting the populate, once the timed aging passes. One thread at a
/// time does the counted work (one vCPU populating; the passes on the main thread), so a count
/// repeats: two runs of one build agree to 1e-4 (docs/ci-gate.md). The row is the aging child's,
/// with `engine` "callgrind", the three instruction columns filled, and every timed column blanked
/// (NaN, or 0 for the integer ones), since valgrind runs the code some 50× slower. The child runs a
/// copy of this executable stripped of its debug information (`strip --strip-debug`): Debian's
/// valgrind 3.19 refuses the release build's. Valgrind and strip are looked up on `PATH`.
final class InstructionCounter {
    /// The engine label of a counted row.
    static let engineLabel = EngineLabel.callgrind

    private let valgrind: String
    private let executable: String
    private let directory: URL

    private init(valgrind: String, executable: String, directory: URL) {
        self.valgrind = valgrind
        self.executable = executable
        self.directory = directory
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Finds valgrind and strip, and makes the stripped copy of this executable.
    static func prepare() throws(InputError) -> InstructionCounter {
        guard let valgrind = onPath("valgrind") else {
            throw InputError("--count instructions needs valgrind on PATH (Debian: apt-get install valgrind)")
        }
        guard let strip = onPath("strip") else {
            throw InputError("--count instructions needs strip on PATH (Debian: apt-get install binutils)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agingbench-count-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw InputError("cannot create \(directory.path): \(error.localizedDescription)")
        }
        let counter = InstructionCounter(
            valgrind: valgrind, executable: directory.appendingPathComponent("agingbench").path, directory: directory)
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let (status, errors) = Subprocess.run(strip, ["--strip-debug", "-o", counter.executable, me], environment: [:])
        guard status == 0 else {
            throw InputError("strip --strip-debug of \(me) failed (exit \(status)): \(Subprocess.lastLine(errors))")
        }
        return counter
    }

    /// The counted row of `cell`.
    func count(_ cell: SweepCell, settings: WorkloadSettings, context: RunContext) throws(InputError) -> RunRecord {
        var totals: [CountedRegion: Double] = [:]
        var rows: [CountedRegion: RunRecord] = [:]
        for phase in CountedRegion.allCases {
            let output = directory.appendingPathComponent("\(phase.rawValue).csv").path
            let profile = directory.appendingPathComponent("\(phase.rawValue).callgrind").path
            let arguments = [
                "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=agingbench_counted_region",
                "--toggle-collect=agingbench_uncounted_region",
                "--callgrind-out-file=\(profile)", executable,
            ] + Self.childArguments(cell, settings: settings, output: output)
            let (status, errors) = Subprocess.run(valgrind, arguments, environment: [
                CountedRegion.environmentVariable: phase.rawValue,
                // Swift seeds its hashing per process; a fixed seed makes every run take one path.
                "SWIFT_DETERMINISTIC_HASHING": "1",
            ])
            guard status == 0 else {
                throw InputError("callgrind run of \(cell.backend) (\(phase.rawValue)) failed (exit \(status)): \(Subprocess.lastLine(errors))")
            }
            do {
                let text = try String(contentsOfFile: profile, encoding: .utf8)
                guard let total = Self.total(callgrindOutput: text) else {
                    throw InputError("\(profile): no 'totals:' line (not a callgrind profile)")
                }
                totals[phase] = total
                rows[phase] = try CSVWriter.records(try String(contentsOfFile: output, encoding: .utf8), what: output).first
            } catch let error as InputError {
                throw error
            } catch {
                throw InputError("cannot read the callgrind run's output: \(error.localizedDescription)")
            }
        }
        guard var record = rows[.aging], let populate = rows[.populate],
              let agingTotal = totals[.aging], let populateTotal = totals[.populate] else {
            throw InputError("callgrind run of \(cell.backend) wrote no row")
        }
        record.instructionsPerFault = populate.faults > 0 ? populateTotal / Double(populate.faults) : .nan
        record.instructionsPerAgedPage = record.pagesAged > 0 ? agingTotal / Double(record.pagesAged) : .nan
        record.instructionsPerNotifierCall = record.notifierCalls > 0 ? agingTotal / Double(record.notifierCalls) : .nan
        record.engine = Self.engineLabel
        record.repetition = cell.repetition
        record.command = context.commandLine
        record.timestamp = context.timestamp
        record.blankTimes()
        return record
    }

    /// The child's `run` arguments: the cell alone, at one repetition.
    static func childArguments(_ cell: SweepCell, settings: WorkloadSettings, output: String) -> [String] {
        [
            "run", "--backends", cell.backend, "--memory", cell.memoryPerVCPU.description, "--vcpus", String(cell.vcpus),
            "--aging-only", "--costs", "raw", "--passes", String(settings.agingOnlyPasses), "--seed", String(settings.seed),
            "--tlb-entries", String(settings.tlbEntries), "--driver", settings.driver?.rawValue ?? "default",
            "--repetitions", "1", "--quiet", "--output", output,
        ]
    }

    /// The `totals:` figure of a callgrind profile (the events collected: instructions).
    static func total(callgrindOutput text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix("totals:") {
            return line.dropFirst("totals:".count).split(separator: " ").first.flatMap { Double($0) }
        }
        return nil
    }

    private static func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

extension RunRecord {
    /// Blanks every column that times something: NaN for the seconds and ratios, 0 for the
    /// integer nanoseconds. What stays is what a counted run measures exactly.
    mutating func blankTimes() {
        for keyPath in [\RunRecord.populateSeconds, \.vcpuWallSeconds, \.vcpuCPUSeconds, \.passAverageSeconds,
                        \.pagesAgedPerSecond, \.limitPassSeconds, \.passVsLimit] {
            self[keyPath: keyPath] = .nan
        }
        for keyPath in [\RunRecord.faultP50Nanos, \.faultP99Nanos, \.faultP999Nanos, \.faultMaxNanos, \.vcpuLockWaitNanos,
                        \.agingLockWaitNanos, \.agingLockHoldNanos, \.shootdownWaitNanos] {
            self[keyPath: keyPath] = 0
        }
    }
}
