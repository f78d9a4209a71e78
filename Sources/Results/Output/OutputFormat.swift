/// A results format the CLI can write with `--format`.
///
/// Contract: `render` is pure and total (it never fails, whatever the records hold), and its result
/// ends with a newline. CSV rows carry their own metadata and ignore the context, the sweep and
/// the mark (the caller writes an incomplete CSV's mark to its sidecar); JSON takes its `context`
/// object from the context and keeps the sweep and the mark in it; Markdown summarises medians
/// over repetitions and ends with a note when the sweep is incomplete.
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
    ///   - sweep: the sweep's identity, for formats that record it.
    ///   - incomplete: set when the sweep was interrupted before all its cells ran.
    public func render(
        _ records: [RunRecord], context: RunContext, sweep: SweepIdentity? = nil, incomplete: IncompleteMarker? = nil
    ) -> String {
        switch self {
        case .csv: CSVWriter.document(records)
        case .json: GoogleBenchmarkJSON.render(records, context: context, sweep: sweep, incomplete: incomplete)
        case .markdown:
            MarkdownTable.render(records) + (incomplete.map {
                "\n_Incomplete: interrupted by \($0.signal) after \($0.cellsDone) of \($0.cellsTotal) cells._\n"
            } ?? "")
        }
    }
}
