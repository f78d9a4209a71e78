extension CSVWriter {
    /// Reads a results CSV back into records, for `--resume`: the inverse of `document(_:)`.
    ///
    /// Repeated header lines are skipped, so concatenated shard outputs read as one file.
    ///
    /// - Throws: `InputError` naming the line when the header is not this schema's, a row has the
    ///   wrong number of fields, or a field is not a valid value of its column.
    public static func records(_ text: String, what: String) throws(InputError) -> [RunRecord] {
        let table: [[String]]
        do {
            table = try parse(text)
        } catch {
            throw InputError("\(what): \(error.message)")
        }
        guard let header = table.first else { throw InputError("\(what): the file is empty") }
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
}
