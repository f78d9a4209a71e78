import Bench
import Foundation

/// A fresh directory for one test's files.
func makeScratchDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("agingbench-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs `agingbench` in process on a tiny, fast sweep plus `extra` arguments.
@discardableResult
func runTinySweep(output: String, _ extra: [String] = []) -> ExitStatus {
    let arguments = [
        "run", "--backends", "x86-tdp,baseline", "--memory", "64K,128K", "--vcpus", "1,2",
        "--aging", "on,off", "--repetitions", "2", "--rounds", "1", "--costs", "host-only", "--quiet", "--output", output,
    ] + extra
    return AgingBenchMain.run(arguments).0
}

/// Runs the built `agingbench` binary (built beside the test bundle, since BenchTests depends on
/// the executable target) with stdout discarded; returns its exit status and stderr.
func runBinary(_ arguments: [String]) throws -> (Int32, String) {
    let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("agingbench")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        throw InputError("no agingbench at \(binary.path)")
    }
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
}

/// CSV rows as dictionaries keyed by column name, skipping repeated header lines (the shape of
/// concatenated shard outputs).
func csvRows(_ text: String) throws -> [[String: String]] {
    let table = try CSVWriter.parse(text)
    guard let header = table.first else { return [] }
    return table.dropFirst().filter { $0 != header }.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
}

/// The sweep coordinates of a row.
func cellKey(_ row: [String: String]) -> String {
    ["backend", "memory_per_vcpu_bytes", "vcpus", "aging", "repetition"].map { row[$0] ?? "?" }.joined(separator: "/")
}
