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
    ///
    /// Line breaks in `message` (which can come from a file or an argument it quotes) are written
    /// as `\n` and `\r`, so the message stays one line whatever it quotes.
    public init(_ message: String) {
        var flat = ""
        for scalar in message.unicodeScalars {
            switch scalar {
            case "\n": flat += "\\n"
            case "\r": flat += "\\r"
            case "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}": flat += " "
            default: flat.unicodeScalars.append(scalar)
            }
        }
        self.message = flat
    }

    public var description: String { message }
}
