import Results

/// What one grid point measured: its three rows and the two ratios made from them.
///
/// Contract: the ratios are computed from the rows and nothing else, so a reader can check them
/// against the figures the CSV prints beside them; a ratio whose divisor is not a positive
/// measurement (no aging pass finished, an empty populate) is nil rather than infinite.
public struct SensitivityResult: Sendable {
    public let point: SensitivityGrid.Point
    /// The write-locked backend with aging during populate.
    public let writeLockedAging: RunRecord
    /// The lockless backend with aging during populate.
    public let locklessAging: RunRecord
    /// The write-locked backend populating without aging.
    public let writeLockedNoAging: RunRecord

    public init(point: SensitivityGrid.Point, writeLockedAging: RunRecord, locklessAging: RunRecord, writeLockedNoAging: RunRecord) {
        self.point = point
        self.writeLockedAging = writeLockedAging
        self.locklessAging = locklessAging
        self.writeLockedNoAging = writeLockedNoAging
    }

    /// Write-locked ÷ lockless mean aging pass (`pass_avg_s` of the two aging rows).
    public var passRatio: Double? {
        guard writeLockedAging.agingPasses > 0, locklessAging.agingPasses > 0 else { return nil }
        return Self.ratio(writeLockedAging.passAverageSeconds, locklessAging.passAverageSeconds)
    }

    /// Populate with write-locked aging ÷ without (`populate_s` of the write-locked rows).
    public var populateRatio: Double? {
        Self.ratio(writeLockedAging.populateSeconds, writeLockedNoAging.populateSeconds)
    }

    /// The rows, in the order they ran.
    public var records: [RunRecord] { [writeLockedAging, locklessAging, writeLockedNoAging] }

    public func ratio(_ kind: SensitivityRatio) -> Double? {
        switch kind {
        case .pass: passRatio
        case .populate: populateRatio
        }
    }

    static func ratio(_ numerator: Double, _ denominator: Double) -> Double? {
        guard denominator > 0, denominator.isFinite, numerator.isFinite else { return nil }
        return numerator / denominator
    }
}

/// The two ratios a sensitivity map shows.
public enum SensitivityRatio: String, Sendable, CaseIterable {
    /// Write-locked ÷ lockless mean aging pass.
    case pass
    /// Populate with write-locked aging ÷ without.
    case populate

    /// The CSV column.
    public var column: String { "\(rawValue)_ratio" }

    /// What the ratio divides, for titles and the summary.
    public func describe(writeLocked: String, lockless: String) -> String {
        switch self {
        case .pass: "mean aging pass, \(writeLocked) (write-locked) ÷ \(lockless) (lockless)"
        case .populate: "populate with \(writeLocked) (write-locked) aging ÷ without"
        }
    }

    /// What a ratio above 1 means.
    public var aboveMeaning: String {
        switch self {
        case .pass: "write-locked slower"
        case .populate: "slower with aging"
        }
    }

    /// What a ratio below 1 means.
    public var belowMeaning: String {
        switch self {
        case .pass: "write-locked faster"
        case .populate: "faster with aging"
        }
    }
}
