import ArgumentParser
import Foundation
import Results

/// `agingbench sensitivity`: where write-locked aging falls over. Sweeps the share of a fault
/// spent under `mmu_lock` and the cache-line transfer latency over a grid, in the virtual engine,
/// and at each point and vCPU count sets a write-locked backend against a lockless one.
///
/// Writes a CSV of every point (the two ratios and the figures they come from), one SVG heat map
/// per vCPU count and ratio beside it, and prints the ratio tables on stdout. Every option is
/// checked, and every output path proved writable, before the first cell runs.
struct SensitivityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sensitivity",
        abstract: "Map where write-locked aging falls over: mmu_lock share × line-transfer latency, in virtual time.",
        discussion: """
            At each grid point and vCPU count three cells run in the virtual engine: the \
            write-locked backend with aging on, the lockless one with aging on, and the \
            write-locked one with aging off. Ratios: pass (write-locked ÷ lockless mean aging \
            pass) and populate (populate with write-locked aging ÷ without). Maps go beside the \
            CSV as <stem>-<pass|populate>-<n>vcpu.svg. See docs/sensitivity.md.
            """)

    @Option(parsing: .unconditional, help: "Shares (0-1] of the calibrated fault remainder spent under mmu_lock, comma-separated (at most \(SensitivityGrid.maximumAxis)).")
    var shares = SensitivityGrid.defaultShares
    @Option(parsing: .unconditional, help: "Cache-line transfer latencies in nanoseconds, comma-separated (at most \(SensitivityGrid.maximumAxis)).")
    var latencies = SensitivityGrid.defaultLatencies
    @Option(parsing: .unconditional, help: "vCPU counts, comma-separated (1-\(RunCommand.maximumVCPUs)); one map per count and ratio.")
    var vcpus = SensitivityGrid.defaultVCPUs
    @Option(parsing: .unconditional, help: "The pair writeLocked,lockless: the first's aging takes mmu_lock for write, the second's no mmu_lock.")
    var backends = SensitivityPair.defaultOption
    @Option(parsing: .unconditional, help: "Guest memory per vCPU, with K/M/G/T suffixes.")
    var memory = Self.defaultMemory
    @Option(parsing: .unconditional, help: "Accesses per vCPU after populate, in multiples of its pages (0-\(RunCommand.maximumRounds); 0: populate only, where faults contend with aging).")
    var rounds = 0
    @Option(parsing: .unconditional, help: "Seed of every vCPU's access stream (0-\(UInt64.max)).")
    var seed = WorkloadSettings().seed
    @OptionGroup var costOptions: CostOptions
    @OptionGroup var machineOptions: MachineOptions
    @Option(parsing: .unconditional, help: "Cells run at once on worker threads (default: the active CPUs; fewer when the largest cells would not fit in memory side by side); the rows are a serial run's.")
    var jobs: Int?
    @Option(parsing: .unconditional, help: "Output CSV (default \(Self.defaultOutput)); the maps go beside it.")
    var output: String?
    @OptionGroup var progress: ProgressOptions

    /// The default map (150 cells, up to 1 GiB of guest at 32 vCPUs) runs in about 20 s of a
    /// release build on two cores; more memory would not add aging passes (populate and a pass
    /// grow together), only time.
    static let defaultMemory = "32M"
    static let defaultOutput = "results/sensitivity.csv"

    /// Everything the options say, checked.
    struct Validated {
        var grid: SensitivityGrid
        var pair: SensitivityPair
        var memory: ByteSize
        var settings: WorkloadSettings
        var csvPath: String
        var chartPaths: [(ratio: SensitivityRatio, vcpus: Int, path: String)]
        var createParent: Bool
        var jobs: Int
    }

    func validated() throws(InputError) -> Validated {
        let grid = try SensitivityGrid(shares: shares, latencies: latencies, vcpus: vcpus)
        let pair = try SensitivityPair(option: backends)
        let size = try ByteSize(parsing: memory)
        guard (0...RunCommand.maximumRounds).contains(rounds) else {
            throw InputError("--rounds \(rounds) is out of range: expected 0 to \(RunCommand.maximumRounds)")
        }
        // The share axis splits the calibrated fault remainder: without one it would split nothing.
        guard costOptions.calibrated else {
            throw InputError("--costs \(costOptions.costs.rawValue) has no calibrated fault remainder for --shares to split; sensitivity needs --costs calibrated")
        }
        try costOptions.checkCalibration(virtualEngine: true)
        if let jobs, jobs < 1 { throw InputError("--jobs \(jobs) is out of range: expected at least 1") }
        if output == "" { throw InputError("--output is empty: give a CSV file") }
        if output == "-" { throw InputError("--output - is not supported: the maps are written beside the CSV, so give a file") }
        let csvPath = output ?? Self.defaultOutput
        let directory = (csvPath as NSString).deletingLastPathComponent
        let stem = ((csvPath as NSString).lastPathComponent as NSString).deletingPathExtension
        let chartPaths = grid.vcpuCounts.flatMap { count in
            SensitivityRatio.allCases.map { ratio in
                (ratio, count, (directory as NSString).appendingPathComponent(
                    SensitivityReport.chartName(stem: stem, ratio: ratio, vcpus: count)))
            }
        }
        var settings = WorkloadSettings()
        settings.engine = .virtual
        settings.schedule = .deterministic
        settings.rounds = rounds
        settings.seed = seed
        settings.costs = costOptions.costs.uncalibratedModel
        // With every line move at the swept latency, the machine decides where the agents sit
        // (two on one CPU move no line), not what a move costs.
        try machineOptions.apply(engine: .virtual, to: &settings)
        return Validated(
            grid: grid, pair: pair, memory: size, settings: settings, csvPath: csvPath, chartPaths: chartPaths,
            createParent: output == nil, jobs: jobs ?? max(1, ProcessInfo.processInfo.activeProcessorCount))
    }

    func run() throws {
        var options = try validated()
        // The largest guest of the grid must fit, as `run` checks its plans.
        let plan = try SweepPlan(
            backends: [options.pair.writeLocked.name, options.pair.lockless.name], memorySizes: [options.memory],
            vcpuCounts: options.grid.vcpuCounts, aging: [true, false], repetitions: 1)
        try MemoryEstimate.check(plan, hostSide: options.settings.costs.hostSide, frames: false)
        try AtomicFileWriter.checkWritable(path: options.csvPath, createParent: options.createParent)
        for chart in options.chartPaths {
            try AtomicFileWriter.checkWritable(path: chart.path, createParent: options.createParent)
        }

        let context = RunContext.detect(build: BuildKind.current)
        var (calibration, calibrationPath) = try costOptions.loadCalibration(context: context, progress: progress)
        options.settings.costs = calibration.costModel
        options.settings.engineCosts = try calibration.engineCosts(
            for: [(options.pair.writeLocked, false), (options.pair.lockless, false)], savingTo: calibrationPath,
            progress: progress.report)
        options.settings.engineCalibration = calibration.id
        if BuildKind.current == "debug" {
            AgingBenchMain.printError("agingbench: WARNING: this is a DEBUG build: the virtual engine runs many times slower. Use -c release.")
        }

        var runner = SensitivityRunner(
            grid: options.grid, pair: options.pair, memoryPerVCPU: options.memory, settings: options.settings,
            context: context, quiet: progress.quiet)
        runner.jobs = options.jobs
        let results = try runner.run()
        let report = SensitivityReport(grid: options.grid, pair: options.pair, memoryPerVCPU: options.memory, results: results)
        try AtomicFileWriter.write(report.csv(), to: options.csvPath, createParent: options.createParent)
        let source = (options.csvPath as NSString).lastPathComponent
        let note = "\(options.memory) per vCPU, \(options.settings.rounds == 0 ? "populate only" : "\(options.settings.rounds) rounds after populate"), "
            + "virtual engine on machine \(options.settings.machine.name) (\(options.settings.placement.rawValue)), calibration \(calibration.id). y: the share of the calibrated fault remainder spent "
            + "under mmu_lock; x: every cache-line move. 1.0 (white): no difference."
        let stem = (source as NSString).deletingPathExtension
        let charts = report.heatMaps(source: source, stem: stem, note: note)
        let directory = (options.csvPath as NSString).deletingLastPathComponent
        for chart in charts {
            let path = (directory as NSString).appendingPathComponent(chart.name)
            try AtomicFileWriter.write(chart.chart.render(), to: path, createParent: options.createParent)
        }
        print(report.summary(csvPath: options.csvPath, chartPaths: options.chartPaths.map(\.path)), terminator: "")
        if let violated = RunCommand.invariantOutcome(results.flatMap(\.records), outputPath: options.csvPath) { throw violated }
    }
}
