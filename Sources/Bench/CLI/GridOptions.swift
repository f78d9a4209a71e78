import ArgumentParser
import Results

/// `--vcpus`, `--repetitions` and `--seed`: the grid options `run` and `ablation` share, with one
/// spelling, range and help text; what each means when left out is the command's (`Defaults`).
///
/// Contract: `vcpus` and `repetitions` stay nil when not given, so a caller can tell a default
/// from a choice (`run --preset` fills only the options not given).
struct GridOptions<Defaults: GridDefaults>: ParsableArguments {
    @Option(parsing: .unconditional, help: "vCPU counts, comma-separated (1-\(RunCommand.maximumVCPUs); default \(Defaults.vcpus)).")
    var vcpus: String?
    @Option(parsing: .unconditional, help: "Repetitions of the whole grid, cells interleaved across repetitions (1-\(RunCommand.maximumRepetitions); default \(Defaults.repetitions)).")
    var repetitions: Int?
    @Option(parsing: .unconditional, help: "Seed of every vCPU's access stream (0-\(UInt64.max)).")
    var seed = WorkloadSettings().seed

    /// The vCPU counts given, else `fallback`, else the command's default, each checked.
    ///
    /// - Parameters:
    ///   - fallback: what stands in for a missing `--vcpus` before the command's default (a preset's).
    ///   - distinct: whether a repeated count is refused here (`SweepPlan` refuses it later otherwise).
    func vcpuCounts(fallback: String? = nil, distinct: Bool = false) throws(InputError) -> [Int] {
        var counts: [Int] = []
        for text in RunCommand.list(vcpus ?? fallback ?? Defaults.vcpus) {
            guard let count = Int(text), (1...RunCommand.maximumVCPUs).contains(count), !(distinct && counts.contains(count)) else {
                let expected = distinct ? "distinct whole numbers" : "a whole number"
                throw InputError("invalid vCPU count '\(text)': expected \(expected) from 1 to \(RunCommand.maximumVCPUs)")
            }
            counts.append(count)
        }
        return counts
    }

    /// The repetitions given, else `fallback`, else the command's default, checked.
    func checkedRepetitions(fallback: Int? = nil) throws(InputError) -> Int {
        let repetitions = self.repetitions ?? fallback ?? Defaults.repetitions
        guard (1...RunCommand.maximumRepetitions).contains(repetitions) else {
            throw InputError("--repetitions \(repetitions) is out of range: expected 1 to \(RunCommand.maximumRepetitions)")
        }
        return repetitions
    }
}
