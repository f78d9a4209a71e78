import ArgumentParser
import Backends
import Core
import Foundation
import Results
#if canImport(Glibc)
import Glibc
#endif

/// `agingbench run` (the default): sweeps backends × memory × vCPUs × aging × repetitions and
/// writes the results atomically (CSV by default, to results/latest.csv), then prints a markdown
/// summary on stdout.
///
/// Every option is checked before any cell runs, each failure one line naming the bad value.
/// Value options parse unconditionally, so `--memory -1G` reaches the size check (which names
/// `-1G`) instead of reading as a missing value followed by an unknown option.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a sweep and write its results (the default command).",
        discussion: """
            Interrupted by SIGINT or SIGTERM, a sweep finishes the cells in progress, writes the \
            finished cells marked incomplete and exits 130 or 143; --resume runs the missing cells.
            """)

    /// Largest values the numeric options take; beyond them a run is a typo, not a plan.
    static let maximumRepetitions = 1000
    static let maximumPasses = 100_000
    static let maximumRounds = 100_000
    static let maximumVCPUs = 256
    static let maximumTLBEntries = 65536

    @Option(parsing: .unconditional, help: "A named grid: virtual-series (the default sweep's virtual vCPU series), paper (1 GiB per vCPU, 1-112 vCPUs, x86-tdp with and without the bitmap and the baseline) or pressure (memcached-like requests at 1.5x overcommit, 8-64 vCPUs, the write-locked and lockless backends); all run --engine virtual, 1 repetition, and fill only the options not given.")
    var preset: String?
    @Option(parsing: .unconditional, help: "Comma-separated backends, or 'all' (default all).")
    var backends: String?
    @Option(parsing: .unconditional, help: "Guest memory per vCPU, comma-separated, with K/M/G/T suffixes (like the selftest's -b; default 128M,512M).")
    var memory: String?
    @OptionGroup var grid: GridOptions<DefaultGrid>
    @Option(parsing: .unconditional, help: "Aging settings to compare: on, off, or both (comma-separated; default on,off).")
    var aging: String?
    @Flag(help: "x86 backends with A/D bits off (access tracking); 'all' then means the backends that have the mode.")
    var adOff = false
    @Flag(help: "Only time aging passes over populated memory, with no vCPU load.")
    var agingOnly = false
    @Option(parsing: .unconditional, help: "Aging passes timed per cell, with --aging-only only (1-\(maximumPasses); default \(WorkloadSettings().agingOnlyPasses)).")
    var passes: Int?
    @Option(parsing: .unconditional, help: "Access pattern: uniform, sequential or hotcold (default \(WorkloadSettings().pattern.rawValue)).")
    var pattern: AccessPattern?
    @Option(parsing: .unconditional, help: "Percent of accesses that write, 0-100 (default \(WorkloadSettings().writePercent)).")
    var writePercent: Int?
    @Option(parsing: .unconditional, help: "Serve requests instead of --pattern's rounds, and report requests/s and their latency: kv (memcached-like gets and sets of Zipf-popular items) or chase (multichase-like dependent loads); the same number of accesses, grouped into requests.")
    var requests: RequestWorkload?
    @Option(parsing: .unconditional, help: "Accesses per vCPU in the measured phase, in multiples of its pages (0-\(maximumRounds), 0: populate only; default \(WorkloadSettings().rounds)).")
    var rounds: Int?
    @Option(parsing: .unconditional, help: "Evict pages old for this many aging passes, 0-255 (0: never; default \(WorkloadSettings().evictAfter)).")
    var evictAfter: Int?
    @Option(parsing: .unconditional, help: "Entries of each vCPU's TLB, \(TLB.defaultWays)-way: 0 (no TLB: every access walks) or \(TLB.defaultWays) x a power of two up to \(maximumTLBEntries) (default \(TLB.defaultEntries), an x86 STLB).")
    var tlbEntries: Int?
    @Flag(help: "Every aging clear flushes the cleared pages from the vCPUs' TLBs (clear_flush_young before x86 elided the flush); needs a TLB.")
    var flushOnAge = false
    @Option(parsing: .unconditional, help: "How aging asks the secondary MMU: default (what each backend's kernel does), eviction-only, per-page or bitmap.")
    var driver = DriverChoice.kernelDefault
    @OptionGroup var costOptions: CostOptions
    @OptionGroup var machineOptions: MachineOptions
    @OptionGroup var pressureOptions: PressureOptions
    @Option(parsing: .unconditional, help: "Engine: real (threads on this machine's CPUs; the default) or virtual (agents in virtual time, costs from the calibration; any vCPU count on any machine).")
    var engine: Engine?
    @Option(parsing: .unconditional, help: "Virtual engine only: deterministic, or random (ties and costs perturbed by the seed, and other agents run at preemption points, to search for races).")
    var schedule: Schedule?
    @Option(parsing: .unconditional, help: "Virtual engine only: every this many virtual microseconds the VMM gives one 64-page window back at a seeded place (zap, TLB shootdown, host unmap); needs the host side.")
    var unmapEvery: Double?
    @Option(parsing: .unconditional, help: """
        What to measure: times (the default) or instructions (each cell counted under valgrind's \
        callgrind: instructions per fault, per aged page and per notifier call; needs --aging-only \
        --costs raw --vcpus 1).
        """)
    var count = "times"
    @Option(parsing: .unconditional, help: """
        Virtual-engine cells run at once, each on a thread of its own, with the same rows as one at a \
        time (at least 1; default: the active CPUs; \
        fewer when the largest cells would not fit in memory side by side). Real-engine cells, and so \
        --count instructions, always run one at a time: cells side by side would disturb each other's timings.
        """)
    var jobs: Int?
    @Option(parsing: .unconditional, help: "Run shard i of n (1-based), e.g. 2/4; shard outputs concatenate.")
    var shard: String?
    @Option(parsing: .unconditional, help: "Output format: csv, json or markdown.")
    var format = OutputFormat.csv
    @Option(parsing: .unconditional, help: """
        Output file (default results/latest.<csv|json|md>), or - for standard output. Only a regular \
        file is replaced; a symlink is written through; the directory must exist.
        """)
    var output: String?
    @Flag(help: "Read the output file of an interrupted run of the same sweep and run only its missing cells.")
    var resume = false
    @OptionGroup var progress: ProgressOptions
    /// The file the summary says the rows are in, when a caller (`baseline run`) moves them from
    /// `--output` into a file of its own afterwards.
    @Option(parsing: .unconditional, help: .hidden)
    var summaryNames: String?

    /// What `--vcpus` and `--repetitions` mean when left out and no preset fills them.
    enum DefaultGrid: GridDefaults {
        static let vcpus = "1,2"
        static let repetitions = 3
    }

    /// Everything the options say, checked: the plan, the workload, the format and the destination.
    struct Validated {
        var plan: SweepPlan
        var settings: WorkloadSettings
        var format: OutputFormat
        var destination: OutputDestination
        var resume: Bool
        /// Most cells run at once (`--jobs`); more than 1 only for the virtual engine.
        var jobs: Int
        /// The sweep's parameters; `identity(context:)` adds the commit and build.
        var parameters: [SweepIdentity.Field]
        /// The host side's presence; the remainders come from `calibrationPath` (or this host's
        /// calibration) when `calibrated`.
        var costs: CostModel
        var calibrated: Bool
        var calibrationPath: String?
        /// The backends the sweep runs, each with its A/D-off flag (the virtual engine's costs).
        var backendConfigurations: [(descriptor: BackendDescriptor, accessTracking: Bool)]

        /// The sweep's identity: its parameters, the cost model in use (a calibration's id and
        /// remainders included), the commit and the build.
        func identity(context: RunContext) -> SweepIdentity {
            SweepIdentity(parameters + [
                SweepIdentity.Field(name: "costs", value: settings.costs.label.rawValue),
                SweepIdentity.Field(
                    name: "calibration",
                    value: settings.engine == .virtual ? settings.engineCalibration : (settings.costs.hostSide ? settings.costs.source : "-")),
                SweepIdentity.Field(name: "fault-remainder-ns", value: String(settings.costs.faultRemainderNanos)),
                SweepIdentity.Field(name: "age-remainder-ns", value: String(settings.costs.agingRemainderNanosPerPage)),
                SweepIdentity.Field(name: "commit", value: context.commit),
                SweepIdentity.Field(name: "build", value: context.build),
            ])
        }
    }

    /// Every option checked, concern by concern (the grid, the workload, the TLB, the costs, the
    /// engine, what is counted, the output), each failure one line naming the bad value.
    func validated() throws(InputError) -> Validated {
        let sweepPreset = try checkedPreset()
        let plan = try gridPlan(preset: sweepPreset)
        var settings = try workloadSettings(preset: sweepPreset)
        try applyTLB(to: &settings)
        settings.driver = driver.mode
        let costModel = costOptions.costs.uncalibratedModel
        if !costModel.hostSide && settings.evictAfter > 0 {
            throw InputError("--evict-after needs the host side (MGLRU's generations); --costs raw has none")
        }
        let engineKind = engine ?? (sweepPreset == nil ? .real : .virtual)
        try applyEngine(engineKind, hostSide: costModel.hostSide, to: &settings)
        try machineOptions.apply(engine: engineKind, to: &settings)
        try pressureOptions.apply(
            memorySizes: plan.memorySizes, vcpuCounts: plan.vcpuCounts, aging: plan.aging, preset: sweepPreset, hostSide: costModel.hostSide, to: &settings)
        try applyCount(vcpuCounts: plan.vcpuCounts, to: &settings)
        let jobs = try checkedJobs(settings: settings)
        try costOptions.checkCalibration(virtualEngine: engineKind == .virtual)
        settings.costs = costModel
        let destination = try checkedDestination(preset: sweepPreset, machine: settings.machine)
        return Validated(
            plan: plan, settings: settings, format: format, destination: destination, resume: resume, jobs: jobs,
            parameters: identityParameters(plan: plan, settings: settings),
            costs: costModel, calibrated: costOptions.calibrated, calibrationPath: costOptions.calibration,
            backendConfigurations: plan.backends.compactMap { Backends.named($0) }.map { ($0, adOff) })
    }

    private func checkedPreset() throws(InputError) -> SweepPreset? {
        guard let preset else { return nil }
        guard let named = SweepPreset(rawValue: preset) else {
            throw InputError("invalid preset '\(preset)': expected \(SweepPreset.allCases.map(\.rawValue).joined(separator: " or "))")
        }
        return named
    }

    /// The grid: backends × memory × vCPUs × aging × repetitions, reduced to `--shard`; a preset
    /// fills the grid options not given.
    private func gridPlan(preset: SweepPreset?) throws(InputError) -> SweepPlan {
        let eligible = Backends.all.filter { !adOff || $0.supportsAccessTracking }
        let backends = self.backends ?? preset?.backends ?? "all"
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
        for text in Self.list(memory ?? preset?.memory ?? "128M,512M") { sizes.append(try ByteSize(parsing: text)) }
        let counts = try grid.vcpuCounts(fallback: preset?.vcpus)
        let agingModes = try checkedAgingModes(preset: preset)
        let repetitions = try grid.checkedRepetitions(fallback: preset == nil ? nil : 1)
        let slice = try shard.map { text throws(InputError) in try Shard(parsing: text) } ?? .whole
        let plan = try SweepPlan(
            backends: backendNames, memorySizes: sizes, vcpuCounts: counts, aging: agingModes,
            repetitions: repetitions, shard: slice)
        if plan.cells.isEmpty {
            throw InputError("shard \(slice) of a sweep of \(plan.groupCount) comparison groups has no cells (use at most \(plan.groupCount) shards)")
        }
        return plan
    }

    private func checkedAgingModes(preset: SweepPreset?) throws(InputError) -> [Bool] {
        if agingOnly {
            // Aging-only cells always age; any other --aging would be silently ignored.
            if let aging, aging != "on" {
                throw InputError("--aging-only always ages; --aging '\(aging)' contradicts it (drop --aging)")
            }
            return [true]
        }
        var modes: [Bool] = []
        for text in Self.list(aging ?? preset?.aging ?? "on,off") {
            switch text {
            case "on": modes.append(true)
            case "off": modes.append(false)
            case "both": modes += [true, false]
            default: throw InputError("invalid aging setting '\(text)': expected on, off or both")
            }
        }
        return modes
    }

    /// What each vCPU does: the aging-only passes, or the access phase's pattern, writes, rounds
    /// and eviction; options of the phase a run skips are refused rather than ignored.
    private func workloadSettings(preset: SweepPreset?) throws(InputError) -> WorkloadSettings {
        var settings = WorkloadSettings()
        settings.agingOnly = agingOnly
        settings.accessTracking = adOff
        settings.seed = grid.seed
        if agingOnly {
            // These shape the vCPU phase, which --aging-only skips: accepting them would mislead.
            let ignored: [(String, Bool)] = [
                ("--rounds", rounds != nil), ("--evict-after", evictAfter != nil),
                ("--pattern", pattern != nil), ("--write-percent", writePercent != nil),
                ("--requests", requests != nil),
            ]
            if let (option, _) = ignored.first(where: \.1) {
                throw InputError("\(option) shapes the vCPU phase, which --aging-only skips (drop \(option))")
            }
            if let passes { try Self.require(passes, in: 1...Self.maximumPasses, option: "passes") }
            settings.agingOnlyPasses = passes ?? settings.agingOnlyPasses
            settings.evictAfter = 0
            return settings
        }
        if passes != nil {
            throw InputError("--passes counts --aging-only passes; without --aging-only it would be ignored (drop --passes)")
        }
        if let requests = requests ?? preset?.requests {
            // Each request workload picks its own pages and writes: a pattern or a write share
            // beside it would be silently ignored.
            let ignored: [(String, Bool)] = [("--pattern", pattern != nil), ("--write-percent", writePercent != nil)]
            if let (option, _) = ignored.first(where: \.1) {
                throw InputError("\(option) shapes the selftest's rounds; --requests \(requests) picks its own pages and writes (drop \(option))")
            }
            settings.requests = requests
        }
        settings.pattern = pattern ?? settings.pattern
        if let writePercent { try Self.require(writePercent, in: 0...100, option: "write-percent") }
        settings.writePercent = writePercent ?? settings.writePercent
        if let rounds { try Self.require(rounds, in: 0...Self.maximumRounds, option: "rounds") }
        settings.rounds = rounds ?? settings.rounds
        if let evictAfter { try Self.require(evictAfter, in: 0...255, option: "evict-after") }
        settings.evictAfter = evictAfter ?? settings.evictAfter
        return settings
    }

    private func applyTLB(to settings: inout WorkloadSettings) throws(InputError) {
        if let tlbEntries {
            guard tlbEntries == 0
                || (tlbEntries <= Self.maximumTLBEntries && TLB.isValid(entries: tlbEntries, ways: TLB.defaultWays))
            else {
                throw InputError("invalid TLB size '\(tlbEntries)': expected 0 or \(TLB.defaultWays) x a power of two up to \(Self.maximumTLBEntries)")
            }
            settings.tlbEntries = tlbEntries
        }
        if flushOnAge && settings.tlbEntries == 0 {
            throw InputError("--flush-on-age flushes the vCPUs' TLBs; --tlb-entries 0 has none (drop one)")
        }
        settings.flushOnAge = flushOnAge
    }

    /// The engine, and the options only the virtual engine reads; what the virtual engine does
    /// not model is refused.
    private func applyEngine(_ engineKind: Engine, hostSide: Bool, to settings: inout WorkloadSettings) throws(InputError) {
        settings.engine = engineKind
        if let schedule {
            guard engineKind == .virtual else {
                throw InputError("--schedule orders the virtual engine's agents; --engine real has none (add --engine virtual)")
            }
            settings.schedule = schedule
        }
        if let unmapEvery {
            guard engineKind == .virtual else {
                throw InputError("--unmap-every drives the virtual engine's unmapping agent; add --engine virtual")
            }
            guard unmapEvery.isFinite, unmapEvery > 0, unmapEvery <= 1e9 else {
                throw InputError("invalid --unmap-every '\(unmapEvery)': expected virtual microseconds above 0, at most 1e9")
            }
            guard hostSide else {
                throw InputError("--unmap-every unmaps host pages; --costs raw has none")
            }
            settings.unmapEveryNanos = unmapEvery * 1000
        }
        if engineKind == .virtual {
            let unmodelled: [(String, Bool)] = [("--aging-only", agingOnly), ("--flush-on-age", flushOnAge)]
            if let (option, _) = unmodelled.first(where: \.1) {
                throw InputError("the virtual engine does not model \(option) (use --engine real)")
            }
        }
    }

    /// `--count instructions`, and the single-threaded bare cells it needs.
    private func applyCount(vcpuCounts: [Int], to settings: inout WorkloadSettings) throws(InputError) {
        switch count {
        case "times": break
        case "instructions":
            // Exact counts need one thread doing the counted work and no time-based spinning.
            let conflicts: [(String, Bool)] = [
                ("--aging-only", !agingOnly), ("--costs raw", costOptions.costs != .raw), ("--vcpus 1", vcpuCounts != [1]),
                ("--engine real", settings.engine != .real),
            ]
            if let (needed, _) = conflicts.first(where: \.1) {
                throw InputError("--count instructions counts single-threaded --aging-only cells on the bare secondary MMU; it needs \(needed)")
            }
            // With access tracking, marking pages young between passes faults them back in, so the
            // row's fault count is no longer the populate's.
            if adOff { throw InputError("--count instructions divides the populate by the row's faults; --ad-off adds faults between passes (drop one)") }
            settings.countInstructions = true
        default:
            throw InputError("invalid count '\(count)': expected times or instructions")
        }
    }

    /// `--jobs`, or the active CPUs; a count above 1 for cells that only run one at a time is
    /// refused rather than ignored.
    private func checkedJobs(settings: WorkloadSettings) throws(InputError) -> Int {
        guard let jobs else {
            return SweepRunner.runsInParallel(settings) ? max(1, ProcessInfo.processInfo.activeProcessorCount) : 1
        }
        guard jobs >= 1 else {
            throw InputError("--jobs \(jobs) is out of range: expected at least 1")
        }
        if jobs > 1 && !SweepRunner.runsInParallel(settings) {
            // Timed on real threads, cells side by side would take each other's CPUs and caches.
            throw InputError("--jobs \(jobs) runs virtual-engine cells side by side; real-engine cells run one at a time, or their timings would disturb each other (drop --jobs, or add --engine virtual)")
        }
        return jobs
    }

    /// Where the results go, and whether `--resume` can read them back from there.
    private func checkedDestination(preset: SweepPreset?, machine: MachineProfile) throws(InputError) -> OutputDestination {
        if output == "" { throw InputError("--output is empty: give a file, or - for standard output") }
        var destination = OutputDestination(option: output, format: format)
        if output == nil, let preset {
            destination = .file(path: preset.output(format, machine: machine), createParent: true)
        }
        if resume {
            guard format != .markdown else {
                throw InputError("--resume reads CSV or JSON results; a Markdown summary cannot be resumed")
            }
            guard destination != .standardOutput else {
                throw InputError("--resume needs an output file to read; standard output (--output -) has none")
            }
        }
        return destination
    }

    /// The sweep's parameters as its identity records them (`Validated.parameters`). Not `--jobs`:
    /// it changes no row, so `--resume` may continue a sweep with another number of workers.
    private func identityParameters(plan: SweepPlan, settings: WorkloadSettings) -> [SweepIdentity.Field] {
        let parameters: [(String, String)] = [
            ("backends", plan.backends.joined(separator: ",")),
            ("memory", plan.memorySizes.map(\.description).joined(separator: ",")),
            ("vcpus", plan.vcpuCounts.map(String.init).joined(separator: ",")),
            ("aging", plan.aging.map { $0 ? "on" : "off" }.joined(separator: ",")),
            ("aging-only", agingOnly ? "yes" : "no"),
            ("passes", agingOnly ? String(settings.agingOnlyPasses) : "-"),
            ("repetitions", String(plan.repetitions)),
            ("seed", String(settings.seed)),
            ("pattern", agingOnly ? "-" : settings.pattern.rawValue),
            ("write-percent", agingOnly ? "-" : String(settings.writePercent)),
            ("rounds", agingOnly ? "-" : String(settings.rounds)),
            ("requests", settings.requests?.rawValue ?? "-"),
            ("evict-after", String(settings.evictAfter)),
            ("ad-off", adOff ? "yes" : "no"),
            ("shard", plan.shard.description),
            ("driver", driver.description),
            ("tlb-entries", String(settings.tlbEntries)),
            ("flush-on-age", settings.flushOnAge ? "yes" : "no"),
            ("engine", settings.engine.rawValue),
            ("preset", preset ?? "-"),
            ("unmap-every", unmapEvery.map { String($0) } ?? "-"),
            ("schedule", settings.engine == .virtual ? settings.schedule.rawValue : "-"),
            ("machine", settings.machine.name),
            ("placement", settings.engine == .virtual ? settings.placement.rawValue : "-"),
            ("count", count),
            ("host-memory", settings.hostMemory?.description ?? "-"),
            ("swap", settings.hostMemory == nil ? "-" : settings.swap.rawValue),
            ("vms", String(settings.vms)),
        ]
        return parameters.map { SweepIdentity.Field(name: $0.0, value: $0.1) }
    }

    /// Exit status 3 when a row reports data loss (`non_a_bit_changes`), an undone zap
    /// (`stale_mappings`, `stale_accesses`) or a freed-page read.
    static func invariantOutcome(_ records: [RunRecord], outputPath: String) -> RunOutcome? {
        let broken = records.filter { $0.nonABitChanges != 0 || $0.staleMappings != 0 || $0.staleAccesses != 0 || $0.useAfterFree != 0 }
        guard !broken.isEmpty else { return nil }
        return RunOutcome(
            status: .invariantViolated,
            message: "model invariant violated in \(broken.count) row(s) (non_a_bit_changes, stale_mappings, stale_accesses or use_after_free); results in \(outputPath)")
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    private static func require(_ value: Int, in range: ClosedRange<Int>, option: String) throws(InputError) {
        guard range.contains(value) else {
            throw InputError("--\(option) \(value) is out of range: expected \(range.lowerBound) to \(range.upperBound)")
        }
    }
}
