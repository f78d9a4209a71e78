import Backends
import Bench
import Results
import Foundation
import Testing

@Suite(.scratchCleanup) struct RunCommandTests {
    @Test func csvHasOneRowPerCellAndReadsBack() throws {
        let directory = makeScratchDirectory()
        let path = directory.appendingPathComponent("run.csv").path
        #expect(runTinySweep(output: path) == .success)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n").first.map(String.init) == RunRecord.columns.joined(separator: ","))
        let rows = try csvRows(text)
        #expect(rows.count == 2 * 2 * 2 * 2 * 2)
        #expect(Set(rows.map(cellKey)).count == rows.count, "every cell exactly once")
        for row in rows {
            #expect(row["schema"] == String(RunRecord.schemaVersion))
            #expect(row["build"] == "debug")
            #expect(row["non_a_bit_changes"] == "0")
            #expect(row["use_after_free"] == "0")
            let pagesPerVCPU = UInt64(row["memory_per_vcpu_bytes"]!)! / 4096
            let vcpus = UInt64(row["vcpus"]!)!
            // populate touches every page once, then one round of accesses
            #expect(UInt64(row["accesses"]!) == pagesPerVCPU * vcpus * 2)
            #expect(UInt64(row["faults"]!)! >= pagesPerVCPU * vcpus)
            let passes = Int(row["aging_passes"]!)!
            #expect(row["aging"] == "off" ? passes == 0 : passes >= 1)
            #expect(row["costs"] == "host-only")
            #expect(UInt64(row["host_pt_bytes"]!)! >= 4 * 4096)
            #expect(UInt64(row["folio_bytes"]!)! == pagesPerVCPU * vcpus * 64)
            #expect(UInt64(row["pt_bytes"]!)! >= 4 * 4096, "root + three levels at least")
            #expect(Double(row["vcpu_wall_s"]!)! > 0)
        }
        let baselineOn = rows.filter { $0["backend"] == "baseline" && $0["aging"] == "on" }
        let tdpOn = rows.filter { $0["backend"] == "x86-tdp" && $0["aging"] == "on" }
        // One call per present page without the bitmap; at most two per 64-page window with it.
        for row in baselineOn {
            #expect(row["driver"] == "per-page")
            #expect(row["notifier_calls"] == row["pages_aged"])
        }
        for row in tdpOn {
            let pages = UInt64(row["memory_per_vcpu_bytes"]!)! / 4096 * UInt64(row["vcpus"]!)!
            #expect(UInt64(row["notifier_calls"]!)! <= UInt64(row["aging_passes"]!)! * 2 * ((pages + 63) / 64))
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["run.csv"], "no temporary file left behind")
    }

    @Test func jsonReadsAsCompareAndTheBenchmarkActionReadIt() throws {
        let path = makeScratchDirectory().appendingPathComponent("run.json").path
        #expect(runTinySweep(output: path, ["--format", "json"]) == .success)
        let tools = try GoogleToolsReader(try String(contentsOfFile: path, encoding: .utf8))
        // 32 cells over 16 names of 2 repetitions, each name with its four aggregates.
        #expect(tools.entries.filter { $0.runType == "iteration" }.count == 32)
        #expect(tools.iterationsByName.count == 16 && tools.iterationsByName.values.allSatisfy { $0.count == 2 })
        #expect(tools.entries.filter { $0.runType == "aggregate" }.count == 16 * 4)
        #expect(tools.entries.allSatisfy { $0.realTime > 0 || $0.aggregate == "stddev" || $0.aggregate == "cv" })
        let csvPath = makeScratchDirectory().appendingPathComponent("run.csv").path
        #expect(runTinySweep(output: csvPath) == .success)
        let rows = try csvRows(try String(contentsOfFile: csvPath, encoding: .utf8))
        // Every CSV metric is a counter.
        let benchmark = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let first = try #require((benchmark["benchmarks"] as? [[String: Any]])?.first)
        for column in rows[0].keys where column != "seed" && Double(rows[0][column]!) != nil {
            #expect(first[column] != nil, "counter \(column) missing")
        }
    }

    @Test func shardsConcatenateIntoTheWholeSweep() throws {
        let directory = makeScratchDirectory()
        let whole = directory.appendingPathComponent("whole.csv").path
        #expect(runTinySweep(output: whole) == .success)
        var concatenated = ""
        for index in 1...3 {
            let path = directory.appendingPathComponent("shard\(index).csv").path
            #expect(runTinySweep(output: path, ["--shard", "\(index)/3"]) == .success)
            concatenated += try String(contentsOfFile: path, encoding: .utf8)
        }
        let shardKeys = try csvRows(concatenated).map(cellKey)
        let wholeKeys = try csvRows(try String(contentsOfFile: whole, encoding: .utf8)).map(cellKey)
        #expect(shardKeys.count == wholeKeys.count)
        #expect(Set(shardKeys) == Set(wholeKeys))
        #expect(Set(shardKeys).count == shardKeys.count, "no cell in two shards")
        // Each shard holds whole comparison groups: both backends, aging on and off.
        for index in 1...3 {
            let rows = try csvRows(try String(contentsOfFile: directory.appendingPathComponent("shard\(index).csv").path, encoding: .utf8))
            let groups = Dictionary(grouping: rows) { [$0["repetition"]!, $0["memory_per_vcpu_bytes"]!, $0["vcpus"]!] }
            #expect(!groups.isEmpty)
            #expect(groups.values.allSatisfy { $0.count == 4 }, "shard \(index) split a comparison group")
        }
    }

    static let badInputs: [[String]] = [
        ["--memory", "1Q"], ["--memory", "0"], ["--memory", "-1G"], ["--backends", "nonesuch"],
        ["--vcpus", "0"], ["--shard", "3/2"], ["--aging", "sometimes"], ["--repetitions", "0"],
        ["--format", "xml"], ["--pattern", "zigzag"], ["--write-percent", "101"], ["--no-such-flag"],
        ["--memory", "1T", "--vcpus", "256"], ["--memory", "64T", "--vcpus", "2"],
        ["--backends", "baseline", "--ad-off"], ["--evict-after", "-1"], ["--rounds", "-1"],
        ["--seed", "-1"], ["--seed", "18446744073709551616"], ["--aging-only", "--aging", "off"],
        ["--aging-only", "--rounds", "2"], ["--aging-only", "--evict-after", "1"], ["--aging-only", "--pattern", "hotcold"],
        ["--aging-only", "--write-percent", "5"], ["--passes", "3"], ["--aging-only", "--passes", "100000000"],
        ["--memory", "64K", "--vcpus", "1", "--aging", "on", "--backends", "x86-tdp", "--repetitions", "1", "--shard", "5/100"],
        ["--repetitions", "1001"], ["--rounds", "100001"], ["--vcpus", "257"], ["--aging", "both,on"],
        ["--output", ""], ["--memory"], ["--shard", ""],
        ["--driver", "sometimes"], ["--costs", "free"], ["--costs", "raw", "--evict-after", "2"],
        ["--costs", "raw", "--calibration", "x.json"], ["--calibration", ""],
        ["--tlb-entries", "100"], ["--tlb-entries", "-16"], ["--tlb-entries", "131072"],
        ["--tlb-entries", "0", "--flush-on-age"],
        ["--requests", "memcached"], ["--requests", ""], ["--requests", "kv", "--pattern", "hotcold"],
        ["--requests", "chase", "--write-percent", "5"], ["--aging-only", "--requests", "kv"],
    ]

    @Test(arguments: badInputs)
    func badInputExitsTwoAndWritesNothing(_ arguments: [String]) {
        let directory = makeScratchDirectory()
        let path = directory.appendingPathComponent("never.csv").path
        #expect(AgingBenchMain.run(["run", "--quiet", "--output", path] + arguments).0 == .badInput)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// The cases the issue names: each message names the bad value, never "Missing value".
    @Test(arguments: [
        (["--memory", "-1G"], "memory size '-1G' must be positive"),
        (["--seed", "-1"], "The value '-1' is invalid for '--seed <seed>'"),
        (["--aging-only", "--aging", "off"], "--aging-only always ages; --aging 'off' contradicts it (drop --aging)"),
        (["--backends", "x86-tdp", "--memory", "64K", "--vcpus", "1", "--aging", "on", "--repetitions", "2", "--shard", "5/100"],
         "shard 5/100 of a sweep of 2 comparison groups has no cells (use at most 2 shards)"),
        (["--aging-only", "--passes", "100000000"], "--passes 100000000 is out of range: expected 1 to 100000"),
        (["--requests", "kv", "--pattern", "hotcold"],
         "--pattern shapes the selftest's rounds; --requests kv picks its own pages and writes (drop --pattern)"),
    ])
    func badValuesAreNamed(_ arguments: [String], _ message: String) {
        let directory = makeScratchDirectory()
        let (status, line) = AgingBenchMain.classify(Self.error(["run", "--output", directory.appendingPathComponent("x.csv").path] + arguments))
        #expect(status == .badInput)
        #expect(line == "agingbench: error: \(message)")
    }

    private static func error(_ arguments: [String]) -> Error {
        do {
            var command = try AgingBench.parseAsRoot(arguments)
            try command.run()
            return InputError("no error: the command succeeded")
        } catch {
            return error
        }
    }

    @Test func agingBothMeansOnAndOff() throws {
        let path = makeScratchDirectory().appendingPathComponent("both.csv").path
        let status = AgingBenchMain.run([
            "run", "--backends", "x86-tdp", "--memory", "64K", "--vcpus", "1", "--aging", "both", "--repetitions", "1",
            "--rounds", "1", "--costs", "host-only", "--quiet", "--output", path,
        ]).0
        #expect(status == .success)
        #expect(try csvRows(String(contentsOfFile: path, encoding: .utf8)).map { $0["aging"] } == ["on", "off"])
    }

    @Test func adOffRunsTheBackendsThatHaveTheMode() throws {
        let path = makeScratchDirectory().appendingPathComponent("adoff.csv").path
        let status = AgingBenchMain.run([
            "run", "--ad-off", "--memory", "256K", "--vcpus", "1", "--aging", "on", "--repetitions", "1", "--costs", "host-only",
            "--rounds", "2", "--quiet", "--output", path,
        ]).0
        #expect(status == .success)
        let rows = try csvRows(try String(contentsOfFile: path, encoding: .utf8))
        // 'all' with --ad-off: exactly the registered backends that have the mode, in registry order.
        #expect(rows.map { $0["backend"] } == Backends.all.filter(\.supportsAccessTracking).map { Optional($0.name) })
        #expect(rows.contains { $0["backend"] == "x86-tdp" })
        for row in rows {
            #expect(row["variant"] == "ad-off")
            #expect(row["non_a_bit_changes"] == "0")
            // No bitmap with A/D bits off: the kernel asks once per present page.
            #expect(row["driver"] == "per-page")
            #expect(row["notifier_calls"] == row["pages_aged"])
        }
    }

    @Test func evictionZapsOldPagesAndVCPUsRefaultThem() throws {
        let path = makeScratchDirectory().appendingPathComponent("evict.csv").path
        let status = AgingBenchMain.run([
            "run", "--backends", "x86-tdp,x86-shadow", "--memory", "1M", "--vcpus", "1", "--aging", "on", "--costs", "host-only",
            "--evict-after", "1", "--pattern", "hotcold", "--rounds", "200", "--repetitions", "1",
            "--quiet", "--output", path,
        ]).0
        #expect(status == .success)
        let rows = try csvRows(try String(contentsOfFile: path, encoding: .utf8))
        #expect(rows.count == 2)
        for row in rows {
            let evictions = UInt64(row["evictions"]!)!
            let refaults = UInt64(row["refaults"]!)!
            #expect(evictions > 0, "\(row["backend"]!): nothing evicted")
            #expect(refaults > 0, "\(row["backend"]!): nothing refaulted")
            #expect(refaults <= evictions)
            // Every refault is a fault beyond the populate's one per page.
            #expect(UInt64(row["faults"]!)! >= 256 + refaults)
            #expect(row["non_a_bit_changes"] == "0")
            #expect(row["use_after_free"] == "0")
        }
    }

    @Test func anUnwritableOutputIsRefusedBeforeTheSweep() {
        #expect(AgingBenchMain.run(["run", "--output", "/proc/no-such-dir/x.csv"]).0 == .badInput)
        let directory = makeScratchDirectory()
        #expect(AgingBenchMain.run(["run", "--output", directory.path]).0 == .badInput)
    }

    @Test func errorsAreOneLine() {
        let (status, line) = AgingBenchMain.classify(InputError("memory size '1Q' has an unknown unit"))
        #expect(status == .badInput)
        #expect(line == "agingbench: error: memory size '1Q' has an unknown unit")
        do {
            _ = try AgingBench.parseAsRoot(["run", "--repetitions", "many"])
            Issue.record("parsing should have failed")
        } catch {
            let (parseStatus, parseLine) = AgingBenchMain.classify(error)
            #expect(parseStatus == .badInput)
            #expect(!parseLine.contains("\n"))
            #expect(parseLine.hasPrefix("agingbench: error: "))
        }
    }

    /// With stderr on a pipe (a CI log) progress is one plain line per finished cell, no control
    /// characters; `--quiet` prints none.
    @Test func progressInALogIsOneLinePerFinishedCell() throws {
        let directory = makeScratchDirectory()
        let arguments = [
            "--backends", "x86-tdp", "--memory", "64K", "--vcpus", "1", "--repetitions", "2", "--rounds", "1",
            "--costs", "host-only", "--output", directory.appendingPathComponent("p.csv").path,
        ]
        let (status, errors) = try runBinary(arguments)
        #expect(status == 0)
        let lines = errors.split(separator: "\n").filter { !$0.contains("WARNING: this is a DEBUG build") }
        #expect(lines.count == 4, "one line per cell: \(lines)")
        #expect(lines.first?.hasPrefix("agingbench: [cell 1/4 done] x86-tdp 64K vcpus:1 aging:on rep 0") == true)
        #expect(lines.last?.hasPrefix("agingbench: [cell 4/4 done]") == true)
        #expect(!errors.contains("\u{1B}") && !errors.contains("\r"))
        // A debug build says so, loudly, on one line; --quiet prints nothing else.
        let (quietStatus, quietErrors) = try runBinary(arguments + ["--quiet"])
        #expect(quietStatus == 0)
        #expect(quietErrors.split(separator: "\n").allSatisfy { $0.contains("WARNING: this is a DEBUG build") })
    }

    /// The real binary, as a user runs it: one stderr line, exit status 2, no trace.
    @Test func theExecutableReportsBadInputOnOneLine() throws {
        let (status, text) = try runBinary(["--vcpus", "0", "--output", makeScratchDirectory().appendingPathComponent("x.csv").path])
        #expect(status == 2)
        #expect(text.split(separator: "\n").count == 1)
        #expect(text.hasPrefix("agingbench: error: invalid vCPU count '0'"))
    }
}
