import ArgumentParser
import Core
import Foundation
import Results

/// `agingbench ablation --arch x86|arm64|riscv`: for one architecture, every aging lock × bitmap
/// × driver mode at each vCPU count, populate under aging, then each factor's effect on its own.
///
/// Writes every cell as a CSV row (`variant` = `ablation:<lock>/bitmap-<on|off>`) and prints the
/// report (`AblationReport`) on stdout. Options are checked before the first cell, as `run`'s.
struct AblationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ablation",
        abstract: "Run the aging lock × bitmap × driver grid for one architecture and report each factor's effect.",
        discussion: """
            Aging locks: none, read, write, and per-rmap where there is an rmap (x86's shadow MMU); \
            bitmap on or off; drivers eviction-only, per-page, bitmap. Every cell populates its \
            memory under back-to-back aging (the selftest's benchmark mode). vCPU counts above \
            cores - 1 oversubscribe the machine; the report marks them.
            """)

    @Option(parsing: .unconditional, help: "Architecture: x86, arm64 or riscv.")
    var arch = ""
    @Option(parsing: .unconditional, help: "Guest memory per vCPU (K/M/G/T).")
    var memory = "32M"
    @OptionGroup var grid: GridOptions<DefaultGrid>
    @Option(parsing: .unconditional, help: "Driver modes, comma-separated, or 'all'.")
    var drivers = "all"
    @OptionGroup var costOptions: CostOptions
    @Option(parsing: .unconditional, help: "Output CSV (default results/ablation-<arch>.csv).")
    var output: String?
    @OptionGroup var progress: ProgressOptions
    @Option(parsing: .unconditional, help: "Print the report of an ablation CSV already run, and run nothing.")
    var from: String?

    /// What `--vcpus` and `--repetitions` mean when left out.
    enum DefaultGrid: GridDefaults {
        static let vcpus = "1,2"
        static let repetitions = 5
    }

    func run() throws {
        if let from {
            guard let text = try? String(contentsOfFile: from, encoding: .utf8) else { throw InputError("cannot read '\(from)'") }
            let report = AblationReport(records: try CSVWriter.records(text, what: from, olderSchemas: true))
            guard !report.isEmpty else { throw InputError("'\(from)' has no ablation rows") }
            print(report.markdown(cores: OSThread.allowedCPUs))
            return
        }
        guard let architecture = AblationArchitecture(rawValue: arch) else {
            throw InputError("invalid architecture '\(arch)': expected \(AblationArchitecture.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let size = try ByteSize(parsing: memory)
        let counts = try grid.vcpuCounts(distinct: true)
        let repetitions = try grid.checkedRepetitions()
        var modes: [DriverMode] = []
        for text in drivers == "all" ? DriverMode.allCases.map(\.rawValue) : RunCommand.list(drivers) {
            guard let mode = DriverMode(rawValue: text), !modes.contains(mode) else {
                throw InputError("invalid driver '\(text)': expected distinct \(DriverMode.allCases.map(\.rawValue).joined(separator: ", ")) or all")
            }
            modes.append(mode)
        }
        var settings = WorkloadSettings()
        settings.seed = grid.seed
        settings.rounds = 0
        settings.costs = costOptions.costs.uncalibratedModel
        try costOptions.checkCalibration(virtualEngine: nil)
        if output == "" { throw InputError("--output is empty: give a file") }
        let path = output ?? "results/ablation-\(architecture.rawValue).csv"
        try AtomicFileWriter.checkWritable(path: path, createParent: output == nil)
        let largest = UInt64(counts.max() ?? 1) * size.pages
        try MemoryEstimate.requireFits(guestPages: largest, structure: .rmap, what: "an ablation cell of \(counts.max() ?? 1) × \(size)")

        let context = RunContext.detect(build: BuildKind.current)
        if costOptions.calibrated {
            settings.costs = try costOptions.loadCalibration(context: context, progress: progress).0.costModel
        }
        if BuildKind.current == "debug" {
            AgingBenchMain.printError("agingbench: WARNING: this is a DEBUG build: timings are meaningless. Use -c release.")
        }
        let runner = AblationRunner(
            architecture: architecture, memoryPerVCPU: size, vcpuCounts: counts, drivers: modes,
            repetitions: repetitions, settings: settings, context: context, quiet: progress.quiet)
        let records = try runner.run()
        try AtomicFileWriter.write(CSVWriter.document(records), to: path, createParent: output == nil)
        print(AblationReport(records: records).markdown(cores: OSThread.allowedCPUs))
        if let violated = RunCommand.invariantOutcome(records, outputPath: path) { throw violated }
    }
}
