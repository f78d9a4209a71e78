import Testing
@testable import Results

/// Schema 9 added the request columns, then the pressure and guest columns, at the end; files of
/// earlier schemas stay readable, their rows reading as what every run of that time was: the
/// selftest's rounds, no requests, one guest, no budget.
@Suite struct SchemaNineTests {
    static let requestColumns = [
        "request_workload", "requests", "requests_per_second", "request_p50_ns", "request_p90_ns", "request_p99_ns",
        "request_p999_ns", "request_p9999_ns", "request_max_ns",
    ]
    static let pressureColumns = [
        "vms", "host_memory_pages", "swap", "peak_resident_pages", "allocation_stalls", "allocation_stall_ns",
        "victims_checked", "victims_referenced", "aging_lock_acquisitions",
    ]

    @Test func theRequestAndPressureColumnsEndTheRow() {
        #expect(RunRecord.schemaVersion == 9)
        let added = Self.requestColumns + Self.pressureColumns
        #expect(Array(RunRecord.columns.suffix(added.count)) == added)
        let blank = RunRecord.empty
        #expect(blank.vms == 1 && blank.hostMemoryPages == 0 && blank.swap.isEmpty && blank.peakResidentPages == 0)
        #expect(ResultTable.supportedSchemas.isSuperset(of: [2, 8, 9]))
        let empty = RunRecord.empty
        #expect(empty.requestWorkload.isEmpty && empty.requests == 0 && empty.requestsPerSecond == 0 && empty.requestMaxNanos == 0)
    }

    @Test func aSchemaEightRowReadsAsServingNoRequests() throws {
        let older = RunRecord.columns.filter { !Self.requestColumns.contains($0) && !Self.pressureColumns.contains($0) }
        var record = RunRecord.empty
        record.schema = 8
        record.backend = "x86-tdp"
        record.engine = .virtual
        record.machine = "graviton2"
        let values = older.map { name in
            RunRecord.columnTable.first { $0.name == name }!.value(of: record).text
        }
        let text = older.joined(separator: ",") + "\n" + values.map(CSVWriter.escape).joined(separator: ",") + "\n"
        let records = try CSVWriter.records(text, what: "old.csv", olderSchemas: true)
        #expect(records == [record])
        #expect(records.first?.requestWorkload == "" && records.first?.requests == 0 && records.first?.requestP999Nanos == 0)
        #expect(records.first?.vms == 1 && records.first?.hostMemoryPages == 0)
        // Compare reads it too, and its cell key's request_workload is blank, as a row without requests.
        let table = try ResultTable.parse(Array(text.utf8), name: "old.csv")
        #expect(table.rows.count == 1 && table.rows[0]["request_workload"] == nil)
        // Resume reads only the schema it writes.
        #expect(throws: InputError.self) { try CSVWriter.records(text, what: "old.csv") }
    }

    @Test func aSchemaNineRowRoundTripsItsRequests() throws {
        var record = RunRecord.empty
        record.backend = "x86-tdp"
        record.requestWorkload = "kv"
        record.requests = 123_456
        record.requestsPerSecond = 9.75e6
        record.requestP50Nanos = 180
        record.requestP90Nanos = 240
        record.requestP99Nanos = 1_900
        record.requestP999Nanos = 41_000
        record.requestP9999Nanos = 88_000
        record.requestMaxNanos = 120_000
        let records = try CSVWriter.records(CSVWriter.document([record]), what: "new.csv")
        #expect(records == [record])
    }
}
