import ArgumentParser
import Results
#if canImport(Glibc)
import Glibc
#endif

/// The executable's entry point: parse, run, and map every error to one stderr line and a
/// documented exit status (`ExitStatus`), never a trace.
public enum AgingBenchMain {
    public static func main(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        let (status, output) = run(arguments)
        if !output.isEmpty { print(output) }
        exit(status.rawValue)
    }

    /// Runs the command line; returns the exit status and what help/usage text to print on stdout.
    public static func run(_ arguments: [String]) -> (ExitStatus, String) {
        // Handled before parsing: the line needs the detected commit, which a static
        // configuration cannot hold, and it is the only option of the root command.
        if arguments == ["--version"] {
            return (.success, "agingbench \(AgingBench.version) (commit \(RunContext.gitCommit()))")
        }
        do {
            var command = try AgingBench.parseAsRoot(arguments)
            try command.run()
            // The default sweep (no arguments at all) also runs the virtual vCPU series, which
            // goes beyond this machine's cores.
            // Then it ends with every backend against x86-tdp, on real threads and in virtual time.
            if arguments.isEmpty {
                var series = try AgingBench.parseAsRoot(["run", "--preset", SweepPreset.virtualSeries.rawValue])
                try series.run()
                for results in [OutputDestination.defaultPath(.csv), SweepPreset.virtualSeries.output(.csv)] {
                    var versus = try AgingBench.parseAsRoot(["versus", results])
                    try versus.run()
                }
            }
            return (.success, "")
        } catch {
            return report(error)
        }
    }

    /// Maps an error to its exit status, printing the one-line message on stderr.
    static func report(_ error: Error) -> (ExitStatus, String) {
        let (status, line) = classify(error)
        if status == .success { return (.success, line) }
        printError(line)
        return (status, "")
    }

    /// The exit status and the one line to show for `error`.
    public static func classify(_ error: Error) -> (ExitStatus, String) {
        switch error {
        case let input as InputError:
            return (.badInput, "agingbench: error: \(input.message)")
        case let outcome as RunOutcome:
            return (outcome.status, "agingbench: \(outcome.message)")
        default:
            if AgingBench.exitCode(for: error) == .success {
                return (.success, AgingBench.fullMessage(for: error))
            }
            let message = AgingBench.message(for: error)
                .split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? "invalid arguments"
            return (.badInput, "agingbench: error: \(message.replacingOccurrences(of: "Error: ", with: ""))")
        }
    }

    static func printError(_ line: String) {
        StandardError.write(line + "\n")
    }
}
