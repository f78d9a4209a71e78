import Backends
import Core
import Foundation
import Results

/// Sets the two remainders from what the model's real work costs on this machine (DESIGN.md,
/// "Calibration"): one vCPU, `memory` of guest, the x86 TDP MMU with lockless per-page aging
/// (v4's "opt"), populate only.
///
/// 1. Populate without aging and without remainders: the model's own work per fault. The fault
///    remainder is what is left of the target populate time, per fault; runs with it correct
///    for what the busy wait itself costs.
/// 2. Populate with aging and that fault remainder. A pass's length is not linear in the aging
///    remainder: passes run back to back while pages appear, so the average pass weighs the
///    early, short passes by how many fit; a longer pass also sees more pages present. So the
///    aging remainder is found by iteration, taking the per-page cost (the model's own plus the
///    remainder) as proportional to the pass: at most `iterations` steps, until within 3%.
/// 3. The last step's figures, measured with the remainders written, are the check reported
///    beside the targets.
/// 4. What each operation of every registered backend costs (`EngineCostMeter`), for the
///    virtual engine.
///
/// Every figure is a median over `repetitions` runs. A calibration made while other work competes
/// for the CPUs sets remainders that are too small (the model's own work looks dearer), so
/// `run` reports the signs of a busy machine (`busySigns`) through `warning` before it returns.
public struct Calibrator {
    public var memory: ByteSize
    public var targetPopulateSeconds: Double
    public var targetPassSeconds: Double
    public var repetitions: Int
    public var context: RunContext
    public var iterations = 5

    public init(memory: ByteSize, targetPopulateSeconds: Double, targetPassSeconds: Double, repetitions: Int, context: RunContext) {
        self.memory = memory
        self.targetPopulateSeconds = targetPopulateSeconds
        self.targetPassSeconds = targetPassSeconds
        self.repetitions = repetitions
        self.context = context
    }

    /// The backend and driver the published figures describe.
    static let backend = "x86-tdp"
    static let driver = DriverMode.perPage
    /// Close enough: a step that lands within this share of a target ends the iteration.
    static let tolerance = 0.03

    /// What one set of runs measured (medians), and each run's populate time.
    struct Measurement {
        var populateSeconds: Double
        var passSeconds: Double
        var pagesPerPass: Double
        var populateRuns: [Double]
    }

    /// A bare run's spread (slowest ÷ fastest) beyond which the machine did not hold still.
    static let busySpread = 1.2
    /// A change of the bare populate between the first and the last step beyond which the
    /// machine's speed moved under the calibration.
    static let busyDrift = 0.1

    /// The signs that other work competed with a calibration: a load average before it began that
    /// leaves fewer idle CPUs than its `threads` need; bare populate runs that spread by more than
    /// `busySpread`; the bare populate measured at the end off the first by more than `busyDrift`.
    static func busySigns(
        loadAverage: Double?, cpus: Int, threads: Int, bareRuns: [Double], firstBare: Double, lastBare: Double
    ) -> [String] {
        var signs: [String] = []
        if let loadAverage, loadAverage + Double(threads) > Double(cpus) + 0.5 {
            signs.append("the machine was busy: load average \(loadAverage.formatted(significant: 3)) before calibrating, "
                + "and calibration runs \(threads) threads on \(cpus) CPUs")
        }
        if let fastest = bareRuns.min(), let slowest = bareRuns.max(), fastest > 0, slowest / fastest > busySpread {
            signs.append("the machine did not hold still: bare populate runs spread \((slowest / fastest).formatted(significant: 3))× "
                + "(above \(busySpread.formatted(significant: 2))×)")
        }
        if firstBare > 0, abs(lastBare / firstBare - 1) > busyDrift {
            signs.append("the machine's speed moved during calibration: bare populate \(firstBare.formatted(significant: 3)) s "
                + "at the start, \(lastBare.formatted(significant: 3)) s at the end")
        }
        return signs
    }

    /// The stderr line for one busy sign.
    public static func busyWarning(_ sign: String) -> String {
        "agingbench: warning: \(sign); the remainders may be too small (calibrate again on a quiet machine)\n"
    }

    /// The 1-minute load average (/proc/loadavg), nil where the OS does not say.
    static func loadAverage() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { Double($0) }
    }

    /// Calibrates; `progress` receives one line per step, `warning` one line per sign that the
    /// machine was busy (the caller says so before it writes the file).
    public func run(progress: (String) -> Void, warning: (String) -> Void = { _ in }) throws(InputError) -> Calibration {
        let loadBefore = Self.loadAverage()
        let faults = Double(memory.pages)
        progress("calibrate: populate \(memory), no aging, no remainders")
        let bare = try measure(costs: costs(0, 0), aging: false)
        var faultRemainder = max(0, (targetPopulateSeconds - bare.populateSeconds) / faults * 1e9)
        var populate = bare
        for step in 1...iterations {
            progress("calibrate: populate with a fault remainder of \(rounded(faultRemainder)) ns")
            populate = try measure(costs: costs(faultRemainder, 0), aging: false)
            if step == iterations || abs(populate.populateSeconds / targetPopulateSeconds - 1) <= Self.tolerance { break }
            faultRemainder = max(0, faultRemainder + (targetPopulateSeconds - populate.populateSeconds) / faults * 1e9)
        }

        progress("calibrate: populate under per-page aging, no aging remainder")
        let bareAging = try measure(costs: costs(faultRemainder, 0), aging: true)
        guard bareAging.pagesPerPass >= 1 else {
            throw InputError("a \(memory) guest populates before aging sees a page: calibrate with more memory")
        }
        let ownPerPage = bareAging.passSeconds / max(1, bareAging.pagesPerPass) * 1e9
        var agingRemainder = min(
            targetPassSeconds * 1e9, max(0, (targetPassSeconds - bareAging.passSeconds) / bareAging.pagesPerPass * 1e9))
        var aging = bareAging
        for step in 1...iterations {
            progress("calibrate: populate under per-page aging with an aging remainder of \(rounded(agingRemainder)) ns/page")
            aging = try measure(costs: costs(faultRemainder, agingRemainder), aging: true)
            if step == iterations || abs(aging.passSeconds / targetPassSeconds - 1) <= Self.tolerance { break }
            // A page's remainder above the whole target pass would be a runaway step (a run whose
            // passes saw almost no page): cap it there.
            agingRemainder = min(
                targetPassSeconds * 1e9,
                max(0, (ownPerPage + agingRemainder) * targetPassSeconds / max(aging.passSeconds, 1e-9) - ownPerPage))
        }

        progress("calibrate: populate \(memory) again, no aging, no remainders (did the machine stay as it was?)")
        let bareAgain = try measure(costs: costs(0, 0), aging: false)
        for sign in Self.busySigns(
            loadAverage: loadBefore, cpus: OSThread.allowedCPUs, threads: 2,
            bareRuns: bare.populateRuns + bareAgain.populateRuns,
            firstBare: bare.populateSeconds, lastBare: bareAgain.populateSeconds) {
            warning(sign)
        }

        progress("calibrate: what each operation costs, for the virtual engine")
        var engine = try EngineCostMeter(memory: memory).measure(backends: EngineCostMeter.allConfigurations)
        engine.setOverheads(
            realFaultNanos: bare.populateSeconds / faults * 1e9,
            realAgedPageNanos: bareAging.passSeconds / bareAging.pagesPerPass * 1e9)

        return Calibration(
            id: "\(context.host)@\(context.timestamp)", host: context.host, cpu: context.cpuModel,
            created: context.timestamp, memoryBytes: memory.bytes,
            targetPopulateSeconds: targetPopulateSeconds, targetPassSeconds: targetPassSeconds,
            modelFaultNanos: bare.populateSeconds / faults * 1e9, modelPassSeconds: bareAging.passSeconds,
            modelPagesPerPass: bareAging.pagesPerPass,
            faultRemainderNanos: faultRemainder, agingRemainderNanosPerPage: agingRemainder,
            checkedPopulateSeconds: populate.populateSeconds, checkedPassSeconds: aging.passSeconds, engine: engine)
    }

    private func costs(_ fault: Double, _ aging: Double) -> CostModel {
        CostModel(hostSide: true, faultRemainderNanos: fault, agingRemainderNanosPerPage: aging, source: CostModel.hostOnly.source)
    }

    private func rounded(_ value: Double) -> String { String(Int(value.rounded())) }

    /// Medians over `repetitions` populate-only cells.
    private func measure(costs: CostModel, aging: Bool) throws(InputError) -> Measurement {
        guard let descriptor = Backends.named(Self.backend) else {
            throw InputError("calibration needs the '\(Self.backend)' backend")
        }
        var settings = WorkloadSettings()
        settings.rounds = 0
        settings.driver = Self.driver
        settings.costs = costs
        var populate: [Double] = []
        var pass: [Double] = []
        var pages: [Double] = []
        for repetition in 0..<max(1, repetitions) {
            let cell = SweepCell(backend: Self.backend, memoryPerVCPU: memory, vcpus: 1, aging: aging, repetition: repetition, index: repetition)
            let record = try CellRunner.run(cell, descriptor: descriptor, settings: settings, context: context)
            populate.append(record.populateSeconds)
            if aging {
                pass.append(record.passAverageSeconds)
                pages.append(record.agingPasses > 0 ? Double(record.pagesAged) / Double(record.agingPasses) : 0)
            }
        }
        return Measurement(
            populateSeconds: MarkdownTable.median(populate),
            passSeconds: aging ? MarkdownTable.median(pass) : 0,
            pagesPerPass: aging ? MarkdownTable.median(pages) : 0,
            populateRuns: populate)
    }
}
