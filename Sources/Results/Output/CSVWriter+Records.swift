extension CSVWriter {
    /// Reads a results CSV back into records, for `--resume`: the inverse of `document(_:)`.
    ///
    /// Built on the comparison reader's rows (`ResultTable`), so both accept and refuse the same
    /// text alike; this one then asks more. Repeated header lines are skipped, so concatenated
    /// shard outputs read as one file.
    ///
    /// - Throws: `InputError` naming the line when a header is not this schema's, a row has the
    ///   wrong number of fields, or a field is not a valid value of its column.
    ///
    /// With `olderSchemas`, a file of an earlier schema (one `ResultTable` reads) is read too, its
    /// columns matched by name: a column the file predates takes `valueBeforeItsSchema`. Resume
    /// keeps this off — it needs the very columns it writes — and the readers that only look at
    /// rows (`plot`, `ablation --from`) turn it on.
    public static func records(_ text: String, what: String, olderSchemas: Bool = false) throws(InputError) -> [RunRecord] {
        // What every reader refuses (empty text, NUL bytes) this one refuses with the same line.
        _ = try ResultsText.decode(Array(text.utf8), what: what)
        let (headers, rows) = try ResultTable.csvTable(text, what: what, currentHeader: !olderSchemas)
        let known = Set(RunRecord.columns)
        for header in headers {
            if let unknown = header.first(where: { !known.contains($0) }) {
                throw InputError("\(what): column '\(unknown)' is in no schema this version reads")
            }
        }
        try ResultTable.checkSchemas(rows, what: what)
        var records: [RunRecord] = []
        for (number, row) in rows.enumerated() {
            var record = RunRecord()
            for column in RunRecord.columnTable {
                do {
                    try column.assign(row[column.name] ?? valueBeforeItsSchema(column), to: &record)
                } catch {
                    throw InputError("\(what): row \(number + 1): \(error.message)")
                }
            }
            records.append(record)
        }
        return records
    }

    /// What a column reads as in a file written before it existed: what every run of that time
    /// had (the real engine, no TLB, nothing counted: `RunRecord.empty`'s value), so old rows
    /// chart and compare as they were; the machine's details were not recorded.
    static func valueBeforeItsSchema(_ column: RunRecord.Column) -> String {
        switch column.name {
        case "kernel", "thp", "toolchain": "unknown"
        default: column.value(of: .empty).text
        }
    }
}
