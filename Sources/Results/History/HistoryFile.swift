import Foundation

/// `results/history.csv`: medians per cell × metric × commit, appended one results file at a time.
///
/// Contract: the file is CSV with the header `commit,date,<parameter columns>,metric,unit,median,repetitions`
/// and is read by column name, so a later version may add columns. Appending a commit that is
/// already there replaces its lines (a re-run of CI for one commit does not count twice); other
/// lines keep their order, so the file's order is the order commits were appended, which is the
/// x axis of the trend charts. Written atomically through `AtomicFileWriter`.
public enum HistoryFile {
    static let leadingColumns = ["commit", "date"]
    static let trailingColumns = ["metric", "unit", "median", "repetitions"]

    /// The medians of every catalog metric of every cell in `file`, for `commit`.
    public static func entries(from file: ResultTable, commit: String, settings: CompareSettings) -> [HistoryEntry] {
        let keyColumns = CellKey.parameterColumns.filter(file.columns.contains)
        let metrics = CompareMetric.catalog.filter { settings.metrics?.contains($0.name) ?? true }
        let samples = Comparer.samples(file, keyColumns: keyColumns, metrics: metrics, reference: settings.reference)
        let date = file.rows.compactMap { $0["timestamp"] }.max() ?? ""
        return samples.order.flatMap { cell in
            metrics.compactMap { metric -> HistoryEntry? in
                guard let values = samples.values[cell]?[metric.name], !values.isEmpty else { return nil }
                return HistoryEntry(commit: commit, date: date, cell: cell, metric: metric.name, unit: metric.unit,
                                    median: MarkdownTable.median(values), repetitions: values.count)
            }
        }
    }

    /// Reads a history file; a missing file is an empty history.
    ///
    /// - Throws: `InputError` for a file that is not a history CSV.
    public static func load(path: String) throws(InputError) -> [HistoryEntry] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path), !data.contains(0),
              let text = String(validating: [UInt8](data), as: UTF8.self) else {
            throw InputError("'\(path)': cannot be read as a history CSV")
        }
        return try parse(text, what: "'\(path)'")
    }

    /// Reads history text.
    public static func parse(_ text: String, what: String) throws(InputError) -> [HistoryEntry] {
        let table: [[String]]
        do {
            table = try CSVWriter.parse(text)
        } catch {
            throw InputError("\(what): \(error.message)")
        }
        guard let header = table.first else { return [] }
        let required = leadingColumns + trailingColumns
        if let missing = required.first(where: { !header.contains($0) }) {
            throw InputError("\(what): not a history CSV (no '\(missing)' column)")
        }
        let keyColumns = CellKey.parameterColumns.filter(header.contains)
        var entries: [HistoryEntry] = []
        for (number, fields) in table.enumerated().dropFirst() where fields != header {
            guard fields.count == header.count else {
                throw InputError("\(what): line \(number + 1) has \(fields.count) fields, the header \(header.count)")
            }
            let row = ResultRow(Dictionary(zip(header, fields), uniquingKeysWith: { first, _ in first }))
            guard let median = row.number("median"), let repetitions = row.number("repetitions").flatMap({ Int(exactly: $0) }) else {
                throw InputError("\(what): line \(number + 1): median or repetitions is not a number")
            }
            entries.append(HistoryEntry(
                commit: row["commit"] ?? "", date: row["date"] ?? "", cell: CellKey(row: row, columns: keyColumns),
                metric: row["metric"] ?? "", unit: row["unit"] ?? "", median: median, repetitions: repetitions))
        }
        return entries
    }

    /// The history as CSV text: `existing` without `commit`'s old lines, then `added`.
    public static func document(existing: [HistoryEntry], adding added: [HistoryEntry]) -> String {
        let commits = Set(added.map(\.commit))
        let entries = existing.filter { !commits.contains($0.commit) } + added
        let keyColumns = CellKey.parameterColumns.filter { column in entries.contains { $0.cell.columns.contains(column) } }
        var text = (leadingColumns + keyColumns + trailingColumns).map(CSVWriter.escape).joined(separator: ",") + "\n"
        for entry in entries {
            let fields = [entry.commit, entry.date] + keyColumns.map(entry.cell.value)
                + [entry.metric, entry.unit, entry.median.description, String(entry.repetitions)]
            text += fields.map(CSVWriter.escape).joined(separator: ",") + "\n"
        }
        return text
    }
}
