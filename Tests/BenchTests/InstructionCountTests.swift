import Foundation
import Testing
@testable import Bench
@testable import Results
#if canImport(Glibc)
import Glibc
#endif

/// Whether valgrind can count this test run's binary: it is on PATH, and no sanitizer's runtime
/// is loaded (valgrind cannot run a ThreadSanitizer or AddressSanitizer build).
private var valgrindCanCount: Bool {
    let runtimes: [String] = ["__tsan_init", "__asan_init"]
    // A null handle is RTLD_DEFAULT: every object the process has loaded.
    let sanitized = runtimes.contains { name in dlsym(nil, name) != nil }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    return !sanitized && path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/valgrind") }
}

@Suite(.scratchCleanup) struct InstructionCountTests {
    @Test func countingRefusesWhatItCannotCountExactly() throws {
        let output = makeScratchDirectory().appendingPathComponent("i.csv").path
        let base = ["run", "--count", "instructions", "--output", output, "--backends", "x86-tdp", "--memory", "1M"]
        for (extra, message) in [
            (["--costs", "raw", "--vcpus", "1"], "it needs --aging-only"),
            (["--aging-only", "--vcpus", "1"], "it needs --costs raw"),
            (["--aging-only", "--costs", "raw", "--vcpus", "1,2"], "it needs --vcpus 1"),
            (["--aging-only", "--costs", "raw", "--vcpus", "1", "--ad-off"], "--ad-off adds faults between passes"),
        ] {
            let (status, errors) = try runBinary(base + extra)
            #expect(status == 2, "\(extra)")
            #expect(errors.contains(message) && errors.split(separator: "\n").count == 1, "\(errors)")
        }
        let (status, errors) = try runBinary(["run", "--count", "cycles", "--output", output])
        #expect(status == 2 && errors.contains("invalid count 'cycles': expected times or instructions"))
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func theTotalIsReadFromACallgrindProfile() {
        let profile = "# callgrind format\nversion: 1\nevents: Ir\nsummary: 5621899\n\nfn=(1) main\n0 5\ntotals: 5621899\n"
        #expect(InstructionCounter.total(callgrindOutput: profile) == 5_621_899)
        #expect(InstructionCounter.total(callgrindOutput: "events: Ir\n") == nil)
    }

    @Test(.enabled(if: valgrindCanCount, "valgrind is not on PATH, or this is a sanitizer build"))
    func aCountedCellHasItsInstructionsAndNoTimes() throws {
        let output = makeScratchDirectory().appendingPathComponent("i.csv").path
        let (status, errors) = try runBinary([
            "run", "--count", "instructions", "--aging-only", "--costs", "raw", "--vcpus", "1", "--memory", "1M",
            "--passes", "1", "--repetitions", "2", "--backends", "x86-tdp,baseline", "--quiet", "--output", output,
        ])
        #expect(status == 0, "\(errors)")
        let rows = try ResultTable.load(path: output).rows
        #expect(rows.count == 4)
        for row in rows {
            #expect(row["engine"] == "callgrind" && row["schema"] == String(RunRecord.schemaVersion))
            let perPage = try #require(row.number("instructions_per_aged_page")), perCall = try #require(row.number("instructions_per_notifier_call"))
            #expect(try #require(row.number("instructions_per_fault")) > 0 && perPage > 0)
            // One count of the passes, divided two ways: by pages and by calls.
            let pages = try #require(row.number("pages_aged")), calls = try #require(row.number("notifier_calls"))
            #expect(abs(perCall * calls - perPage * pages) <= 1e-6 * perPage * pages)
            #expect(row.number("pass_avg_s")?.isNaN == true && row.number("populate_s")?.isNaN == true)
        }
        // The per-page baseline makes one call per page; the bitmap backend one per 64-page window.
        let baseline = try #require(rows.first { $0["backend"] == "baseline" })
        #expect(baseline.number("instructions_per_notifier_call") == baseline.number("instructions_per_aged_page"))
        // Both counts repeat within what the gate calls holding still.
        for backend in ["x86-tdp", "baseline"] {
            let pair = rows.filter { $0["backend"] == backend }
            for column in ["instructions_per_aged_page", "instructions_per_fault"] {
                let values = pair.compactMap { $0.number(column) }
                #expect(values.count == 2 && Comparer.relativeSpread(values) <= CompareMetric.negligibleSpread, "\(backend) \(column) \(values)")
            }
        }
    }
}
