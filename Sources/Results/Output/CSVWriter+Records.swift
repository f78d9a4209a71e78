extension CSVWriter {
    /// Reads a results CSV back into records, for `--resume`: the inverse of `document(_:)`.
    ///
    /// Repeated header lines are skipped, so concatenated shard outputs read as one file.
    ///
    /// - Throws: `InputError` naming the line when the header is not this schema's, a row has the
    ///   wrong number of fields, or a field is not a valid value of its column.
    ///
    /// With `olderSchemas`, a file of an earlier schema (one `ResultTable` reads) is read too, its
    /// columns matched by name: a column the file predates takes `valueBeforeItsSchema`. Resume
    /// keeps this off — it needs the very columns it writes — and the readers that only look at
    /// rows (`plot`, `ablation --from`) turn it on.
    public static func records(_ text: String, what: String, olderSchemas: Bool = false) throws(InputError) -> [RunRecord] {
        let table: [[String]]
        do {
            table = try parse(text)
        } catch {
            throw InputError("\(what): \(error.message)")
        }
        guard let header = table.first else { throw InputError("\(what): the file is empty") }
        if olderSchemas && header != RunRecord.columns && header.contains("schema") {
            return try olderRecords(table, what: what)
        }
        guard header == RunRecord.columns else {
            let first = zip(header, RunRecord.columns).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(header.count, RunRecord.columns.count)
            let found = first < header.count ? "'\(header[first])'" : "nothing"
            let expected = first < RunRecord.columns.count ? "'\(RunRecord.columns[first])'" : "nothing"
            throw InputError("\(what): not a schema \(RunRecord.schemaVersion) results CSV (header column \(first + 1) is \(found), expected \(expected))")
        }
        var records: [RunRecord] = []
        for (number, row) in table.enumerated().dropFirst() where row != header {
            guard row.count == header.count else {
                throw InputError("\(what): row \(number + 1) has \(row.count) fields, the header \(header.count)")
            }
            var record = RunRecord()
            for (column, field) in zip(RunRecord.columnTable, row) {
                do {
                    try column.assign(field, to: &record)
                } catch {
                    throw InputError("\(what): row \(number + 1): \(error.message)")
                }
            }
            records.append(record)
        }
        return records
    }

    /// What a column reads as in a file written before it existed: what every run of that time
    /// had (the real engine, no TLB, nothing counted), so old rows chart and compare as they were.
    static func valueBeforeItsSchema(_ column: RunRecord.Column) -> String {
        switch column.name {
        case "engine": "real"
        case "kernel", "thp", "toolchain": "unknown"
        default:
            if case .string = column.field { "" } else { "0" }
        }
    }

    /// Rows of an earlier schema, every header (a concatenation may repeat it) matched by name.
    private static func olderRecords(_ table: [[String]], what: String) throws(InputError) -> [RunRecord] {
        let known = Dictionary(uniqueKeysWithValues: RunRecord.columnTable.map { ($0.name, $0) })
        var header = table[0]
        var records: [RunRecord] = []
        for (number, row) in table.enumerated() {
            if row.contains("schema") && row.contains("backend") {
                if let unknown = row.first(where: { known[$0] == nil }) {
                    throw InputError("\(what): line \(number + 1): column '\(unknown)' is in no schema this version reads")
                }
                header = row
                continue
            }
            guard row.count == header.count else {
                throw InputError("\(what): row \(number + 1) has \(row.count) fields, the header \(header.count)")
            }
            let fields = Dictionary(zip(header, row), uniquingKeysWith: { first, _ in first })
            guard let schema = fields["schema"].flatMap(Int.init), ResultTable.supportedSchemas.contains(schema) else {
                throw InputError("""
                    \(what): row \(number + 1): schema '\(fields["schema"] ?? "")' is not one this version reads \
                    (\(ResultTable.supportedSchemas.sorted().map(String.init).joined(separator: ", ")))
                    """)
            }
            var record = RunRecord()
            for column in RunRecord.columnTable {
                do {
                    try column.assign(fields[column.name] ?? valueBeforeItsSchema(column), to: &record)
                } catch {
                    throw InputError("\(what): row \(number + 1): \(error.message)")
                }
            }
            records.append(record)
        }
        return records
    }
}
