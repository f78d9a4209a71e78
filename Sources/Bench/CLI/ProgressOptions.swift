import ArgumentParser

/// `--quiet`, shared by every command that reports its progress on stderr while it works.
///
/// Contract: `--quiet` silences progress only; errors, warnings and notes that ask something of
/// the user still reach stderr.
struct ProgressOptions: ParsableArguments {
    @Flag(help: "No progress on stderr.")
    var quiet = false

    /// Writes `line` and a line break to stderr, unless `--quiet`.
    func report(_ line: String) {
        if !quiet { StandardError.write(line + "\n") }
    }
}
