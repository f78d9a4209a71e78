import ArgumentParser

/// The `agingbench` command: `run` (the default sweep), `list`, `limit`.
public struct AgingBench: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "agingbench",
        abstract: "Measures how a secondary MMU answers the kernel's page-aging questions.",
        discussion: """
            agingbench --version prints the suite version and commit.

            Exit status: 0 success; 1 the run failed; 2 bad input (one line on stderr, no file \
            written); 3 the results were written but a model invariant was violated \
            (non_a_bit_changes, stale_mappings, stale_accesses or use_after_free is not 0); 130 (SIGINT) or 143 (SIGTERM) the \
            sweep was interrupted and its finished cells were written, marked incomplete.
            """,
        subcommands: [
            RunCommand.self, CalibrateCommand.self, MergeCommand.self, ListCommand.self, MachinesCommand.self, LimitCommand.self,
            AblationCommand.self, SensitivityCommand.self, PlotCommand.self,
            CompareCommand.self, VersusCommand.self, ABCommand.self, BaselineCommand.self, HistoryCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )

    /// The suite's version; the commit is detected at run time.
    public static let version = "0.2.0"

    public init() {}
}
