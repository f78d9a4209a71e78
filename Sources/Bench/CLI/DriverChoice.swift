import ArgumentParser

/// The values of `--driver`: what each backend's kernel does, or one driver mode for every backend.
enum DriverChoice: Equatable, CustomStringConvertible, ExpressibleByArgument {
    /// Each backend's kernel's own mode (`DriverMode.kernelDefault(for:)`).
    case kernelDefault
    /// This mode for every backend, whatever its kernel would do.
    case fixed(DriverMode)

    init?(argument: String) {
        if argument == "default" {
            self = .kernelDefault
        } else if let mode = DriverMode(rawValue: argument) {
            self = .fixed(mode)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] {
        ["default"] + DriverMode.allCases.map(\.rawValue)
    }

    static var defaultCompletionKind: CompletionKind {
        .list(allValueStrings)
    }

    /// The spelling on the command line, which the sweep's identity records.
    var description: String {
        switch self {
        case .kernelDefault: "default"
        case .fixed(let mode): mode.rawValue
        }
    }

    /// The mode the workload is told to use; nil leaves the choice to each backend.
    var mode: DriverMode? {
        switch self {
        case .kernelDefault: nil
        case .fixed(let mode): mode
        }
    }
}
