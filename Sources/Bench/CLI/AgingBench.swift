import ArgumentParser

/// The `agingbench` command: `run` (the default sweep), `list`, `limit`.
public struct AgingBench: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "agingbench",
        abstract: "Measures how a secondary MMU answers the kernel's page-aging questions.",
        discussion: """
            Exit status: 0 success; 1 the run failed; 2 bad input (one line on stderr, no file \
            written); 3 the results were written but a model invariant was violated \
            (non_a_bit_changes or use_after_free is not 0).
            """,
        subcommands: [RunCommand.self, CalibrateCommand.self, ListCommand.self, LimitCommand.self],
        defaultSubcommand: RunCommand.self
    )

    public init() {}
}
