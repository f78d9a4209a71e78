/// A problem with something the user supplied: an option value, a sweep definition or an output path.
///
/// Contract: `message` is a single line without a trailing period, written for the person at the
/// terminal, and it names the offending value. The command line turns every `InputError` into that
/// line on stderr and exit code 2, so the message must stand on its own without a stack of context.
public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The one-line explanation shown to the user.
    public let message: String

    /// Creates an error with a one-line message.
    ///
    /// - Parameters:
    ///   - message: one line, no trailing period, naming the bad value.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
