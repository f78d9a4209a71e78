import Foundation
import Results

/// The points `agingbench sensitivity` runs: every vCPU count × share of the fault under
/// `mmu_lock` × line-transfer latency.
///
/// Contract: the axes are checked once, here, so every point is one the virtual engine can run:
/// shares in (0, 1], latencies above 0 and finite, vCPU counts 1–`RunCommand.maximumVCPUs`, each
/// axis non-empty, without repeats and at most `maximumAxis` long. `points` is vCPU-major, then
/// share, then latency (innermost), each axis in the order given, so one vCPU count's map is a
/// contiguous run of rows.
public struct SensitivityGrid: Sendable, Hashable {
    /// One grid point: the settings of the three cells that run there.
    public struct Point: Sendable, Hashable {
        public let vcpus: Int
        /// Share (0…1] of the calibrated fault remainder spent under `mmu_lock`.
        public let share: Double
        /// Nanoseconds of every cache-line move.
        public let latencyNanos: Double

        public init(vcpus: Int, share: Double, latencyNanos: Double) {
            self.vcpus = vcpus
            self.share = share
            self.latencyNanos = latencyNanos
        }
    }

    /// The longest axis: beyond it a map is no longer readable and the run takes hours.
    public static let maximumAxis = 20
    public static let defaultShares = "0.01,0.05,0.1,0.2,0.4"
    public static let defaultLatencies = "20,40,80,160,320"
    public static let defaultVCPUs = "8,32"

    public let shares: [Double]
    public let latencies: [Double]
    public let vcpuCounts: [Int]

    /// Builds a grid from checked axes.
    ///
    /// - Throws: `InputError` naming the first bad value or axis.
    public init(shares: [Double], latencies: [Double], vcpuCounts: [Int]) throws(InputError) {
        try Self.checkAxis(shares.map { Self.text($0) }, option: "--shares")
        try Self.checkAxis(latencies.map { Self.text($0) }, option: "--latencies")
        try Self.checkAxis(vcpuCounts.map(String.init), option: "--vcpus")
        if let bad = shares.first(where: { !($0.isFinite && $0 > 0 && $0 <= 1) }) {
            throw InputError("invalid share '\(Self.text(bad))' in --shares: expected a fraction above 0, at most 1")
        }
        if let bad = latencies.first(where: { !($0.isFinite && $0 > 0) }) {
            throw InputError("invalid latency '\(Self.text(bad))' in --latencies: expected nanoseconds above 0")
        }
        if let bad = vcpuCounts.first(where: { !(1...RunCommand.maximumVCPUs).contains($0) }) {
            throw InputError("invalid vCPU count '\(bad)': expected a whole number from 1 to \(RunCommand.maximumVCPUs)")
        }
        self.shares = shares
        self.latencies = latencies
        self.vcpuCounts = vcpuCounts
    }

    /// Parses the options as a user types them (comma-separated lists), then checks them.
    public init(shares: String, latencies: String, vcpus: String) throws(InputError) {
        try self.init(
            shares: try Self.numbers(shares, option: "--shares", what: "share"),
            latencies: try Self.numbers(latencies, option: "--latencies", what: "latency"),
            vcpuCounts: try Self.wholeNumbers(vcpus))
    }

    /// Every point, vCPU-major, then share, then latency.
    public var points: [Point] {
        vcpuCounts.flatMap { vcpus in
            shares.flatMap { share in latencies.map { Point(vcpus: vcpus, share: share, latencyNanos: $0) } }
        }
    }

    /// A value as the CSV and the messages print it: the shortest text that reads back the same.
    static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    private static func numbers(_ text: String, option: String, what: String) throws(InputError) -> [Double] {
        if text.trimmingCharacters(in: .whitespaces).isEmpty { throw InputError("\(option) is empty: give at least one \(what)") }
        var values: [Double] = []
        for item in RunCommand.list(text) {
            guard let value = Double(item) else {
                throw InputError("invalid \(what) '\(item)' in \(option): expected a number")
            }
            values.append(value)
        }
        return values
    }

    private static func wholeNumbers(_ text: String) throws(InputError) -> [Int] {
        if text.trimmingCharacters(in: .whitespaces).isEmpty { throw InputError("--vcpus is empty: give at least one vCPU count") }
        var counts: [Int] = []
        for item in RunCommand.list(text) {
            guard let count = Int(item) else {
                throw InputError("invalid vCPU count '\(item)': expected a whole number from 1 to \(RunCommand.maximumVCPUs)")
            }
            counts.append(count)
        }
        return counts
    }

    private static func checkAxis(_ values: [String], option: String) throws(InputError) {
        guard !values.isEmpty else { throw InputError("\(option) is empty: the grid needs at least one value") }
        guard values.count <= maximumAxis else {
            throw InputError("\(option) has \(values.count) values: at most \(maximumAxis) (a map larger than \(maximumAxis)×\(maximumAxis) is unreadable and takes hours)")
        }
        var seen = Set<String>()
        for value in values where !seen.insert(value).inserted {
            throw InputError("\(option) lists '\(value)' more than once")
        }
    }
}
