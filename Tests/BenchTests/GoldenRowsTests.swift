@testable import Bench
import Backends
import Core
import Foundation
import Results
import Testing

/// Rows pinned before a refactor of the engines, so it can prove it changed nothing: the virtual
/// engine's rows with the fixed costs of `VirtualEngineTests` (every backend × both schedules ×
/// with and without the unmapping agent, and the race search's cells), and the real engine's
/// exact counts with aging off.
///
/// The files live in `Tests/Golden/`. Every column a file holds must match; columns added to
/// the schema since are not compared. `AGINGBENCH_WRITE_GOLDEN=1 swift test --filter GoldenRows`
/// rewrites them: do that only for a change that means to move the rows, and say why in its commit.
@Suite(.scratchCleanup) struct GoldenRowsTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Golden")

    /// The run's identity and the machine, which the fixed context sets but which say nothing of
    /// what the engine did.
    static let metadata: Set<String> = [
        "schema", "timestamp", "commit", "host", "cpu", "cores", "build", "kernel", "thp", "toolchain", "command",
    ]

    /// What the real engine counts exactly with aging off: the access streams' faults and
    /// accesses, each vCPU's TLB, and the tables they built.
    static let realCountColumns = [
        "backend", "vcpus", "accesses", "faults", "tlb_hits", "tlb_misses", "pt_bytes", "host_pt_bytes",
    ]

    static func virtualRows() throws -> [RunRecord] {
        var records: [RunRecord] = []
        for backend in Backends.all.map(\.name) {
            for schedule in Schedule.allCases {
                for unmapEvery in [0.0, 20_000] {
                    var settings = VirtualEngineTests.settings(.virtual, schedule: schedule)
                    settings.unmapEveryNanos = unmapEvery
                    records.append(try VirtualEngineTests.run(backend, memory: "256K", vcpus: 4, aging: true, settings))
                }
            }
        }
        for backend in Backends.all.map(\.name) {
            var settings = VirtualEngineTests.settings(.virtual, schedule: .random)
            settings.seed = VirtualEngineTests.raceSeed
            settings.writePercent = 100
            settings.unmapEveryNanos = 20_000
            records.append(try VirtualEngineTests.run(backend, memory: "1M", vcpus: 1, aging: true, settings))
        }
        return records
    }

    static func realRows() throws -> [RunRecord] {
        try Backends.all.map(\.name).map { backend in
            try VirtualEngineTests.run(backend, memory: "512K", vcpus: 2, aging: false, VirtualEngineTests.settings(.real))
        }
    }

    /// The rows as CSV text: `columns` of each record, or every column but the metadata.
    static func text(_ records: [RunRecord], columns: [String]? = nil) -> String {
        let chosen = RunRecord.columnTable.filter { column in
            columns.map { $0.contains(column.name) } ?? !metadata.contains(column.name)
        }
        let lines = [chosen.map(\.name).joined(separator: ",")]
            + records.map { record in chosen.map { $0.value(of: record).text }.joined(separator: ",") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func check(_ records: [RunRecord], against name: String, columns: [String]? = nil) throws {
        let url = directory.appendingPathComponent(name)
        let produced = text(records, columns: columns)
        if ProcessInfo.processInfo.environment["AGINGBENCH_WRITE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try produced.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let golden = try csvRows(String(contentsOf: url, encoding: .utf8))
        let now = try csvRows(produced)
        try #require(golden.count == now.count, "\(name): \(now.count) rows, the golden file has \(golden.count)")
        // Under AddressSanitizer table pages bypass jemalloc, which then reports nothing.
        let unmeasured: Set<String> = TablePageAllocator.jemallocAvailable ? [] : ["pt_bytes_jemalloc"]
        for (index, (expected, actual)) in zip(golden, now).enumerated() {
            for (column, value) in expected.sorted(by: { $0.key < $1.key })
            where actual[column] != value && !unmeasured.contains(column) {
                Issue.record("\(name) row \(index + 1) (\(expected["backend"] ?? "?")), \(column): \(actual[column] ?? "missing"), golden \(value)")
            }
        }
    }

    @Test func theVirtualEnginesRowsAreTheGoldenOnes() throws {
        try Self.check(try Self.virtualRows(), against: "virtual-rows.csv")
    }

    @Test func theRealEnginesExactCountsAreTheGoldenOnes() throws {
        try Self.check(try Self.realRows(), against: "real-counts.csv", columns: Self.realCountColumns)
    }
}
