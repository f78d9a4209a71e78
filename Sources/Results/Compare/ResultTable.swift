import Foundation

/// A results file read for comparison: CSV or Google Benchmark JSON as `run` writes them, found
/// by content, not by name.
///
/// Contract: columns are found by name in any order; columns this version does not know are
/// kept and otherwise ignored; repeated CSV header lines (concatenated shards, even of different
/// column orders) start a new header. Every row's `schema` must be one of `supportedSchemas`.
/// Anything else is refused with one `InputError` line naming the file: an empty file, binary
/// data, a CSV cut short (an unclosed quote, a row with fewer fields than its header, or no final
/// line break, which `run` always writes), invalid JSON, a missing `schema`, or an unsupported
/// schema version. Google Benchmark aggregate entries (mean, median, …) are skipped: comparisons
/// need the repetitions themselves.
public struct ResultTable: Sendable {
    /// Schema versions whose columns mean what this version expects: 2, and each later one, which adds columns.
    public static let supportedSchemas: Set<Int> = Set(2...RunRecord.schemaVersion)

    /// Where the rows came from, for messages.
    public let name: String
    /// Every row, in file order.
    public let rows: [ResultRow]
    /// Every column name seen in the file.
    public let columns: Set<String>

    /// Reads and checks the file at `path`.
    public static func load(path: String) throws(InputError) -> ResultTable {
        try parse(try ResultsText.load(path: path), name: path)
    }

    /// Reads and checks results held in `bytes`.
    public static func parse(_ bytes: [UInt8], name: String) throws(InputError) -> ResultTable {
        let what = "'\(name)'"
        let text = try ResultsText.decode(bytes, what: what)
        let rows = ResultsText.isJSON(text) ? try jsonRows(text, what: what) : try csvTable(text, what: what).rows
        try checkSchemas(rows, what: what)
        return ResultTable(name: name, rows: rows, columns: rows.reduce(into: Set<String>()) { $0.formUnion($1.values.keys) })
    }

    /// Refuses a row without a schema version or of a schema this version does not read.
    static func checkSchemas(_ rows: [ResultRow], what: String) throws(InputError) {
        for (number, row) in rows.enumerated() {
            guard let schemaText = row["schema"], let schema = Int(schemaText) else {
                throw InputError("\(what): row \(number + 1) has no schema version")
            }
            guard supportedSchemas.contains(schema) else {
                throw InputError("\(what): schema \(schema) is not supported (this version reads schemas \(supportedSchemas.sorted().map(String.init).joined(separator: ", ")))")
            }
        }
    }

    /// The rows of a results CSV by column name, with every header line it holds (a concatenation
    /// repeats them, in file order): the one CSV reader, which `CSVWriter.records` builds on.
    ///
    /// - Parameters:
    ///   - currentHeader: whether every header must be this schema's (`RunRecord.columns`), as
    ///     `--resume` needs; checked before any row, so the message names the first column that differs.
    static func csvTable(_ text: String, what: String, currentHeader: Bool = false) throws(InputError) -> (headers: [[String]], rows: [ResultRow]) {
        // Bytes, not Characters: "\r\n" is one Character, which hasSuffix("\n") would not match.
        guard text.utf8.last == UInt8(ascii: "\n") else {
            throw InputError("\(what): truncated (the last line has no line break; results files always end with one)")
        }
        let table: [[String]]
        do {
            table = try CSVWriter.parse(text)
        } catch {
            throw InputError("\(what): \(error.message)")
        }
        if currentHeader, let header = table.first, header != RunRecord.columns {
            throw headerMismatch(header, what: what)
        }
        guard var header = table.first, isHeader(header) else {
            throw InputError("\(what): not a results CSV (its first line has no 'schema' and 'backend' columns)")
        }
        var headers = [header]
        var rows: [ResultRow] = []
        for (number, fields) in table.enumerated().dropFirst() {
            if isHeader(fields) {
                if currentHeader && fields != RunRecord.columns { throw headerMismatch(fields, what: what) }
                header = fields
                headers.append(fields)
                continue
            }
            guard fields.count == header.count else {
                throw InputError("\(what): line \(number + 1) has \(fields.count) fields, its header \(header.count) (truncated or not a results file)")
            }
            rows.append(ResultRow(Dictionary(zip(header, fields), uniquingKeysWith: { first, _ in first })))
        }
        return (headers, rows)
    }

    /// Names the first column where `header` differs from this schema's.
    private static func headerMismatch(_ header: [String], what: String) -> InputError {
        let first = zip(header, RunRecord.columns).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(header.count, RunRecord.columns.count)
        let found = first < header.count ? "'\(header[first])'" : "nothing"
        let expected = first < RunRecord.columns.count ? "'\(RunRecord.columns[first])'" : "nothing"
        return InputError("\(what): not a schema \(RunRecord.schemaVersion) results CSV (header column \(first + 1) is \(found), expected \(expected))")
    }

    /// A data row never holds the text "schema" in a field, and every header names both columns.
    private static func isHeader(_ fields: [String]) -> Bool {
        fields.contains("schema") && fields.contains("backend")
    }

    private static func jsonRows(_ text: String, what: String) throws(InputError) -> [ResultRow] {
        let top: [String: JSONValue]
        do {
            top = try JSONValue.parseObject(text, what: what)
        } catch {
            throw InputError("\(error.message) (truncated or not a results file)")
        }
        return try jsonRows(top, what: what)
    }

    /// The rows of a Google Benchmark document by column name, aggregates left out: the one JSON
    /// reader, which `GoogleBenchmarkJSON.read` builds on. A benchmark's own keys win over what
    /// its name carries, and both over the context's.
    static func jsonRows(_ top: [String: JSONValue], what: String) throws(InputError) -> [ResultRow] {
        guard let context = top["context"]?.object, let benchmarks = top["benchmarks"]?.array else {
            throw InputError("\(what): not a Google Benchmark results file (needs 'context' and 'benchmarks')")
        }
        var shared: [String: String] = [:]
        let fromContext = ["schema": "schema", "date": "timestamp", "commit": "commit", "host_name": "host",
                           "cpu_model": "cpu", "num_cpus": "cores", "library_build_type": "build", "kernel": "kernel",
                           "thp": "thp", "toolchain": "toolchain", "command_line": "command"]
        for (key, column) in fromContext {
            if let value = context[key].flatMap(scalarText) { shared[column] = value }
        }
        if let sweep = context["sweep"]?.object {
            for (key, column) in ["pattern": "pattern", "seed": "seed", "write-percent": "write_percent"] {
                if let value = sweep[key]?.string, value != "-" { shared[column] = value }
            }
        }
        var rows: [ResultRow] = []
        for (position, item) in benchmarks.enumerated() {
            let place = "\(what): benchmark \(position + 1)"
            guard let benchmark = item.object, let name = benchmark["name"]?.string else {
                throw InputError("\(place) has no name")
            }
            if benchmark["run_type"]?.string == "aggregate" { continue }
            var values = shared
            guard let fields = BenchmarkName.fields(of: name) else {
                throw InputError("\(place): name '\(name)' is not <backend>/<memory>/vcpus:<n>/aging:<mode>[/...]")
            }
            values.merge(fields) { _, fromName in fromName }
            for (key, value) in benchmark {
                if let converted = scalarText(value) { values[key] = converted }
            }
            if values["repetition"] == nil, let index = benchmark["repetition_index"].flatMap(scalarText) {
                values["repetition"] = index
            }
            rows.append(ResultRow(values))
        }
        return rows
    }

    /// A scalar as CSV would spell it; nil for arrays and objects.
    private static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .null: "nan"
        case .bool(let flag): flag ? "1" : "0"
        case .unsigned(let number): String(number)
        case .signed(let number): String(number)
        case .double(let number): number.description
        case .string(let string): string
        case .array, .object: nil
        }
    }
}
