/// Everything `compare` found between two results files.
///
/// Contract: `comparisons` holds every metric of every cell present in both files, in cell order
/// then catalog order; `onlyInBase` and `onlyInNew` list cells one side lacks (reported, not
/// errors). `status` is `.regression` when a gating comparison regressed, `.nothingComparable` when
/// no cell and metric is in both files, else `.noRegression`. `powerNote` is set when the gating
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
    /// The number of gating comparisons in Holm's family.
    public let gatingFamilySize: Int
    /// The repetitions per side every gating comparison would need to be able to show a change.
    public let repetitionsNeeded: Int?
    public let powerNote: String?
    /// Whether at least one gating comparison could reach significance after Holm's adjustment.
    public let canShowRegression: Bool
    public let status: Status

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
