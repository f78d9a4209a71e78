import Foundation
import Testing
@testable import Bench
@testable import Results

private func sampleRecord(repetition: Int = 0, backend: String = "x86-tdp", wall: Double = 1.25) -> RunRecord {
    RunRecord(
        timestamp: "2024-04-02T13:45:07Z", commit: "abc1234", host: "ci-runner", cpu: "Test CPU @ 2.0GHz",
        cores: 2, build: "release",
        kernel: "6.1.0", thp: "madvise", toolchain: "swift-6.3", command: "agingbench run",
        backend: backend, variant: .standard, memoryPerVCPUBytes: 1 << 30,
        vcpus: 2, aging: .on, pattern: "uniform", writePercent: 10, seed: UInt64.max, repetition: repetition,
        driver: .bitmap, costs: .calibrated, calibration: "vm@2026",
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
            schema,timestamp,commit,host,cpu,cores,build,kernel,thp,toolchain,command,backend,variant,\
            memory_per_vcpu_bytes,vcpus,aging,\
            pattern,write_percent,seed,repetition,driver,costs,calibration,engine,machine,placement,fault_remainder_ns,age_remainder_ns,\
            runnable_threads,oversubscribed,tlb_entries,flush_on_age,populate_s,vcpu_wall_s,vcpu_cpu_s,accesses,faults,\
            fault_p50_ns,\
            fault_p99_ns,fault_p999_ns,fault_max_ns,aging_passes,pass_avg_s,pages_aged_per_s,limit_pass_s,pass_vs_limit,notifier_calls,\
            young_pages,pages_aged,lock_acquisitions,instructions_per_fault,instructions_per_aged_page,\
            instructions_per_notifier_call,vcpu_lock_contended,vcpu_lock_wait_ns,aging_lock_wait_ns,\
            aging_lock_hold_ns,host_lock_wait_ns,zone_lock_acquisitions,lru_lock_acquisitions,memcg_charges,line_moves,\
            engine_events,evictions,refaults,fault_retries,tlb_hits,tlb_misses,shootdowns,shootdown_wait_ns,\
            false_old,false_old_refaults,pt_bytes,pt_bytes_jemalloc,host_pt_bytes,folio_bytes,\
            non_a_bit_changes,stale_mappings,stale_accesses,use_after_free,\
            request_workload,requests,requests_per_second,request_p50_ns,request_p90_ns,request_p99_ns,request_p999_ns,\
            request_p9999_ns,request_max_ns,vms,host_memory_pages,swap,\
            peak_resident_pages,allocation_stalls,allocation_stall_ns,victims_checked,victims_referenced,\
            aging_lock_acquisitions
            """
        #expect(RunRecord.columns.joined(separator: ",") == expected)
        #expect(RunRecord.schemaVersion == 9)
        #expect(RunRecord().schema == 9)
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
        tricky.toolchain = "a\r\nb,"
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
        #expect(rows[2][RunRecord.columns.firstIndex(of: "toolchain")!] == "a\r\nb,")
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
    @Test func googleBenchmarkLayoutReadsAsTheToolsReadIt() throws {
        var other = sampleRecord(repetition: 1, wall: 2)
        other.variant = .accessTrackingOff
        var first = sampleRecord()
        first.vcpuCPUSeconds = 0.75
        var second = sampleRecord(repetition: 1)
        second.populateSeconds = 0.7
        let records = [first, second, other]
        let text = GoogleBenchmarkJSON.render(records, context: context())
        let tools = try GoogleToolsReader(text)
        #expect(tools.context["library_build_type"] as? String == "release")
        #expect(tools.context["kernel"] != nil && tools.context["thp"] != nil && tools.context["toolchain"] != nil)

        // Three iterations, then the four aggregates of the name with two repetitions.
        #expect(tools.entries.map(\.runType) == ["iteration", "iteration", "iteration", "aggregate", "aggregate", "aggregate", "aggregate"])
        let name = "x86-tdp/1G/vcpus:2/aging:on/pattern:uniform/write:10/seed:18446744073709551615/driver:bitmap/costs:calibrated"
        #expect(tools.entries[0].name == name)
        #expect(tools.entries[2].name.hasPrefix("x86-tdp(ad-off)/1G/vcpus:2/aging:on/"))
        #expect(tools.iterationsByName[name]?.count == 2)
        // real_time is populate, cpu_time the vCPUs' CPU time, in ms.
        #expect(tools.entries[0].realTime == 500 && tools.entries[0].cpuTime == 750)
        #expect(tools.entries[3].aggregate == "mean" && abs(tools.entries[3].realTime - 600) < 1e-9)
        #expect(tools.entries[4].aggregate == "median" && abs(tools.entries[4].realTime - 600) < 1e-9)
        #expect(tools.entries[5].aggregate == "stddev" && abs(tools.entries[5].realTime - (0.02.squareRoot() * 1000)) < 1e-6)
        #expect(tools.entries[6].aggregate == "cv" && abs(tools.entries[6].realTime - 0.02.squareRoot() / 0.6) < 1e-9)

        // And it reads back to the same records, aggregates skipped.
        let back = try GoogleBenchmarkJSON.read(text, what: "x.json").records
        #expect(back == records)
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
        let text = MarkdownTable.render(records, source: "results/x.csv")
        let lines = text.split(separator: "\n").prefix(4)
        #expect(text.contains("Medians of 1–3 repetitions [min–max over them]; every row is in results/x.csv."))
        #expect(lines[1].contains("---:"))
        func cells(_ line: Substring) -> [String] {
            line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let header = cells(lines[0])
        let wall = try #require(header.firstIndex(of: "vCPU wall (s)"))
        let reps = try #require(header.firstIndex(of: "reps"))
        #expect(cells(lines[2])[0] == "x86-tdp" && cells(lines[2])[reps] == "3" && cells(lines[2])[wall] == "2.000 [1.000–9.000]")
        #expect(cells(lines[3])[0] == "arm64" && cells(lines[3])[reps] == "1" && cells(lines[3])[wall] == "4.000")
        #expect(cells(lines[2])[1] == "1G")
        // Padded to equal widths, so the table also lines up as plain text.
        #expect(Set(lines.map { $0.count }).count == 1)
    }

    @Test func agingOnRowsCarryTheirPopulateRatioToTheOffTwin() throws {
        var on = sampleRecord()
        on.populateSeconds = 0.6
        var off = sampleRecord()
        off.aging = .off
        off.populateSeconds = 0.5
        var oversubscribed = sampleRecord(backend: "arm64")
        oversubscribed.oversubscribed = 1
        let lines = MarkdownTable.render([on, off, oversubscribed]).split(separator: "\n")
        func cells(_ line: Substring) -> [String] { line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        let ratio = try #require(cells(lines[0]).firstIndex(of: "populate on/off"))
        #expect(cells(lines[2])[ratio] == "1.20")
        #expect(cells(lines[3])[ratio] == "–")
        #expect(cells(lines[4])[ratio] == "–", "no aging-off twin")
        #expect(cells(lines[4])[2] == "2*")
        #expect(lines.contains { $0.contains("more runnable threads than CPUs") })
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
