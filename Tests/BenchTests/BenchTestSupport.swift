import Bench
import Results
import Foundation
import Testing

/// A fresh directory for one test's files, removed when the test ends (see `ScratchCleanup`).
func makeScratchDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("agingbench-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    if let registry = ScratchRegistry.current {
        registry.add(url)
    } else {
        Issue.record("makeScratchDirectory() outside a suite with the .scratchCleanup trait would leave \(url.path) behind")
    }
    return url
}

/// Runs `agingbench` in process on a tiny, fast sweep plus `extra` arguments.
@discardableResult
func runTinySweep(output: String, _ extra: [String] = []) -> Results.ExitStatus {
    let arguments = [
        "run", "--backends", "x86-tdp,baseline", "--memory", "64K,128K", "--vcpus", "1,2",
        "--aging", "on,off", "--repetitions", "2", "--rounds", "1", "--costs", "host-only", "--quiet", "--output", output,
    ] + extra
    return AgingBenchMain.run(arguments).0
}

/// The built `agingbench` binary (built beside the test bundle, since BenchTests depends on the
/// executable target).
func agingbenchBinary() throws -> URL {
    let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("agingbench")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        throw InputError("no agingbench at \(binary.path)")
    }
    return binary
}

/// Runs the built `agingbench` binary with stdout discarded; returns its exit status and stderr.
func runBinary(_ arguments: [String]) throws -> (Int32, String) {
    let (status, _, errors) = try runBinaryCapturing(arguments)
    return (status, errors)
}

/// Runs the built `agingbench` binary; returns its exit status, stdout and stderr. Both go to
/// files rather than pipes, so neither can fill up and stall the child while the other is read.
func runBinaryCapturing(_ arguments: [String]) throws -> (Int32, String, String) {
    try runCapturing(try agingbenchBinary(), arguments)
}

/// Runs `executable` with `arguments` (and `environment` added to this process's); returns its
/// exit status, stdout and stderr, each through a file as `runBinaryCapturing` does.
func runCapturing(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                  directory workingDirectory: URL? = nil) throws -> (Int32, String, String) {
    let directory = makeScratchDirectory()
    let outURL = directory.appendingPathComponent("stdout")
    let errURL = directory.appendingPathComponent("stderr")
    #expect(FileManager.default.createFile(atPath: outURL.path, contents: nil))
    #expect(FileManager.default.createFile(atPath: errURL.path, contents: nil))
    let out = try FileHandle(forWritingTo: outURL)
    let err = try FileHandle(forWritingTo: errURL)
    defer {
        try? out.close()
        try? err.close()
    }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    if let workingDirectory { process.currentDirectoryURL = workingDirectory }
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    return (status, try String(contentsOf: outURL, encoding: .utf8), try String(contentsOf: errURL, encoding: .utf8))
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
