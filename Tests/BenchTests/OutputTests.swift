import Foundation
import Testing
@testable import Bench

private func sampleRecord(repetition: Int = 0, backend: String = "x86-tdp", wall: Double = 1.25) -> RunRecord {
    RunRecord(
        timestamp: "2024-04-02T13:45:07Z", commit: "abc1234", host: "ci-runner", cpu: "Test CPU @ 2.0GHz",
        cores: 2, build: "release", backend: backend, variant: "default", memoryPerVCPUBytes: 1 << 30,
        vcpus: 2, aging: "on", pattern: "uniform", writePercent: 10, seed: UInt64.max, repetition: repetition,
        tlbEntries: 2048, flushOnAge: 1, populateSeconds: 0.5, vcpuWallSeconds: wall, accesses: 1_000_000, faults: 262_144,
        faultP50Nanos: 800, faultP99Nanos: 12_000, faultP999Nanos: 40_000, faultMaxNanos: 90_000,
        agingPasses: 7, passAverageSeconds: 0.0123, pagesAgedPerSecond: 1.5e7, notifierCalls: 4096,
        youngPages: 1000, lockAcquisitions: 5000, vcpuLockContended: 12, vcpuLockWaitNanos: 3_000_000,
        agingLockWaitNanos: 100, agingLockHoldNanos: 200, evictions: 3, refaults: 2,
        tlbHits: 900_000, tlbMisses: 100_000, shootdowns: 5, shootdownWaitNanos: 7_000, falseOld: 11, falseOldRefaults: 1,
        ptBytes: 2_113_536,
        ptBytesJemalloc: 2_113_536, nonABitChanges: 0, useAfterFree: 0)
}

private func context() -> RunContext {
    RunContext(commit: "abc1234", host: "ci-runner", cpuModel: "Test CPU", cores: 2, build: "release",
               timestamp: "2024-04-02T13:45:07Z", executable: "/usr/bin/agingbench")
}

@Suite struct RunRecordTests {
    @Test func columnsAreTheDocumentedSchemaInOrder() {
        let expected = """
            schema,timestamp,commit,host,cpu,cores,build,backend,variant,memory_per_vcpu_bytes,vcpus,aging,\
            pattern,write_percent,seed,repetition,driver,costs,calibration,fault_remainder_ns,age_remainder_ns,\
            runnable_threads,oversubscribed,tlb_entries,flush_on_age,populate_s,vcpu_wall_s,accesses,faults,fault_p50_ns,\
            fault_p99_ns,fault_p999_ns,fault_max_ns,aging_passes,pass_avg_s,pages_aged_per_s,limit_pass_s,pass_vs_limit,notifier_calls,\
            young_pages,pages_aged,lock_acquisitions,vcpu_lock_contended,vcpu_lock_wait_ns,aging_lock_wait_ns,\
            aging_lock_hold_ns,evictions,refaults,fault_retries,tlb_hits,tlb_misses,shootdowns,shootdown_wait_ns,\
            false_old,false_old_refaults,pt_bytes,pt_bytes_jemalloc,host_pt_bytes,folio_bytes,\
            non_a_bit_changes,use_after_free
            """
        #expect(RunRecord.columns.joined(separator: ",") == expected)
        #expect(RunRecord.schemaVersion == 3)
        #expect(RunRecord().schema == 3)
        #expect(sampleRecord().values.count == RunRecord.columns.count)
    }

    @Test func everyColumnAssignsBackWhatItReads() throws {
        let original = sampleRecord()
        var copy = RunRecord(schema: 0)
        for column in RunRecord.columnTable {
            try column.assign(column.value(of: original).text, to: &copy)
        }
        #expect(copy == original)
    }
}

@Suite struct CSVTests {
    @Test func headerIsTheColumnList() {
        #expect(CSVWriter.header() == RunRecord.columns.joined(separator: ","))
        #expect(CSVWriter.header().hasPrefix("schema,timestamp,commit,host"))
    }

    @Test func awkwardFieldsRoundTrip() throws {
        var tricky = sampleRecord(repetition: 1)
        tricky.host = "host, with \"quotes\"\nand a newline"
        tricky.cpu = "\"quoted\""
        tricky.variant = "a\r\nb,"
        tricky.pattern = ""
        tricky.commit = "ü-ñ,"
        let records = [sampleRecord(), tricky]
        let rows = try CSVWriter.parse(CSVWriter.document(records))
        #expect(rows.count == 3)
        #expect(rows[0] == RunRecord.columns)
        for (row, record) in zip(rows.dropFirst(), records) {
            #expect(row == record.values.map(\.text))
            #expect(row.count == RunRecord.columns.count)
        }
        #expect(rows[2][RunRecord.columns.firstIndex(of: "host")!] == tricky.host)
        #expect(rows[2][RunRecord.columns.firstIndex(of: "variant")!] == "a\r\nb,")
    }

    @Test func threeRecordsGiveFourRows() throws {
        let text = CSVWriter.document((0..<3).map { sampleRecord(repetition: $0) })
        #expect(text.hasSuffix("\n") && !text.contains("\r"))
        #expect(try CSVWriter.parse(text).count == 4)
    }

    @Test func quotesOnlyWhenNeeded() {
        #expect(CSVWriter.escape("plain") == "plain")
        #expect(CSVWriter.escape("a,b") == "\"a,b\"")
        #expect(CSVWriter.escape("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVWriter.escape("line\nbreak") == "\"line\nbreak\"")
    }

    @Test func doublesRoundTripExactly() throws {
        let record = sampleRecord(wall: 0.1 + 0.2)
        let row = try CSVWriter.parse(CSVWriter.row(record))[0]
        #expect(Double(row[RunRecord.columns.firstIndex(of: "vcpu_wall_s")!]) == 0.1 + 0.2)
        #expect(row[RunRecord.columns.firstIndex(of: "seed")!] == "18446744073709551615")
    }

    @Test func parserHandlesCRLFAndRejectsBrokenQuoting() throws {
        #expect(try CSVWriter.parse("a,b\r\n\"c\r\nd\",\"\"\r\n") == [["a", "b"], ["c\r\nd", ""]])
        #expect(try CSVWriter.parse("a,\n,b") == [["a", ""], ["", "b"]])
        #expect(throws: InputError.self) { try CSVWriter.parse("\"open") }
        #expect(throws: InputError.self) { try CSVWriter.parse("\"a\"b,c") }
        #expect(throws: InputError.self) { try CSVWriter.parse("a\"b") }
    }
}

@Suite struct JSONTests {
    @Test func googleBenchmarkLayoutParsesBack() throws {
        var other = sampleRecord(repetition: 1, wall: 2)
        other.variant = "ad-off"
        let text = GoogleBenchmarkJSON.render([sampleRecord(), sampleRecord(repetition: 1), other], context: context())
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let top = try #require(object)
        let contextObject = try #require(top["context"] as? [String: Any])
        for key in ["date", "host_name", "executable", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled",
                    "caches", "library_build_type", "schema", "commit"] {
            #expect(contextObject[key] != nil, "context lacks \(key)")
        }
        #expect(contextObject["library_build_type"] as? String == "release")

        let benchmarks = try #require(top["benchmarks"] as? [[String: Any]])
        #expect(benchmarks.count == 3)
        for benchmark in benchmarks {
            for key in ["name", "run_name", "run_type", "repetitions", "repetition_index", "iterations",
                        "real_time", "cpu_time", "time_unit", "threads"] + GoogleBenchmarkJSON.counterColumns {
                #expect(benchmark[key] != nil, "benchmark lacks \(key)")
            }
            #expect(benchmark["run_type"] as? String == "iteration")
            #expect(benchmark["time_unit"] as? String == "ms")
        }
        #expect(benchmarks[0]["name"] as? String == "x86-tdp/1G/vcpus:2/aging:on")
        #expect(benchmarks[0]["repetitions"] as? Int == 2)
        #expect(benchmarks[1]["repetition_index"] as? Int == 1)
        #expect(benchmarks[0]["real_time"] as? Double == 1250)
        #expect(benchmarks[0]["iterations"] as? Int == 7)
        #expect(benchmarks[2]["name"] as? String == "x86-tdp(ad-off)/1G/vcpus:2/aging:on")
        #expect(benchmarks[2]["repetitions"] as? Int == 2)
    }

    @Test func nonFiniteNumbersStillGiveValidJSON() throws {
        var record = sampleRecord(wall: .nan)
        record.passAverageSeconds = .infinity
        record.agingPasses = 0
        let text = GoogleBenchmarkJSON.render([record], context: context())
        let top = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let benchmark = try #require((top["benchmarks"] as? [[String: Any]])?.first)
        #expect(benchmark["iterations"] as? Int == 1)
    }
}

@Suite struct MarkdownTests {
    @Test func medianOfOddEvenAndEmpty() {
        #expect(MarkdownTable.median([3, 1, 2]) == 2)
        #expect(MarkdownTable.median([4, 1, 3, 2]) == 2.5)
        #expect(MarkdownTable.median([7]) == 7)
        #expect(MarkdownTable.median([]).isNaN)
    }

    @Test func oneRowPerConfigurationWithMedians() throws {
        let records = [sampleRecord(wall: 1), sampleRecord(repetition: 1, wall: 9), sampleRecord(repetition: 2, wall: 2),
                       sampleRecord(backend: "arm64", wall: 4)]
        let lines = MarkdownTable.render(records).split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[1].contains("---:"))
        func cells(_ line: Substring) -> [String] {
            line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let header = cells(lines[0])
        let wall = try #require(header.firstIndex(of: "vCPU wall (s)"))
        let reps = try #require(header.firstIndex(of: "reps"))
        #expect(cells(lines[2])[0] == "x86-tdp" && cells(lines[2])[reps] == "3" && cells(lines[2])[wall] == "2.000")
        #expect(cells(lines[3])[0] == "arm64" && cells(lines[3])[reps] == "1" && cells(lines[3])[wall] == "4.000")
        #expect(cells(lines[2])[1] == "1G")
        // Padded to equal widths, so the table also lines up as plain text.
        #expect(Set(lines.map { $0.count }).count == 1)
    }
}

@Suite struct AtomicFileWriterTests {
    func scratchDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("agingbench-tests-\(UUID().uuidString)")
    }

    @Test func writesAtomicallyAndLeavesNoTemporaryFile() throws {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("nested/results.csv").path
        try AtomicFileWriter.write("first\n", to: path, createParent: true)
        try AtomicFileWriter.write("second\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second\n")
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("nested").path)
        #expect(entries == ["results.csv"])
    }

    @Test func checkWritableAcceptsANewPathAndLeavesNothing() throws {
        let directory = scratchDirectory()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try AtomicFileWriter.checkWritable(path: directory.appendingPathComponent("out.json").path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func checkWritableRejectsUnwritableAndDirectoryPaths() throws {
        let directory = scratchDirectory()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        #expect(throws: InputError.self) { try AtomicFileWriter.checkWritable(path: "/proc/nonexistent-dir/x.csv") }
        #expect(throws: InputError.self) { try AtomicFileWriter.checkWritable(path: directory.path) }
        #expect(throws: InputError.self) { try AtomicFileWriter.write("x", to: directory.path) }
        do {
            try AtomicFileWriter.checkWritable(path: "/proc/nonexistent-dir/x.csv")
        } catch {
            #expect(error.message.hasPrefix("cannot write results to '/proc/nonexistent-dir/x.csv': "))
        }
    }
}

@Suite struct OutputFormatTests {
    @Test func everyFormatRendersNewlineTerminatedText() {
        for format in OutputFormat.allCases {
            let text = format.render([sampleRecord()], context: context())
            #expect(text.hasSuffix("\n"), "\(format)")
        }
        #expect(OutputFormat(rawValue: "markdown") == .markdown)
    }

    @Test func detectedContextIsFilledIn() {
        let detected = RunContext.detect(build: "debug")
        #expect(detected.cores >= 1)
        #expect(!detected.host.isEmpty && !detected.commit.isEmpty && !detected.cpuModel.isEmpty)
        #expect(detected.build == "debug")
        #expect(detected.timestamp.hasSuffix("Z") && detected.timestamp.count == 20)
    }
}
