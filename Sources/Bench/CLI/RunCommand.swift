import ArgumentParser
import Foundation
import Backends
import Core
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
            Interrupted by SIGINT or SIGTERM, a sweep finishes the cell in progress, writes the \
            finished cells marked incomplete and exits 130 or 143; --resume runs the missing cells.
            """)

    /// Largest values the numeric options take; beyond them a run is a typo, not a plan.
    static let maximumRepetitions = 1000
    static let maximumPasses = 100_000
    static let maximumRounds = 100_000
    static let maximumVCPUs = 256
    static let maximumTLBEntries = 65536

    @Option(parsing: .unconditional, help: "A named grid: virtual-series (the default sweep's virtual vCPU series) or paper (1 GiB per vCPU, 1-112 vCPUs, x86-tdp with and without the bitmap and the baseline); both run --engine virtual, 1 repetition, and fill only the grid options not given.")
    var preset: String?
    @Option(parsing: .unconditional, help: "Comma-separated backends, or 'all' (default all).")
    var backends: String?
    @Option(parsing: .unconditional, help: "Guest memory per vCPU, comma-separated, with K/M/G/T suffixes (like the selftest's -b; default 128M,512M).")
    var memory: String?
    @Option(parsing: .unconditional, help: "vCPU counts, comma-separated (1-\(maximumVCPUs); default 1,2).")
    var vcpus: String?
    @Option(parsing: .unconditional, help: "Aging settings to compare: on, off, or both (comma-separated; default on,off).")
    var aging: String?
    @Flag(help: "x86 backends with A/D bits off (access tracking); 'all' then means the backends that have the mode.")
    var adOff = false
    @Flag(help: "Only time aging passes over populated memory, with no vCPU load.")
    var agingOnly = false
    @Option(parsing: .unconditional, help: "Aging passes timed per cell, with --aging-only only (1-\(maximumPasses); default \(WorkloadSettings().agingOnlyPasses)).")
    var passes: Int?
    @Option(parsing: .unconditional, help: "Repetitions of the whole grid, cells interleaved across repetitions (1-\(maximumRepetitions); default 3).")
    var repetitions: Int?
    @Option(parsing: .unconditional, help: "Seed of every vCPU's access stream (0-\(UInt64.max)).")
    var seed = WorkloadSettings().seed
    @Option(parsing: .unconditional, help: "Access pattern: uniform, sequential or hotcold (default \(WorkloadSettings().pattern.rawValue)).")
    var pattern: String?
    @Option(parsing: .unconditional, help: "Percent of accesses that write, 0-100 (default \(WorkloadSettings().writePercent)).")
    var writePercent: Int?
    @Option(parsing: .unconditional, help: "Accesses per vCPU in the measured phase, in multiples of its pages (0-\(maximumRounds), 0: populate only; default \(WorkloadSettings().rounds)).")
    var rounds: Int?
    @Option(parsing: .unconditional, help: "Evict pages old for this many aging passes, 0-255 (0: never; default \(WorkloadSettings().evictAfter)).")
    var evictAfter: Int?
    @Option(parsing: .unconditional, help: "Entries of each vCPU's TLB, \(TLB.defaultWays)-way: 0 (no TLB: every access walks) or \(TLB.defaultWays) x a power of two up to \(maximumTLBEntries) (default \(TLB.defaultEntries), an x86 STLB).")
    var tlbEntries: Int?
    @Flag(help: "Every aging clear flushes the cleared pages from the vCPUs' TLBs (clear_flush_young before x86 elided the flush); needs a TLB.")
    var flushOnAge = false
    @Option(parsing: .unconditional, help: "How aging asks the secondary MMU: default (what each backend's kernel does), eviction-only, per-page or bitmap.")
    var driver = "default"
    @Option(parsing: .unconditional, help: "Costs: calibrated (host side and the calibrated remainders), host-only (host side, no remainders) or raw (the bare secondary MMU).")
    var costs = "calibrated"
    @Option(parsing: .unconditional, help: "Calibration file (default results/calibration-<host>.json; made first when missing).")
    var calibration: String?
    @Option(parsing: .unconditional, help: "Engine: real (threads on this machine's CPUs; the default) or virtual (agents in virtual time, costs from the calibration; any vCPU count on any machine).")
    var engine: String?
    @Option(parsing: .unconditional, help: "Virtual engine only: deterministic, or random (ties and costs perturbed by the seed, and other agents run at preemption points, to search for races).")
    var schedule: String?
    @Option(parsing: .unconditional, help: "Virtual engine only: every this many virtual microseconds the VMM gives one 64-page window back at a seeded place (zap, TLB shootdown, host unmap); needs the host side.")
    var unmapEvery: Double?
    @Option(parsing: .unconditional, help: """
        What to measure: times (the default) or instructions (each cell counted under valgrind's \
        callgrind: instructions per fault, per aged page and per notifier call; needs --aging-only \
        --costs raw --vcpus 1).
        """)
    var count = "times"
    @Option(parsing: .unconditional, help: "Run shard i of n (1-based), e.g. 2/4; shard outputs concatenate.")
    var shard: String?
    @Option(parsing: .unconditional, help: "Output format: csv, json or markdown.")
    var format = "csv"
    @Option(parsing: .unconditional, help: """
        Output file (default results/latest.<csv|json|md>), or - for standard output. Only a regular \
        file is replaced; a symlink is written through; the directory must exist.
        """)
    var output: String?
    @Flag(help: "Read the output file of an interrupted run of the same sweep and run only its missing cells.")
    var resume = false
    @Flag(help: "No progress on stderr.")
    var quiet = false
    /// The file the summary says the rows are in, when a caller (`baseline run`) moves them from
    /// `--output` into a file of its own afterwards.
    @Option(parsing: .unconditional, help: .hidden)
    var summaryNames: String?

    /// Everything the options say, checked: the plan, the workload, the format and the destination.
    struct Validated {
        var plan: SweepPlan
        var settings: WorkloadSettings
        var format: OutputFormat
        var destination: OutputDestination
        var resume: Bool
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

    func validated() throws(InputError) -> Validated {
        var sweepPreset: SweepPreset?
        if let preset {
            guard let named = SweepPreset(rawValue: preset) else {
                throw InputError("invalid preset '\(preset)': expected \(SweepPreset.allCases.map(\.rawValue).joined(separator: " or "))")
            }
            sweepPreset = named
        }
        let backends = self.backends ?? sweepPreset?.backends ?? "all"
        let memory = self.memory ?? sweepPreset?.memory ?? "128M,512M"
        let vcpus = self.vcpus ?? sweepPreset?.vcpus ?? "1,2"
        let repetitions = self.repetitions ?? (sweepPreset == nil ? 3 : 1)
        let engine = self.engine ?? (sweepPreset == nil ? "real" : "virtual")
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
            guard let count = Int(text), count >= 1, count <= Self.maximumVCPUs else {
                throw InputError("invalid vCPU count '\(text)': expected a whole number from 1 to \(Self.maximumVCPUs)")
            }
            counts.append(count)
        }
        var agingModes: [Bool] = []
        if agingOnly {
            // Aging-only cells always age; any other --aging would be silently ignored.
            if let aging, aging != "on" {
                throw InputError("--aging-only always ages; --aging '\(aging)' contradicts it (drop --aging)")
            }
            agingModes = [true]
        } else {
            for text in Self.list(aging ?? "on,off") {
                switch text {
                case "on": agingModes.append(true)
                case "off": agingModes.append(false)
                case "both": agingModes += [true, false]
                default: throw InputError("invalid aging setting '\(text)': expected on, off or both")
                }
            }
        }
        try Self.require(repetitions, in: 1...Self.maximumRepetitions, option: "repetitions")
        let slice = try shard.map { text throws(InputError) in try Shard(parsing: text) } ?? .whole
        let plan = try SweepPlan(
            backends: backendNames, memorySizes: sizes, vcpuCounts: counts, aging: agingModes,
            repetitions: repetitions, shard: slice)
        if plan.cells.isEmpty {
            throw InputError("shard \(slice) of a sweep of \(plan.groupCount) comparison groups has no cells (use at most \(plan.groupCount) shards)")
        }

        var settings = WorkloadSettings()
        settings.agingOnly = agingOnly
        settings.accessTracking = adOff
        settings.seed = seed
        if agingOnly {
            // These shape the vCPU phase, which --aging-only skips: accepting them would mislead.
            let ignored: [(String, Bool)] = [
                ("--rounds", rounds != nil), ("--evict-after", evictAfter != nil),
                ("--pattern", pattern != nil), ("--write-percent", writePercent != nil),
            ]
            if let (option, _) = ignored.first(where: \.1) {
                throw InputError("\(option) shapes the vCPU phase, which --aging-only skips (drop \(option))")
            }
            if let passes { try Self.require(passes, in: 1...Self.maximumPasses, option: "passes") }
            settings.agingOnlyPasses = passes ?? settings.agingOnlyPasses
            settings.evictAfter = 0
        } else {
            if passes != nil {
                throw InputError("--passes counts --aging-only passes; without --aging-only it would be ignored (drop --passes)")
            }
            if let pattern {
                guard let accessPattern = AccessPattern(rawValue: pattern) else {
                    throw InputError("invalid pattern '\(pattern)': expected uniform, sequential or hotcold")
                }
                settings.pattern = accessPattern
            }
            if let writePercent { try Self.require(writePercent, in: 0...100, option: "write-percent") }
            settings.writePercent = writePercent ?? settings.writePercent
            if let rounds { try Self.require(rounds, in: 0...Self.maximumRounds, option: "rounds") }
            settings.rounds = rounds ?? settings.rounds
            if let evictAfter { try Self.require(evictAfter, in: 0...255, option: "evict-after") }
            settings.evictAfter = evictAfter ?? settings.evictAfter
        }

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
        if !costModel.hostSide && settings.evictAfter > 0 {
            throw InputError("--evict-after needs the host side (MGLRU's generations); --costs raw has none")
        }
        guard let engineKind = Engine(rawValue: engine) else {
            throw InputError("invalid engine '\(engine)': expected real or virtual")
        }
        settings.engine = engineKind
        if let schedule {
            guard engineKind == .virtual else {
                throw InputError("--schedule orders the virtual engine's agents; --engine real has none (add --engine virtual)")
            }
            guard let order = Schedule(rawValue: schedule) else {
                throw InputError("invalid schedule '\(schedule)': expected deterministic or random")
            }
            settings.schedule = order
        }
        if let unmapEvery {
            guard engineKind == .virtual else {
                throw InputError("--unmap-every drives the virtual engine's unmapping agent; add --engine virtual")
            }
            guard unmapEvery.isFinite, unmapEvery > 0, unmapEvery <= 1e9 else {
                throw InputError("invalid --unmap-every '\(unmapEvery)': expected virtual microseconds above 0, at most 1e9")
            }
            guard costModel.hostSide else {
                throw InputError("--unmap-every unmaps host pages; --costs raw has none")
            }
            settings.unmapEveryNanos = unmapEvery * 1000
        }
        if engineKind == .virtual {
            let unmodelled: [(String, Bool)] = [
                ("--aging-only", agingOnly), ("--evict-after", settings.evictAfter > 0), ("--flush-on-age", flushOnAge),
            ]
            if let (option, _) = unmodelled.first(where: \.1) {
                throw InputError("the virtual engine does not model \(option) (use --engine real)")
            }
        }
        switch count {
        case "times": break
        case "instructions":
            // Exact counts need one thread doing the counted work and no time-based spinning.
            let conflicts: [(String, Bool)] = [
                ("--aging-only", !agingOnly), ("--costs raw", costs != "raw"), ("--vcpus 1", counts != [1]),
                ("--engine real", engineKind != .real),
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
        if costs != "calibrated" && engineKind == .real && calibration != nil {
            throw InputError("--calibration applies to --costs calibrated or --engine virtual only")
        }
        if calibration == "" { throw InputError("--calibration is empty: give a calibration file") }
        settings.costs = costModel

        guard let outputFormat = OutputFormat(rawValue: format) else {
            throw InputError("invalid format '\(format)': expected csv, json or markdown")
        }
        if output == "" { throw InputError("--output is empty: give a file, or - for standard output") }
        var destination = OutputDestination(option: output, format: outputFormat)
        if output == nil, let sweepPreset {
            destination = .file(path: sweepPreset.output(outputFormat), createParent: true)
        }
        if resume {
            guard outputFormat != .markdown else {
                throw InputError("--resume reads CSV or JSON results; a Markdown summary cannot be resumed")
            }
            guard destination != .standardOutput else {
                throw InputError("--resume needs an output file to read; standard output (--output -) has none")
            }
        }
        let parameters: [(String, String)] = [
            ("backends", backendNames.joined(separator: ",")),
            ("memory", sizes.map(\.description).joined(separator: ",")),
            ("vcpus", counts.map(String.init).joined(separator: ",")),
            ("aging", agingModes.map { $0 ? "on" : "off" }.joined(separator: ",")),
            ("aging-only", agingOnly ? "yes" : "no"),
            ("passes", agingOnly ? String(settings.agingOnlyPasses) : "-"),
            ("repetitions", String(repetitions)),
            ("seed", String(settings.seed)),
            ("pattern", agingOnly ? "-" : settings.pattern.rawValue),
            ("write-percent", agingOnly ? "-" : String(settings.writePercent)),
            ("rounds", agingOnly ? "-" : String(settings.rounds)),
            ("evict-after", String(settings.evictAfter)),
            ("ad-off", adOff ? "yes" : "no"),
            ("shard", slice.description),
            ("driver", driver),
            ("tlb-entries", String(settings.tlbEntries)),
            ("flush-on-age", settings.flushOnAge ? "yes" : "no"),
            ("engine", engine),
            ("preset", preset ?? "-"),
            ("unmap-every", unmapEvery.map { String($0) } ?? "-"),
            ("schedule", engineKind == .virtual ? settings.schedule.rawValue : "-"),
            ("count", count),
        ]
        return Validated(
            plan: plan, settings: settings, format: outputFormat, destination: destination, resume: resume,
            parameters: parameters.map { SweepIdentity.Field(name: $0.0, value: $0.1) },
            costs: costModel, calibrated: costs == "calibrated", calibrationPath: calibration,
            backendConfigurations: backendNames.compactMap { Backends.named($0) }.map { ($0, adOff) })
    }

    /// Exit status 3 when a row reports data loss (`non_a_bit_changes`), an undone zap
    /// (`stale_mappings`) or a freed-page read.
    static func invariantOutcome(_ records: [RunRecord], outputPath: String) -> RunOutcome? {
        let broken = records.filter { $0.nonABitChanges != 0 || $0.staleMappings != 0 || $0.useAfterFree != 0 }
        guard !broken.isEmpty else { return nil }
        return RunOutcome(
            status: .invariantViolated,
            message: "model invariant violated in \(broken.count) row(s) (non_a_bit_changes, stale_mappings or use_after_free); results in \(outputPath)")
    }

    /// The calibration at `path` (default: this host's); when the default is missing, one is
    /// made first, as `agingbench calibrate` would, and written there.
    static func loadOrMakeCalibration(path: String?, context: RunContext, quiet: Bool) throws(InputError) -> (Calibration, path: String) {
        if let path { return (try Calibration.load(from: path), path) }
        let hostPath = Calibration.defaultPath(host: context.host, build: context.build)
        if FileManager.default.fileExists(atPath: hostPath) { return (try Calibration.load(from: hostPath), hostPath) }
        StandardError.write("agingbench: no calibration for this host yet: calibrating first (under a minute), writing \(hostPath)\n")
        try AtomicFileWriter.checkWritable(path: hostPath, createParent: true)
        let calibration = try Calibrator(
            memory: try ByteSize(parsing: "1G"), targetPopulateSeconds: Calibration.publishedPopulateSeconds,
            targetPassSeconds: Calibration.publishedPassSeconds, repetitions: 3, context: context
        ).run(progress: { line in if !quiet { StandardError.write(line + "\n") } },
              warning: { StandardError.write(Calibrator.busyWarning($0)) })
        try calibration.save(to: hostPath, createParent: true)
        StandardError.write(
            "agingbench: calibrated: fault remainder \(Int(calibration.faultRemainderNanos)) ns, aging remainder \(Int(calibration.agingRemainderNanosPerPage.rounded())) ns/page\n")
        return (calibration, hostPath)
    }

    /// The virtual engine's costs for `configurations` from `calibration`; those it lacks (a
    /// file made before the engine, or a backend registered since) are measured now at the
    /// calibration's size and written back to `path`, so every later run uses the same figures.
    static func engineCosts(
        for configurations: [(descriptor: BackendDescriptor, accessTracking: Bool)], calibration: inout Calibration,
        path: String, quiet: Bool
    ) throws(InputError) -> EngineCosts {
        // The overheads come from x86-tdp's costs (the backend the calibration ran).
        let first = calibration.engine == nil && !configurations.contains { $0.descriptor.name == Calibrator.backend && !$0.accessTracking }
            ? Backends.named(Calibrator.backend).map { [($0, false)] } ?? [] : []
        let missing = (first + configurations).filter { configuration in
            calibration.engine?.backends[EngineCosts.key(
                backend: configuration.descriptor.name, accessTracking: configuration.accessTracking)] == nil
        }
        if let engine = calibration.engine, missing.isEmpty { return engine }
        let names = missing.map { EngineCosts.key(backend: $0.descriptor.name, accessTracking: $0.accessTracking) }
        if !quiet {
            StandardError.write("agingbench: measuring the virtual engine's costs for \(names.joined(separator: ", ")), adding them to \(path)\n")
        }
        let measured = try EngineCostMeter(memory: ByteSize(uncheckedBytes: calibration.memoryBytes)).measure(backends: missing)
        var engine = calibration.engine ?? measured
        for (key, costs) in measured.backends { engine.backends[key] = costs }
        if calibration.engine == nil {
            engine.setOverheads(
                realFaultNanos: calibration.modelFaultNanos,
                realAgedPageNanos: calibration.modelPassSeconds / max(1, calibration.modelPagesPerPass) * 1e9)
        }
        calibration.engine = engine
        try AtomicFileWriter.checkWritable(path: path)
        try calibration.save(to: path)
        return engine
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
