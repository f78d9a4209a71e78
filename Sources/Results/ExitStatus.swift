/// The documented exit statuses of `agingbench`.
public enum ExitStatus: Int32, Sendable {
    case success = 0
    /// Something failed while running (not the user's input).
    case failure = 1
    /// Bad input: a one-line message on stderr, nothing written.
    case badInput = 2
    /// Results written, but a model invariant was violated in at least one row.
    case invariantViolated = 3
    /// SIGINT stopped the sweep: the finished cells were written, marked incomplete (128 + 2).
    case interrupted = 130
    /// SIGTERM stopped the sweep: the finished cells were written, marked incomplete (128 + 15).
    case terminated = 143
}
