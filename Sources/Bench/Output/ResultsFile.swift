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
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError("\(what): no such file")
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw InputError("\(what): not a readable file")
        }
        var file = try read(data, what: what)
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
        guard !data.isEmpty else { throw InputError("\(what): the file is empty") }
        guard let text = String(data: data, encoding: .utf8), !text.contains("\0") else {
            throw InputError("\(what): not a text file")
        }
        if text.first(where: { !$0.isWhitespace }) == "{" {
            let contents = try GoogleBenchmarkJSON.read(text, what: what)
            return ResultsFile(format: .json, records: contents.records, sweep: contents.sweep, incomplete: contents.incomplete)
        }
        return ResultsFile(format: .csv, records: try CSVWriter.records(text, what: what), sweep: nil, incomplete: nil)
    }
}
