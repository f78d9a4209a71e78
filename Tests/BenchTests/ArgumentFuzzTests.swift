import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SplitMix64: a small seeded generator, so every run feeds the same argument lists.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Values for each option: valid ones, ones at their limits, and ones just and far beyond.
/// Memory sizes that would pass are all tiny, so a generated sweep that runs finishes quickly or
/// is interrupted (every sweep is small enough to finish its cell in progress at once).
private let optionValues: [String: [String]] = [
    "--backends": ["all", "x86-tdp", "x86-tdp,baseline", "", "nonesuch", "x86-tdp,x86-tdp", ",", "x86-tdp\nbaseline"],
    "--memory": ["64K", "4K", "8K,64K", "0", "-1G", "1Q", "1.5G", "99999999999T", "64T", "", "64K,64K", "4097",
                 "18446744073709551615", "16E", "-", "4K "],
    "--vcpus": ["1", "2", "1,2", "0", "-1", "257", "1,1", "x", "", "99999999999999999999999", " 2"],
    "--aging": ["on", "off", "both", "on,off", "sometimes", "", "on,on", "both,on", "ON"],
    "--repetitions": ["1", "2", "0", "-1", "1000", "1001", "abc", "99999999999999999999"],
    "--seed": ["0", "1", "-1", "18446744073709551615", "18446744073709551616", "x", ""],
    "--pattern": ["uniform", "sequential", "hotcold", "zigzag", ""],
    "--requests": ["kv", "chase", "memcached", "", "KV"],
    "--write-percent": ["0", "100", "101", "-1", "50", "1e2"],
    "--rounds": ["1", "0", "100000", "100001", "-5"],
    "--evict-after": ["0", "255", "256", "-1", "3"],
    "--passes": ["1", "0", "100000", "100001", "-1"],
    "--shard": ["1/1", "1/2", "2/2", "3/2", "0/1", "1/0", "5/100", "", "a/b", "1/2/3", "99999999999999999999/1", "-1/2"],
    "--format": ["csv", "json", "markdown", "xml", ""],
    // Never "calibrated": a sweep that found no calibration would calibrate first, for a minute.
    "--costs": ["host-only", "raw", "free", "", "RAW"],
    "--driver": ["default", "eviction-only", "per-page", "bitmap", "sometimes", ""],
    "--calibration": ["{dir}/none.json", "", "{dir}"],
    // Never a valid "virtual" engine or preset: the virtual engine needs a calibration, and a
    // sweep that found none would calibrate first. What is left exercises the refusals.
    "--engine": ["real", "", "imaginary", "VIRTUAL"],
    "--schedule": ["deterministic", "random", "", "chaos"],
    // With the real engine only "host" is accepted; the other profiles exercise the refusal.
    "--machine": ["host", "xeon-8358-2s", "graviton2", "", "nonesuch", "HOST"],
    "--placement": ["spread", "fill", "", "diagonal"],
    "--unmap-every": ["20", "0", "-1", "1e10", "nan", "x"],
    "--preset": ["", "none", "PAPER"],
    "--count": ["times", "instructions", "", "cycles", "INSTRUCTIONS"],
    "--jobs": ["1", "2", "0", "-1", "x", ""],
    "--output": ["{dir}/out.csv", "{dir}/out.json", "-", "", "{dir}", "{dir}/missing/out.csv", "/dev/null", "{dir}/out.md",
                 "{dir}/out.csv/"],
]
private let flags = ["--aging-only", "--ad-off", "--resume", "--quiet", "--bogus", "extra", "--version", "--help"]

/// One generated command line: always a `--memory` (so nothing runs the multi-gigabyte default),
/// a `--costs` (so nothing calibrates) and an `--output` under `directory`'s control, plus a few
/// other options and flags.
private func generateArguments(_ random: inout SplitMix64, directory: String) -> [String] {
    var arguments = random.next() % 4 == 0 ? ["run"] : []
    var names = ["--memory", "--output", "--costs"]
    let others = optionValues.keys.filter { !names.contains($0) }.sorted()
    for _ in 0..<Int(random.next() % 5) {
        names.append(others[Int(random.next() % UInt64(others.count))])
    }
    for name in names.shuffled(using: &random) {
        let values = optionValues[name]!
        let value = values[Int(random.next() % UInt64(values.count))].replacingOccurrences(of: "{dir}", with: directory)
        arguments += [name, value]
    }
    if random.next() % 3 == 0 {
        let flag = flags[Int(random.next() % UInt64(flags.count))]
        arguments.insert(flag, at: Int(random.next() % UInt64(arguments.count + 1)))
    }
    return arguments
}

/// Everything in `directory`, recursively, as relative paths.
private func listing(_ directory: String) -> Set<String> {
    Set(FileManager.default.subpaths(atPath: directory) ?? [])
}

@Suite(.scratchCleanup) struct ArgumentFuzzTests {
    /// Feeds generated argument lists to the built binary. Whatever the arguments: exit 0, 2, or
    /// the interrupt status (a sweep still running after ten seconds gets a SIGINT); never a
    /// crash or a trace; on error exactly one stderr line and no file left behind.
    @Test func generatedArgumentListsNeverCrash() throws {
        let cases = ProcessInfo.processInfo.environment["AGINGBENCH_ARGUMENT_FUZZ_CASES"].flatMap { Int($0) } ?? 80
        var random = SplitMix64(state: 0xA61_0B3)
        var seen: [Int32: Int] = [:]
        for number in 0..<cases {
            let directory = makeScratchDirectory().path
            let arguments = generateArguments(&random, directory: directory)
            let before = listing(directory)
            let errURL = URL(fileURLWithPath: directory).deletingLastPathComponent()
                .appendingPathComponent("\(URL(fileURLWithPath: directory).lastPathComponent).stderr")
            #expect(FileManager.default.createFile(atPath: errURL.path, contents: nil))
            defer { try? FileManager.default.removeItem(at: errURL) }
            let err = try FileHandle(forWritingTo: errURL)
            let process = Process()
            process.executableURL = try agingbenchBinary()
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            try process.run()
            var waited = 0
            var interrupted = false
            while process.isRunning {
                usleep(10_000)
                waited += 1
                // Ten seconds: a tiny sweep of all nine registered backends under ThreadSanitizer
                // takes several, and the one generated sweep that succeeds must get to finish.
                if waited == 1000 {
                    kill(process.processIdentifier, SIGINT)
                    interrupted = true
                }
            }
            try err.close()
            let stderr = try String(contentsOf: errURL, encoding: .utf8)
            let status = process.terminationStatus
            let label = "case \(number): \(arguments)"
            if process.terminationReason == .uncaughtSignal {
                // Only our own SIGINT, arriving before the sweep installed its handlers, may end it.
                #expect(interrupted && status == SIGINT, "\(label) died of signal \(status): \(stderr)")
                continue
            }
            seen[status, default: 0] += 1
            #expect([0, 2].contains(status) || (interrupted && status == 130), "\(label) exited \(status): \(stderr)")
            #expect(!stderr.contains("Fatal error") && !stderr.contains("Stack dump") && !stderr.contains("Current stack trace"),
                    "\(label) trapped: \(stderr)")
            let after = listing(directory)
            #expect(!after.contains { $0.contains(".tmp.") }, "\(label) left a temporary file: \(after)")
            if status == 2 {
                let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
                #expect(lines.count == 1, "\(label) printed \(lines.count) lines: \(stderr)")
                #expect(after == before, "\(label) left files: \(after.subtracting(before))")
            }
        }
        print("argument fuzz: \(cases) cases, statuses \(seen)")
        // The generator reaches both the success and the refusal paths.
        #expect(seen[0, default: 0] > 0 && seen[2, default: 0] > 0, "statuses seen: \(seen)")
    }
}
