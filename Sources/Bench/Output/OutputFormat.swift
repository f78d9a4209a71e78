/// A results format the CLI can write with `--format`.
///
/// Contract: `render` is pure and total (it never fails, whatever the records hold), and its result
/// ends with a newline. CSV rows carry their own metadata and ignore the context; JSON takes
/// its `context` object from it; Markdown summarises medians over repetitions.
public enum OutputFormat: String, CaseIterable, Sendable {
    case csv
    case json
    case markdown

    /// The usual file name extension, without the dot.
    public var fileExtension: String {
        switch self {
        case .csv: "csv"
        case .json: "json"
        case .markdown: "md"
        }
    }

    /// Renders records in this format.
    ///
    /// - Parameters:
    ///   - records: rows in the order they should appear.
    ///   - context: machine and build metadata for formats with a header section.
    public func render(_ records: [RunRecord], context: RunContext) -> String {
        switch self {
        case .csv: CSVWriter.document(records)
        case .json: GoogleBenchmarkJSON.render(records, context: context)
        case .markdown: MarkdownTable.render(records)
        }
    }
}
