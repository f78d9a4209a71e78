extension GoogleBenchmarkJSON {
    /// What a JSON results file holds: its records, and the sweep identity and interrupted-sweep
    /// mark from its `context`, when present.
    public struct Contents: Sendable {
        public var records: [RunRecord]
        public var sweep: SweepIdentity?
        public var incomplete: IncompleteMarker?
    }

    /// Reads a document written by `render` back into records (for `--resume`, `merge`, `compare`).
    ///
    /// Built on the comparison reader's rows (`ResultTable`); the records hold every value
    /// `render` uses, so rendering them again gives the same benchmarks: numbers come from the
    /// counters, the cell's parameters from the name, the other strings from the benchmark's keys
    /// (from the context where a key is missing). A name that is not the one `render` gives the
    /// record read is refused.
    /// Aggregate benchmarks are derived, not read. A `null` counter reads as NaN, as `render` wrote
    /// NaN and infinities as `null`.
    ///
    /// - Throws: `InputError` naming the first thing that is not as `render` writes it.
    public static func read(_ text: String, what: String) throws(InputError) -> Contents {
        let top = try JSONValue.parseObject(text, what: what)
        guard let context = top["context"]?.object, top["benchmarks"]?.array != nil else {
            throw InputError("\(what): not a Google Benchmark results file (needs 'context' and 'benchmarks')")
        }
        let sweep = try context["sweep"].map { object throws(InputError) in try SweepIdentity(jsonObject: object, what: what) }
        let incomplete = try context["incomplete"].map { object throws(InputError) in
            try IncompleteMarker(jsonObject: object, what: what)
        }
        var records: [RunRecord] = []
        for row in try ResultTable.jsonRows(top, what: what) {
            // jsonRows refuses a benchmark without a name.
            let name = row["name"] ?? ""
            let place = "\(what): benchmark '\(name)'"
            var record = RunRecord()
            for column in RunRecord.columnTable {
                try assign(row[column.name], column: column, to: &record, place: place)
            }
            guard BenchmarkName.render(record) == name else {
                throw InputError("\(place): name '\(name)' disagrees with its counters")
            }
            records.append(record)
        }
        return Contents(records: records, sweep: sweep, incomplete: incomplete)
    }

    /// Stores one column of a row read by `ResultTable.jsonRows`: a counter must be there; a
    /// string column the file lacks takes `CSVWriter.valueBeforeItsSchema`, as in an older CSV.
    private static func assign(_ text: String?, column: RunRecord.Column, to record: inout RunRecord, place: String) throws(InputError) {
        let isCounter = counterColumns.contains(column.name)
        guard let text = text ?? (isCounter ? nil : CSVWriter.valueBeforeItsSchema(column)) else {
            throw InputError("\(place): counter '\(column.name)' is missing")
        }
        do {
            try column.assign(text, to: &record)
        } catch {
            throw InputError("\(place): \(isCounter ? "counter" : "key") '\(column.name)' is not a valid value")
        }
    }
}
