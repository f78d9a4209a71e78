import ArgumentParser
import Foundation
import Backends
import Core
#if canImport(Glibc)
import Glibc
#endif

/// `agingbench run` (the default): sweeps backends × memory × vCPUs × aging × repetitions and
/// writes the results atomically (CSV by default, to results/latest.csv), then prints a markdown
/// summary on stdout.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a sweep and write its results (the default command).")

    @Option(help: "Comma-separated backends, or 'all'.")
    var backends = "all"
    @Option(help: "Guest memory per vCPU, comma-separated, with K/M/G/T suffixes (like the selftest's -b).")
    var memory = "256M,1G"
    @Option(help: "vCPU counts, comma-separated.")
    var vcpus = "1,2"
    @Option(help: "Aging settings to compare: on, off, or both (comma-separated).")
    var aging = "on,off"
    @Flag(help: "x86 backends with A/D bits off (access tracking); 'all' then means the backends that have the mode.")
    var adOff = false
    @Flag(help: "Only time aging passes over populated memory, with no vCPU load.")
    var agingOnly = false
    @Option(help: "Aging passes timed per cell with --aging-only.")
    var passes = WorkloadSettings().agingOnlyPasses
    @Option(help: "Repetitions of the whole grid (cells interleaved across repetitions).")
    var repetitions = 3
    @Option(help: "Seed of every vCPU's access stream.")
    var seed = WorkloadSettings().seed
    @Option(help: "Access pattern: uniform, sequential or hotcold.")
    var pattern = WorkloadSettings().pattern.rawValue
    @Option(help: "Percent of accesses that write (0-100).")
    var writePercent = WorkloadSettings().writePercent
    @Option(help: "Accesses per vCPU in the measured phase, in multiples of its pages.")
    var rounds = WorkloadSettings().rounds
    @Option(help: "Evict pages old for this many aging passes (0: never).")
    var evictAfter = WorkloadSettings().evictAfter
    @Option(help: "How aging asks the secondary MMU: default (what each backend's kernel does), eviction-only, per-page or bitmap.")
    var driver = "default"
    @Option(help: "Costs: calibrated (host side and the calibrated remainders), host-only (host side, no remainders) or raw (the bare secondary MMU).")
    var costs = "calibrated"
    @Option(help: "Calibration file (default results/calibration-<host>.json; made first when missing).")
    var calibration: String?
    @Option(help: "Run shard i of n (1-based), e.g. 2/4; shard outputs concatenate.")
    var shard: String?
    @Option(help: "Output format: csv, json or markdown.")
    var format = "csv"
    @Option(help: "Output file (default results/latest.<csv|json|md>).")
    var output: String?
    @Flag(help: "No progress on stderr.")
    var quiet = false

    /// Everything the options say, checked: the plan, the workload, the format and the path.
    struct Validated {
        var plan: SweepPlan
        var settings: WorkloadSettings
        var format: OutputFormat
        var outputPath: String
        /// The cost model before any calibration is loaded; `calibrationPath` when calibrated.
        var costs: CostModel
        var calibrationPath: String?
    }

    func validated() throws(InputError) -> Validated {
        let eligible = Backends.all.filter { !adOff || $0.supportsAccessTracking }
        let backendNames = backends == "all" ? eligible.map(\.name) : Self.list(backends)
        for name in backendNames {
            guard let descriptor = Backends.named(name) else {
                throw InputError("unknown backend '\(name)' (known: \(Backends.all.map(\.name).joined(separator: ", ")))")
            }
            if adOff && !descriptor.supportsAccessTracking {
                throw InputError("backend '\(name)' has no A/D-off mode (--ad-off applies to: \(eligible.map(\.name).joined(separator: ", ")))")
            }
        }
        var sizes: [ByteSize] = []
        for text in Self.list(memory) { sizes.append(try ByteSize(parsing: text)) }
        var counts: [Int] = []
        for text in Self.list(vcpus) {
            guard let count = Int(text), count >= 1, count <= 256 else {
                throw InputError("invalid vCPU count '\(text)': expected a whole number from 1 to 256")
            }
            counts.append(count)
        }
        var agingModes: [Bool] = []
        for text in Self.list(aging) {
            switch text {
            case "on": agingModes.append(true)
            case "off": agingModes.append(false)
            default: throw InputError("invalid aging setting '\(text)': expected on or off")
            }
        }
        if agingOnly { agingModes = [true] }
        guard repetitions >= 1 else { throw InputError("--repetitions must be at least 1") }
        let slice = try shard.map { text throws(InputError) in try Shard(parsing: text) } ?? .whole
        let plan = try SweepPlan(
            backends: backendNames, memorySizes: sizes, vcpuCounts: counts, aging: agingModes,
            repetitions: repetitions, shard: slice)

        var settings = WorkloadSettings()
        guard let accessPattern = AccessPattern(rawValue: pattern) else {
            throw InputError("invalid pattern '\(pattern)': expected uniform, sequential or hotcold")
        }
        settings.pattern = accessPattern
        guard (0...100).contains(writePercent) else { throw InputError("--write-percent must be from 0 to 100") }
        settings.writePercent = writePercent
        settings.seed = seed
        guard rounds >= 0 else { throw InputError("invalid --rounds '\(rounds)': expected 0 (populate only) or more") }
        settings.rounds = rounds
        guard evictAfter >= 0 && evictAfter <= 255 else { throw InputError("--evict-after must be from 0 to 255") }
        if driver != "default" {
            guard let mode = DriverMode(rawValue: driver) else {
                throw InputError("invalid driver '\(driver)': expected default, \(DriverMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            settings.driver = mode
        }
        let costModel: CostModel
        switch costs {
        case "calibrated", "host-only": costModel = .hostOnly
        case "raw": costModel = .raw
        default: throw InputError("invalid costs '\(costs)': expected calibrated, host-only or raw")
        }
        if !costModel.hostSide && evictAfter > 0 && !agingOnly {
            throw InputError("--evict-after needs the host side (MGLRU's generations); --costs raw has none")
        }
        if costs != "calibrated" && calibration != nil {
            throw InputError("--calibration applies to --costs calibrated only")
        }
        settings.evictAfter = agingOnly ? 0 : evictAfter
        settings.agingOnly = agingOnly
        settings.accessTracking = adOff
        guard passes >= 1 else { throw InputError("--passes must be at least 1") }
        settings.agingOnlyPasses = passes

        guard let outputFormat = OutputFormat(rawValue: format) else {
            throw InputError("invalid format '\(format)': expected csv, json or markdown")
        }
        settings.costs = costModel
        return Validated(
            plan: plan, settings: settings, format: outputFormat,
            outputPath: output ?? "results/latest.\(outputFormat.fileExtension)",
            costs: costModel, calibrationPath: costs == "calibrated" ? calibration : nil)
    }

    func run() throws {
        var options = try validated()
        try MemoryEstimate.check(options.plan, hostSide: options.costs.hostSide)
        try AtomicFileWriter.checkWritable(path: options.outputPath)
        let build = BuildKind.current
        if build == "debug" {
            AgingBenchMain.printError("""
                agingbench: WARNING: this is a DEBUG build: timings are meaningless and debug-only \
                checks slow every path. Use `swift run -c release agingbench`.
                """)
        }
        let context = RunContext.detect(build: build)
        if costs == "calibrated" {
            options.settings.costs = try Self.loadOrMakeCalibration(
                path: options.calibrationPath, context: context, quiet: quiet
            ).costModel
        }
        let records = try SweepRunner(plan: options.plan, settings: options.settings, context: context, quiet: quiet).run()
        try AtomicFileWriter.write(options.format.render(records, context: context), to: options.outputPath)
        print(MarkdownTable.render(records))
        if let violated = Self.invariantOutcome(records, outputPath: options.outputPath) { throw violated }
    }

    /// Exit status 3 when a row reports data loss (`non_a_bit_changes`) or a freed-page read.
    static func invariantOutcome(_ records: [RunRecord], outputPath: String) -> RunOutcome? {
        let broken = records.filter { $0.nonABitChanges != 0 || $0.useAfterFree != 0 }
        guard !broken.isEmpty else { return nil }
        return RunOutcome(
            status: .invariantViolated,
            message: "model invariant violated in \(broken.count) row(s) (non_a_bit_changes or use_after_free); results in \(outputPath)")
    }

    /// The calibration at `path` (default: this host's); when the default is missing, one is
    /// made first, as `agingbench calibrate` would, and written there.
    static func loadOrMakeCalibration(path: String?, context: RunContext, quiet: Bool) throws(InputError) -> Calibration {
        if let path { return try Calibration.load(from: path) }
        let hostPath = Calibration.defaultPath(host: context.host, build: context.build)
        if FileManager.default.fileExists(atPath: hostPath) { return try Calibration.load(from: hostPath) }
        StandardError.write("agingbench: no calibration for this host yet: calibrating first (under a minute), writing \(hostPath)\n")
        try AtomicFileWriter.checkWritable(path: hostPath)
        let calibration = try Calibrator(
            memory: try ByteSize(parsing: "1G"), targetPopulateSeconds: Calibration.publishedPopulateSeconds,
            targetPassSeconds: Calibration.publishedPassSeconds, repetitions: 3, context: context
        ).run { line in if !quiet { StandardError.write(line + "\n") } }
        try calibration.save(to: hostPath)
        StandardError.write(
            "agingbench: calibrated: fault remainder \(Int(calibration.faultRemainderNanos)) ns, aging remainder \(Int(calibration.agingRemainderNanosPerPage.rounded())) ns/page\n")
        return calibration
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

/// Whether this binary was built for release or debug.
enum BuildKind {
    static var current: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }
}
