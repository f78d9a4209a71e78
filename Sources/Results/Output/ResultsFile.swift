import Foundation

/// A results file read back, CSV or Google Benchmark JSON, told apart by its content (JSON starts
/// with `{`), with the marks a file can carry: the sweep it belongs to and whether it is
/// incomplete (a JSON file's `context`, a CSV file's sidecar `<path>.incomplete`).
///
/// Contract: `read` accepts exactly what `run` writes (and concatenations of CSV outputs) and
/// refuses anything else with one `InputError` line naming the file.
public struct ResultsFile: Sendable {
    public var format: OutputFormat
    public var records: [RunRecord]
    public var sweep: SweepIdentity?
    public var incomplete: IncompleteMarker?

    /// Reads the file at `path`.
    public static func read(path: String) throws(InputError) -> ResultsFile {
        let what = "'\(path)'"
        var file = try read(Data(try ResultsText.load(path: path)), what: what)
        if file.format == .csv {
            let sidecar = IncompleteMarker.sidecarPath(for: path)
            if let mark = FileManager.default.contents(atPath: sidecar) {
                let (marker, sweep) = try IncompleteMarker.readSidecar(String(decoding: mark, as: UTF8.self), what: "\(what): mark '\(sidecar)'")
                file.incomplete = marker
                file.sweep = sweep
            }
        }
        return file
    }

    /// Reads results from `data`; `what` names them in errors.
    public static func read(_ data: Data, what: String) throws(InputError) -> ResultsFile {
        let text = try ResultsText.decode([UInt8](data), what: what)
        if ResultsText.isJSON(text) {
            let contents = try GoogleBenchmarkJSON.read(text, what: what)
            return ResultsFile(format: .json, records: contents.records, sweep: contents.sweep, incomplete: contents.incomplete)
        }
        return ResultsFile(format: .csv, records: try CSVWriter.records(text, what: what), sweep: nil, incomplete: nil)
    }
}
