import ArgumentParser
import Results

/// `agingbench history append FILE --commit SHA`: adds the medians of every metric of every cell
/// of a results file (CSV or JSON, read as `compare` reads it) to the history, atomically;
/// appending a commit again replaces its lines.
struct HistoryAppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append", abstract: "Append a results file's medians per cell and metric to the history.")

    @Argument(help: "Results file (CSV or Google Benchmark JSON; shards may be concatenated).")
    var file: String
    @Option(parsing: .unconditional, help: "The commit the results belong to (replaces its earlier lines).")
    var commit: String
    @Option(parsing: .unconditional, help: "History file.")
    var history = HistoryCommand.defaultPath
    @Option(parsing: .unconditional, help: "The backend *_vs_reference ratios divide by.")
    var reference = "x86-tdp"

    func run() throws {
        guard !commit.isEmpty, !commit.contains(where: { $0.isNewline || $0 == "," || $0 == "\"" }) else {
            throw InputError("--commit '\(commit)' must be a non-empty commit id without commas, quotes or line breaks")
        }
        let createParent = history == HistoryCommand.defaultPath
        try AtomicFileWriter.checkWritable(path: history, createParent: createParent)
        var settings = CompareSettings()
        settings.reference = reference
        let added = HistoryFile.entries(from: try ResultTable.load(path: file), commit: commit, settings: settings)
        guard !added.isEmpty else { throw InputError("'\(file)': no metric to record (no rows with a known metric)") }
        let existing = try HistoryFile.load(path: history)
        try AtomicFileWriter.write(HistoryFile.document(existing: existing, adding: added), to: history, createParent: createParent)
        StandardError.write("agingbench: \(added.count) medians of commit \(commit) in \(history)\n")
    }
}
