import ArgumentParser

/// `agingbench baseline`: the CI gate's sweep and its committed baseline.
///
/// `run` runs the gate's sweep, `update` writes it as this machine kind's baseline
/// (`results/baseline-<kind>.csv`), `check` compares results with that baseline using the gate's
/// metrics and thresholds (exit statuses as `compare`).
struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "The CI gate: run its sweep, refresh the committed baseline, check results against it.",
        subcommands: [BaselineRunCommand.self, BaselineUpdateCommand.self, BaselineCheckCommand.self])
}
