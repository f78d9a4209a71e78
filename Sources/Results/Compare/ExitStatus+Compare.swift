extension ExitStatus {
    /// `compare`: a gating metric regressed (the same number as a failed run: the check failed).
    public static let regression = ExitStatus.failure
    /// `compare`: no cell and metric is in both files, so nothing was checked.
    public static let nothingComparable = ExitStatus.invariantViolated
}
