/// Everything `compare` found between two results files.
///
/// Contract: `comparisons` holds every metric of every cell present in both files, in cell order
/// then catalog order; `onlyInBase` and `onlyInNew` list cells one side lacks (reported, not
/// errors in themselves); `missingGatingCells` are those of `onlyInBase` that carry a gating metric.
/// `status` is `.nothingComparable` when no cell and metric is in both files; else `.regression`
/// when a gating comparison regressed or, unless `settings.allowMissing`, a gating cell is missing;
/// else `.noRegression`. `baseCPUs`/`newCPUs` are the CPU models each side ran on
/// (`cpuMismatch` when they differ: gating on times across CPUs compares machines, not code). `powerNote` is set when the gating
/// comparisons, with the repetitions they have, could not reach significance after Holm's
/// adjustment even with fully separated samples: a green result then means nothing.
public struct ComparisonReport: Sendable {
    /// The outcome, mapped to the exit status.
    public enum Status: String, Sendable {
        case noRegression = "no regression"
        case regression
        case nothingComparable = "nothing comparable"
    }

    public let baseName: String
    public let newName: String
    public let settings: CompareSettings
    public let comparisons: [MetricComparison]
    public let onlyInBase: [CellKey]
    public let onlyInNew: [CellKey]
    /// Cells of the base with a gating metric that the new file lacks.
    public let missingGatingCells: [CellKey]
    public let baseCPUs: [String]
    public let newCPUs: [String]
    /// The number of gating comparisons in Holm's family.
    public let gatingFamilySize: Int
    /// The repetitions per side every gating comparison would need to be able to show a change.
    public let repetitionsNeeded: Int?
    public let powerNote: String?
    /// Whether at least one gating comparison could reach significance after Holm's adjustment.
    public let canShowRegression: Bool
    public let status: Status

    /// Whether the two sides ran on different CPU models (both known).
    public var cpuMismatch: Bool {
        !baseCPUs.isEmpty && !newCPUs.isEmpty && Set(baseCPUs) != Set(newCPUs)
    }

    /// Whether missing gating cells fail this comparison.
    public var missingCellsFail: Bool { !missingGatingCells.isEmpty && !settings.allowMissing }

    /// One line on the CPU models when they differ, nil when they match.
    public var cpuMismatchNote: String? {
        guard cpuMismatch else { return nil }
        return "base ran on \(baseCPUs.joined(separator: " + ")), new on \(newCPUs.joined(separator: " + ")): "
            + "times and time ratios compare the machines as much as the code; exact counts still gate"
    }

    /// The comparisons with `verdict`.
    public func with(_ verdict: Verdict) -> [MetricComparison] {
        comparisons.filter { $0.verdict == verdict }
    }

    /// The exit status `compare` ends with.
    public var exitStatus: ExitStatus {
        switch status {
        case .noRegression: .success
        case .regression: .regression
        case .nothingComparable: .nothingComparable
        }
    }
}
