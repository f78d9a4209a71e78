import Foundation
import Results

/// Two `agingbench` executables run alternately on the same cells, A then B, round after round,
/// as `ab` pairs them (`PairedRuns`).
///
/// Contract: each round runs `run` with `cells` and one repetition, A first, each into a file of
/// its own in a temporary directory that is removed afterwards; a run that exits 3 (an invariant
/// violated) still wrote its rows and is kept, as `compare` would keep it, and any other failure
/// ends the whole comparison with one line naming the executable and the round.
struct AlternatingRuns {
    let a: String
    let b: String
    /// `run` options naming the cells; they must leave `--output`, `--repetitions`, `--resume`,
    /// `--format` and `--shard` to this type.
    let cells: [String]
    let rounds: Int

    /// Runs every round; `progress` hears of each as it starts. Returns the rounds' tables, A's and B's.
    func run(progress: (String) -> Void) throws(InputError) -> [(a: ResultTable, b: ResultTable)] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agingbench-ab-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw InputError("cannot create \(directory.path): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        var pairs: [(a: ResultTable, b: ResultTable)] = []
        for round in 1...rounds {
            progress("agingbench: ab round \(round)/\(rounds)")
            var tables: [ResultTable] = []
            for (label, executable) in [("A", a), ("B", b)] {
                let output = directory.appendingPathComponent("\(label)-\(round).csv").path
                let (status, errors) = Subprocess.run(
                    executable, ["run"] + cells + ["--repetitions", "1", "--quiet", "--output", output])
                guard status == 0 || status == 3 else {
                    throw InputError("\(label) (\(executable)) failed in round \(round) (exit \(status)): \(Subprocess.lastLine(errors))")
                }
                tables.append(try ResultTable.load(path: output))
            }
            pairs.append((tables[0], tables[1]))
        }
        return pairs
    }
}
