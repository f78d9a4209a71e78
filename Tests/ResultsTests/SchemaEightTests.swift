import Testing
@testable import Results

/// Schema 8 added `machine` and `placement`; files of earlier schemas stay readable, their rows
/// reading as what every run of that time was: this machine, no placement.
@Suite struct SchemaEightTests {
    @Test func theMachineColumnsFollowTheEngine() throws {
        #expect(RunRecord.schemaVersion >= 8)
        let columns = RunRecord.columns
        let engine = try #require(columns.firstIndex(of: "engine"))
        #expect(Array(columns[engine...].prefix(3)) == ["engine", "machine", "placement"])
        #expect(RunRecord.empty.machine == "host" && RunRecord.empty.placement.isEmpty)
        #expect(ResultTable.supportedSchemas.isSuperset(of: [2, 7, 8]))
    }

    @Test func aSchemaSevenRowReadsAsHostWithoutPlacement() throws {
        let older = RunRecord.columns.filter { $0 != "machine" && $0 != "placement" }
        var record = RunRecord.empty
        record.schema = 7
        record.backend = "x86-tdp"
        record.engine = .virtual
        let values = older.map { name in
            RunRecord.columnTable.first { $0.name == name }!.value(of: record).text
        }
        let text = older.joined(separator: ",") + "\n" + values.map(CSVWriter.escape).joined(separator: ",") + "\n"
        let records = try CSVWriter.records(text, what: "old.csv", olderSchemas: true)
        #expect(records.count == 1)
        #expect(records.first?.machine == "host" && records.first?.placement == "")
        #expect(records.first?.schema == 7 && records.first?.engine == .virtual)
        // Resume reads only the schema it writes.
        #expect(throws: InputError.self) { try CSVWriter.records(text, what: "old.csv") }
    }

    @Test func aSchemaEightRowRoundTripsItsMachine() throws {
        var record = RunRecord.empty
        record.backend = "x86-tdp"
        record.engine = .virtual
        record.machine = "epyc-9654-2s"
        record.placement = "fill"
        let records = try CSVWriter.records(CSVWriter.document([record]), what: "new.csv")
        #expect(records == [record])
    }
}
