import ArgumentParser
import Foundation
import Results

/// `agingbench merge`: the outputs of a sharded sweep (`--shard i/n` on several hosts) as one
/// results file, after checking that they are shards of one sweep.
///
/// Contract: every input is a complete results file of the same format, made by the same suite
/// commit and build, with the same workload and cost model (and, for JSON, the same recorded sweep
/// apart from the shard); no cell appears twice. The output is in the inputs' format, rows in
/// repetition order (each shard's order kept within a repetition), written atomically or to
/// standard output (`--output -`, the default). Any mismatch is refused with one line naming the
/// file and the difference (exit 2).
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Merge the results files of a sharded sweep into one.")

    @Argument(help: "Results files (CSV or JSON, all the same), one per shard.")
    var files: [String] = []
    @Option(parsing: .unconditional, help: "Output file, or - for standard output.")
    var output = "-"

    func run() throws {
        guard !files.isEmpty else { throw InputError("merge needs at least one results file") }
        guard !output.isEmpty else { throw InputError("--output is empty: give a file, or - for standard output") }
        let inputs: [(path: String, file: ResultsFile)] = try files.map { path throws(InputError) in (path, try ResultsFile.read(path: path)) }
        let merged = try ResultsFile.merge(inputs)
        let text: String
        switch merged.format {
        case .json: text = GoogleBenchmarkJSON.render(merged.records, context: ResultsFile.context(of: merged.records), sweep: merged.sweep)
        default: text = CSVWriter.document(merged.records)
        }
        if output == "-" {
            print(text, terminator: "")
        } else {
            try AtomicFileWriter.write(text, to: output)
        }
    }
}
