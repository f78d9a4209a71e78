import Results

/// A run that finished and wrote its results but must exit with `status`.
public struct RunOutcome: Error, Sendable {
    public let status: ExitStatus
    public let message: String
}
