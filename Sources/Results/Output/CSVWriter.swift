import Foundation

/// Writes and reads the results CSV: RFC 4180 fields, LF line endings, header from `RunRecord.columns`.
///
/// Contract: a field is quoted only when it contains a comma, a double quote, CR or LF, and an
/// embedded double quote is doubled. Lines end in LF, not RFC 4180's CRLF, because the files are
/// consumed by Unix tools (`cat`, `sort`, pandas) that treat a stray CR as data. `header()` and
/// `row(_:)` return one line without its terminator; `document(_:)` ends every line, including the
/// last, with LF, so documents concatenate into valid files (minus repeated headers, which readers
/// should skip). `parse(_:)` accepts both LF and CRLF.
public enum CSVWriter {
    /// The header line: `RunRecord.columns` joined by commas.
    public static func header() -> String {
        RunRecord.columns.map(escape).joined(separator: ",")
    }

    /// One record as a line, in column order.
    public static func row(_ r: RunRecord) -> String {
        r.values.map { escape($0.text) }.joined(separator: ",")
    }

    /// The header and one line per record, each terminated by LF.
    public static func document(_ records: [RunRecord]) -> String {
        var text = header() + "\n"
        for record in records {
            text += row(record) + "\n"
        }
        return text
    }

    /// Quotes a field when RFC 4180 requires it.
    public static func escape(_ field: String) -> String {
        let needsQuotes = field.utf8.contains { byte in
            byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"")
                || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
        }
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Splits CSV text into rows of fields, undoing RFC 4180 quoting.
    ///
    /// A final line terminator does not start an empty row; an empty line elsewhere is a row with one
    /// empty field, as RFC 4180 reads it.
    ///
    /// - Throws: `InputError` for a quote that is never closed, text between a closing quote and the
    ///   next separator, or a quote inside an unquoted field, since each means the file was cut or
    ///   written by something that does not quote, and guessing would misalign columns.
    public static func parse(_ text: String) throws(InputError) -> [[String]] {
        var parser = CSVParser()
        for byte in text.utf8 {
            try parser.consume(byte)
        }
        return try parser.finish()
    }
}
