import Foundation
import Testing
@testable import Bench
@testable import Results

/// An --aging-only sweep small enough for a debug build, with the repetitions the gate needs.
private func runExactCountSweep(output: String, _ extra: [String] = []) -> Results.ExitStatus {
    AgingBenchMain.run([
        "run", "--aging-only", "--costs", "raw", "--backends", "x86-tdp,baseline", "--memory", "256K", "--vcpus", "1",
        "--passes", "2", "--repetitions", "8", "--quiet", "--output", output,
    ] + extra).0
}

/// The gate on exact counts only: timing in a debug build on a shared machine proves nothing.
private let exactGate = ["--gate", "notifier_calls_per_pass,lock_acquisitions_per_pass,non_a_bit_changes,use_after_free"]

/// Multiplies `column` by `factor` in the rows of `backend`, found by header name.
private func inject(_ text: String, column: String, backend: String, factor: Double) throws -> String {
    let table = try CSVWriter.parse(text)
    let header = table[0]
    let target = try #require(header.firstIndex(of: column)), backendColumn = try #require(header.firstIndex(of: "backend"))
    let rows = table.dropFirst().map { row -> [String] in
        guard row[backendColumn] == backend, let value = Double(row[target]) else { return row }
        var changed = row
        changed[target] = String(UInt64((value * factor).rounded()))
        return changed
    }
    return ([header] + rows).map { $0.map(CSVWriter.escape).joined(separator: ",") }.joined(separator: "\n") + "\n"
}

@Suite(.scratchCleanup) struct CompareTests {
    @Test func twoRunsOfTheSameBuildShowNoRegressionAndAnInjectedOneIsCaught() throws {
        let directory = makeScratchDirectory()
        let base = directory.appendingPathComponent("base.csv").path, new = directory.appendingPathComponent("new.csv").path
        #expect(runExactCountSweep(output: base) == .success)
        #expect(runExactCountSweep(output: new) == .success)

        let (status, out, errors) = try runBinaryCapturing(["compare", base, new, "--json", directory.appendingPathComponent("r.json").path] + exactGate)
        #expect(status == 0, "\(errors)")
        #expect(out.contains("**No regression**"))
        let report = Comparer.compare(base: try ResultTable.load(path: base), new: try ResultTable.load(path: new),
                                      settings: try CompareCommand.parse([base, new] + exactGate).settings())
        let counts = report.comparisons.filter { $0.metric == "notifier_calls_per_pass" }
        #expect(counts.count == 2 && counts.allSatisfy { $0.verdict == .unchanged && $0.base.count == 8 })

        // 20% more notifier calls for one backend: every repetition, as a real regression would.
        let injected = directory.appendingPathComponent("injected.csv").path
        try inject(try String(contentsOfFile: new, encoding: .utf8), column: "notifier_calls", backend: "baseline", factor: 1.2)
            .write(toFile: injected, atomically: true, encoding: .utf8)
        let (badStatus, badOut, badErrors) = try runBinaryCapturing(["compare", base, injected] + exactGate)
        #expect(badStatus == 1)
        #expect(badErrors.split(separator: "\n").count == 1 && badErrors.contains("notifier_calls_per_pass"))
        #expect(badOut.contains("**Regression**"))
        let caught = Comparer.compare(base: try ResultTable.load(path: base), new: try ResultTable.load(path: injected),
                                      settings: try CompareCommand.parse([base, injected] + exactGate).settings())
        // Only the gating family decides; informational timing metrics of two debug runs on a busy
        // machine may differ significantly and are reported, not judged.
        let regressed = caught.with(.regressed).filter(\.gates)
        #expect(regressed.count == 1)
        #expect(regressed.first?.metric == "notifier_calls_per_pass" && regressed.first?.cell.value("backend") == "baseline")
        #expect(abs((regressed.first?.change ?? 0) - 0.2) < 0.01)
        #expect(abs((regressed.first?.test.p ?? 1) - 2 / 12870) < 1e-12)
    }

    @Test func readsJSONAndReorderedSchema2CSVWithUnknownColumns() throws {
        let directory = makeScratchDirectory()
        let csv = directory.appendingPathComponent("a.csv").path, json = directory.appendingPathComponent("b.json").path
        #expect(runExactCountSweep(output: csv) == .success)
        #expect(runExactCountSweep(output: json, ["--format", "json"]) == .success)
        let fromJSON = Comparer.compare(base: try ResultTable.load(path: csv), new: try ResultTable.load(path: json), settings: CompareSettings())
        #expect(fromJSON.onlyInBase.isEmpty && fromJSON.onlyInNew.isEmpty)
        #expect(fromJSON.comparisons.contains { $0.metric == "lock_acquisitions_per_pass" && $0.new.count == 8 && $0.verdict == .unchanged })

        // Schema 2 as main wrote it before: without schema 3's columns; then the columns reversed
        // and one this version does not know added.
        let table = try CSVWriter.parse(try String(contentsOfFile: csv, encoding: .utf8))
        let schema3Only: Set<String> = ["kernel", "thp", "toolchain", "command", "vcpu_cpu_s"]
        let kept = table[0].indices.filter { !schema3Only.contains(table[0][$0]) }
        let schema = try #require(table[0].firstIndex(of: "schema"))
        let rewritten = table.enumerated().map { number, row -> String in
            var fields = row
            if number > 0 { fields[schema] = "2" }
            return (kept.map { fields[$0] }.reversed() + [number == 0 ? "tlb_misses" : "17"]).map(CSVWriter.escape).joined(separator: ",")
        }.joined(separator: "\n") + "\n"
        let later = directory.appendingPathComponent("later.csv").path
        try rewritten.write(toFile: later, atomically: true, encoding: .utf8)
        let again = Comparer.compare(base: try ResultTable.load(path: csv), new: try ResultTable.load(path: later), settings: CompareSettings())
        #expect(again.comparisons.count == Comparer.compare(
            base: try ResultTable.load(path: csv), new: try ResultTable.load(path: csv), settings: CompareSettings()).comparisons.count)
        #expect(again.comparisons.filter { $0.metric == "notifier_calls_per_pass" }.allSatisfy { $0.verdict == .unchanged })
    }

    @Test func crlfLineEndingsRead() throws {
        let directory = makeScratchDirectory()
        let path = directory.appendingPathComponent("a.csv").path
        #expect(runTinySweep(output: path) == .success)
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\n", with: "\r\n")
        let crlf = try ResultTable.parse(Array(text.utf8), name: "crlf")
        #expect(crlf.rows == (try ResultTable.load(path: path)).rows)
    }

    @Test func concatenatedShardsReadAsOneFile() throws {
        let directory = makeScratchDirectory()
        var parts: [String] = []
        for shard in 1...2 {
            let path = directory.appendingPathComponent("s\(shard).csv").path
            #expect(runExactCountSweep(output: path, ["--shard", "\(shard)/2"]) == .success)
            parts.append(try String(contentsOfFile: path, encoding: .utf8))
        }
        let whole = try ResultTable.parse(Array((parts[0] + parts[1]).utf8), name: "merged")
        #expect(whole.rows.count == 16)
    }

    @Test(arguments: ["truncated", "empty", "binary", "schema", "header"])
    func malformedInputIsOneLineAndExit2(_ kind: String) throws {
        let directory = makeScratchDirectory()
        let good = directory.appendingPathComponent("good.csv").path
        #expect(runTinySweep(output: good) == .success)
        let text = try String(contentsOfFile: good, encoding: .utf8)
        let bad = directory.appendingPathComponent("bad.csv").path
        let bytes: [UInt8] = switch kind {
        case "truncated": Array(text.utf8.prefix(text.utf8.count - 40))
        case "empty": []
        case "binary": [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00, 0x00, 0xFF, 0xFE]
        case "schema": Array(text.replacingOccurrences(of: "\n\(RunRecord.schemaVersion),", with: "\n\(RunRecord.schemaVersion + 1),").utf8)
        default: Array("a,b,c\n1,2,3\n".utf8)
        }
        #expect(FileManager.default.createFile(atPath: bad, contents: Data(bytes)))
        for arguments in [["compare", good, bad], ["compare", bad, good]] {
            let (status, errors) = try runBinary(arguments)
            #expect(status == 2, "\(kind): \(errors)")
            #expect(errors.split(separator: "\n").count == 1 && errors.contains("bad.csv"), "\(kind): \(errors)")
        }
    }

    @Test func truncatedJSONIsExit2() throws {
        let directory = makeScratchDirectory()
        let json = directory.appendingPathComponent("a.json").path
        #expect(runTinySweep(output: json, ["--format", "json"]) == .success)
        let text = try String(contentsOfFile: json, encoding: .utf8)
        try String(text.prefix(text.count / 2)).write(toFile: json, atomically: true, encoding: .utf8)
        let (status, errors) = try runBinary(["compare", json, json])
        #expect(status == 2 && errors.split(separator: "\n").count == 1)
    }

    @Test func nothingComparableIsExit3AndOneSidedCellsAreListed() throws {
        let directory = makeScratchDirectory()
        let tdp = directory.appendingPathComponent("tdp.csv").path, base = directory.appendingPathComponent("baseline.csv").path
        #expect(runTinySweep(output: tdp, ["--backends", "x86-tdp"]) == .success)
        #expect(runTinySweep(output: base, ["--backends", "baseline"]) == .success)
        let (status, errors) = try runBinary(["compare", tdp, base])
        #expect(status == 3 && errors.contains("nothing comparable"))

        let both = directory.appendingPathComponent("both.csv").path
        #expect(runTinySweep(output: both) == .success)
        let report = Comparer.compare(base: try ResultTable.load(path: tdp), new: try ResultTable.load(path: both), settings: CompareSettings())
        #expect(report.onlyInBase.isEmpty && report.onlyInNew.allSatisfy { $0.value("backend") == "baseline" } && !report.onlyInNew.isEmpty)
        #expect(report.markdown().contains("Only in new"))
    }

    @Test func fewRepetitionsAreSaidToBeUnableToShowARegression() throws {
        // Two repetitions per side: the smallest exact p is 2/6, which no alpha below 1/3 reaches.
        let directory = makeScratchDirectory()
        let base = directory.appendingPathComponent("a.csv").path
        #expect(runTinySweep(output: base) == .success)
        let file = try ResultTable.load(path: base)
        var rows = file.rows
        for index in rows.indices where rows[index]["backend"] == "baseline" {
            rows[index].values["pass_avg_s"] = "100"
        }
        let slower = ResultTable(name: "slower", rows: rows, columns: file.columns)
        var settings = CompareSettings()
        settings.gate = ["pass_avg_s"]
        let report = Comparer.compare(base: file, new: slower, settings: settings)
        #expect(!report.canShowRegression && report.status == .noRegression)
        #expect(report.powerNote?.contains("no gating comparison can show a regression") == true)
        #expect(report.with(.notSignificant).contains { $0.metric == "pass_avg_s" })
        #expect(report.markdown().contains("**Warning**"))
        #expect((report.repetitionsNeeded ?? 0) >= 4)
    }

    @Test(arguments: [
        ["--alpha", "0"], ["--alpha", "1.5"], ["--threshold", "x=5"], ["--threshold", "pass_avg_s=-1"],
        ["--gate", "nope"], ["--metrics", "populate_s,bogus"],
    ])
    func badOptionsAreExit2(_ options: [String]) throws {
        let directory = makeScratchDirectory()
        let path = directory.appendingPathComponent("a.csv").path
        #expect(runTinySweep(output: path) == .success)
        let (status, errors) = try runBinary(["compare", path, path] + options)
        #expect(status == 2 && errors.split(separator: "\n").count == 1, "\(options): \(errors)")
    }

    @Test func derivedRatiosUseRowsOfTheSameRunOnly() throws {
        func row(_ backend: String, _ aging: String, _ populate: Double, run: String) -> ResultRow {
            ResultRow(["schema": "2", "timestamp": run, "host": "h", "commit": "c", "backend": backend, "variant": "default",
                       "memory_per_vcpu_bytes": "1024", "vcpus": "1", "aging": aging, "repetition": "0", "populate_s": String(populate)])
        }
        let rows = [row("x86-tdp", "on", 3, run: "t1"), row("x86-tdp", "off", 2, run: "t1"),
                    row("baseline", "on", 6, run: "t1"), row("x86-tdp", "off", 100, run: "t2")]
        let runs = RunIndex(rows)
        let onOff = try #require(CompareMetric.named("populate_on_vs_off"))
        let versus = try #require(CompareMetric.named("populate_vs_reference"))
        #expect(onOff.value(rows[0], runs, "x86-tdp") == 1.5)
        #expect(onOff.value(rows[1], runs, "x86-tdp") == nil)
        #expect(versus.value(rows[2], runs, "x86-tdp") == 2)
        #expect(versus.value(rows[0], runs, "x86-tdp") == nil)
    }
}
