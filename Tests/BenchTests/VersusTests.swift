import Core
import Foundation
import Testing
@testable import Bench
@testable import Results

/// A results file of `backends` × `configurations` (vCPU counts) × `repetitions`, one run, with
/// `pass_avg_s` and `fault_p99_ns` from `value(backend, vcpus, repetition, metric)`.
private func syntheticResults(
    backends: [String], vcpus: [Int] = [1], repetitions: Int, engine: String = "real",
    timestamp: (String) -> String = { _ in "2026-12-06T00:00:00Z" },
    value: (String, Int, Int, String) -> Double
) -> ResultTable {
    var lines = ["schema,timestamp,commit,host,backend,variant,memory_per_vcpu_bytes,vcpus,aging,repetition,driver,engine,aging_passes,pass_avg_s,fault_p99_ns"]
    for repetition in 0..<repetitions {
        for count in vcpus {
            for backend in backends {
                let driver = backend == "x86-tdp" ? "bitmap" : "per-page"
                let pass = value(backend, count, repetition, "pass_avg_s"), p99 = value(backend, count, repetition, "fault_p99_ns")
                lines.append("5,\(timestamp(backend)),abc,host,\(backend),default,1048576,\(count),on,\(repetition),\(driver),\(engine),10,\(pass),\(p99)")
            }
        }
    }
    return try! ResultTable.parse(Array((lines.joined(separator: "\n") + "\n").utf8), name: "synthetic.csv")
}

/// Multiplicative noise in [1 − spread, 1 + spread], from a seeded generator.
private struct Noise {
    var generator: SplitMix64
    let spread: Double
    init(seed: UInt64, spread: Double) {
        generator = SplitMix64(seed: seed)
        self.spread = spread
    }
    mutating func next() -> Double { 1 + Double.random(in: -spread...spread, using: &generator) }
}

@Suite(.scratchCleanup) struct VersusTests {
    @Test func aBackendTwentyPercentSlowerIsFoundSlowerAtRatioOnePointTwo() throws {
        var noise = Noise(seed: 7, spread: 0.03)
        var base: [Int: Double] = [:]
        let table = syntheticResults(backends: ["x86-tdp", "baseline"], repetitions: 12) { backend, _, repetition, _ in
            // The reference moves with the machine from repetition to repetition; the other follows it × 1.2.
            let level = base[repetition] ?? { let drawn = 0.01 * (1 + 0.5 * Double(repetition % 4)); base[repetition] = drawn; return drawn }()
            return backend == "x86-tdp" ? level * noise.next() : level * 1.2 * noise.next()
        }
        var settings = BackendVersus.Settings(backends: ["x86-tdp", "baseline"])
        settings.metrics = ["pass_avg_s"]
        let report = try BackendVersus.compare(table, settings: settings)
        let comparison = try #require(report.comparisons.first)
        #expect(report.comparisons.count == 1)
        #expect(abs(try #require(comparison.ratio) / 1.2 - 1) < 0.02, "ratio \(comparison.ratio ?? .nan)")
        #expect(comparison.verdict == .slower)
        let interval = try #require(comparison.interval)
        #expect(interval.lower > 1.1 && interval.upper < 1.3, "\(interval)")
        let line = try #require(report.markdown().split(separator: "\n").first { $0.hasPrefix("- ") })
        #expect(line.contains("pass_avg_s: 1.") && line.contains("], slower (p "), "\(line)")
    }

    @Test func aBackendAgainstItsTwinIsNotSeparableWithAnIntervalAroundOne() throws {
        // The twin's ratios to the reference are noise symmetric about 1 on a log scale: six drawn
        // factors and their inverses, the reference itself moving with the machine.
        var noise = Noise(seed: 11, spread: 0.05)
        let drawn = (0..<6).map { _ in noise.next() }
        let factors = drawn + drawn.map { 1 / $0 }
        let levels = (0..<12).map { _ in 0.01 * noise.next() }
        let table = syntheticResults(backends: ["x86-tdp", "twin"], repetitions: 12) { backend, _, repetition, _ in
            backend == "x86-tdp" ? levels[repetition] : levels[repetition] * factors[repetition]
        }
        var settings = BackendVersus.Settings(backends: ["x86-tdp", "twin"])
        settings.metrics = ["pass_avg_s"]
        let comparison = try #require(try BackendVersus.compare(table, settings: settings).comparisons.first)
        #expect(comparison.verdict == .notSeparable)
        let interval = try #require(comparison.interval)
        #expect(interval.lower < 1 && interval.upper > 1, "\(interval)")
        #expect(abs(try #require(comparison.test).confidence - 0.95) < 0.01)
    }

    /// The docs: Holm runs over every tested comparison (configurations × metrics × backends other
    /// than the reference); virtual-time rows are exact and outside it.
    @Test func theHolmFamilyIsEveryTestedComparison() throws {
        var noise = Noise(seed: 3, spread: 0.1)
        let table = syntheticResults(backends: ["x86-tdp", "baseline", "arm64-stage2"], vcpus: [1, 2], repetitions: 6) { _, _, _, _ in noise.next() }
        var settings = BackendVersus.Settings(backends: ["x86-tdp", "baseline", "arm64-stage2"])
        settings.metrics = ["pass_avg_s", "fault_p99_ns"]
        let report = try BackendVersus.compare(table, settings: settings)
        #expect(report.familySize == 2 * 2 * 2)
        #expect(report.comparisons.count == 8)
        let adjusted = HolmAdjustment.adjust(report.comparisons.map { $0.test?.p ?? 1 })
        #expect(report.comparisons.map(\.adjustedP) == adjusted)
        #expect(report.markdown().contains("Holm over 8 comparisons"))

        let virtual = syntheticResults(backends: ["x86-tdp", "baseline"], repetitions: 1, engine: "virtual") { backend, _, _, _ in
            backend == "x86-tdp" ? 2 : 3
        }
        var virtualSettings = BackendVersus.Settings(backends: ["x86-tdp", "baseline"])
        virtualSettings.metrics = ["pass_avg_s"]
        let exact = try BackendVersus.compare(virtual, settings: virtualSettings)
        #expect(exact.familySize == 0)
        #expect(exact.comparisons.first?.verdict == .exact)
        #expect(exact.comparisons.first?.ratio == 1.5)
    }

    @Test func theSignedRankTestAndIntervalMatchTheirTables() throws {
        // Five positive differences: the one most extreme pattern of 32 on each side.
        let five = try #require(SignedRank.test([1, 2, 3, 4, 5]))
        #expect(five.p == 2.0 / 32)
        #expect(five.estimate == 3)
        #expect(five.lower == 1 && five.upper == 5 && five.confidence == 1 - 2.0 / 32)
        // Ten pairs: the two-sided 5% critical value of T is 8 (P(T ≤ 8) = 25/1024), so the 95%
        // interval runs from the 9th smallest Walsh average to the 9th largest.
        let differences = (1...10).map(Double.init)
        let ten = try #require(SignedRank.test(differences))
        let walsh = SignedRank.walshAverages(differences)
        #expect(ten.lower == walsh[8] && ten.upper == walsh[walsh.count - 9])
        #expect(abs(ten.confidence - (1 - 2 * 25.0 / 1024)) < 1e-12)
        // All zeros: nothing to test.
        #expect(SignedRank.test([0, 0, 0])?.p == 1)
    }

    @Test func badRequestsAreOneLineAndExitTwo() throws {
        let directory = makeScratchDirectory()
        let file = directory.appendingPathComponent("r.csv").path
        #expect(runTinySweep(output: file) == .success)
        let unpaired = directory.appendingPathComponent("unpaired.csv").path
        var lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        let timestamp = try #require(header.firstIndex(of: "timestamp")), backend = try #require(header.firstIndex(of: "backend"))
        for index in lines.indices.dropFirst() {
            var fields = lines[index].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if fields[backend] == "baseline" { fields[timestamp] = "2000-01-01T00:00:00Z" }
            lines[index] = fields.joined(separator: ",")
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: unpaired, atomically: true, encoding: .utf8)

        for (arguments, message) in [
            (["versus", file, "--backends", "x86-tdp,ppc64-radix"], "backend 'ppc64-radix' is not in the file"),
            (["versus", file, "--backends", "x86-tdp"], "needs at least two backends"),
            (["versus", unpaired], "nothing to pair"),
            (["versus", file, "--metrics", "speed"], "unknown metric 'speed'"),
        ] {
            let (status, errors) = try runBinary(arguments)
            #expect(status == 2, "\(arguments)")
            #expect(errors.split(separator: "\n").count == 1 && errors.contains(message), "\(arguments): \(errors)")
        }
    }

    @Test func theCommandWritesMarkdownCSVJSONAndAForestPlot() throws {
        let directory = makeScratchDirectory()
        let file = directory.appendingPathComponent("r.csv").path
        #expect(runTinySweep(output: file) == .success)
        let csv = directory.appendingPathComponent("v.csv").path, json = directory.appendingPathComponent("v.json").path
        let svg = directory.appendingPathComponent("v.svg").path
        let (status, out, errors) = try runBinaryCapturing(["versus", file, "--csv", csv, "--json", json, "--plot", svg])
        #expect(status == 0, "\(errors)")
        #expect(out.contains("### baseline (driver per-page) vs x86-tdp (driver bitmap)"))
        // The tiny sweep: 2 sizes × 2 vCPU counts × aging on/off, 2 repetitions.
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(rows.first?.hasPrefix(BackendVersus.Report.csvColumns.joined(separator: ",")) == true)
        #expect(rows.count - 1 == out.split(separator: "\n").filter { $0.hasPrefix("- ") }.count)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        #expect((object["comparisons"] as? [Any])?.count == rows.count - 1)
        let plot = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(plot.hasPrefix("<svg") && plot.contains("pass_avg_s: other ÷ x86-tdp") && plot.contains("stroke-dasharray"))
    }
}
