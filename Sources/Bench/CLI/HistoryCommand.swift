import ArgumentParser

/// `agingbench history`: medians per cell × metric × commit in `results/history.csv`, and trend
/// charts drawn from it.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Track medians over commits (results/history.csv) and draw SVG trend charts.",
        subcommands: [HistoryAppendCommand.self, HistoryPlotCommand.self])

    static let defaultPath = "results/history.csv"
}
