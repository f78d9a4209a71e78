import Results

/// Where `run` writes its results: standard output for `--output -`, otherwise a file.
///
/// Contract: a file is written by `AtomicFileWriter` (regular files only, symlinks written
/// through); `createParent` is true only for the default `results/latest.<ext>`, so a missing
/// directory anywhere else is an error rather than a new directory tree.
enum OutputDestination: Equatable {
    case standardOutput
    case file(path: String, createParent: Bool)

    init(option: String?, format: OutputFormat) {
        switch option {
        case "-": self = .standardOutput
        case let path?: self = .file(path: path, createParent: false)
        case nil: self = .file(path: Self.defaultPath(format), createParent: true)
        }
    }

    /// Where `run` writes without `--output`.
    static func defaultPath(_ format: OutputFormat) -> String {
        "results/latest.\(format.fileExtension)"
    }

    /// The path, or "standard output", for messages.
    var name: String {
        switch self {
        case .standardOutput: "standard output"
        case .file(let path, _): path
        }
    }
}
