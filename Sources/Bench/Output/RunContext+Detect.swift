import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension RunContext {
    /// Reads the context of the current process and machine.
    ///
    /// Never fails: anything that cannot be found is reported as "unknown", because a missing CPU
    /// name or a tarball without `.git` must not stop a benchmark from running.
    ///
    /// - Parameters:
    ///   - build: "release" or "debug", as the caller knows how it was compiled.
    public static func detect(build: String) -> RunContext {
        RunContext(
            commit: gitCommit(),
            host: hostName(),
            cpuModel: cpuModel(),
            cores: max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))),
            build: build,
            timestamp: isoTimestamp(Date()),
            executable: CommandLine.arguments.first ?? "agingbench")
    }

    /// Formats a date as ISO 8601 in UTC with second precision, e.g. "2024-04-02T13:45:07Z".
    public static func isoTimestamp(_ date: Date) -> String {
        // A fresh formatter per call: the class is not Sendable, and this runs once per row at most.
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "unknown" : name
    }

    private static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        // x86 names the model per processor; arm64 kernels have no such line, and a part number
        // would mislead more than "unknown".
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if !name.isEmpty { return name }
        }
        return "unknown"
    }

    static func gitCommit() -> String {
        guard let hash = runGit(["rev-parse", "--short", "HEAD"]), !hash.isEmpty else { return "unknown" }
        // Untracked files (results, scratch build folders) do not change what was measured.
        guard let status = runGit(["status", "--porcelain", "--untracked-files=no"]) else { return hash }
        return status.isEmpty ? hash : hash + "-dirty"
    }

    /// Runs git in the current directory; nil when git is missing or exits non-zero.
    private static func runGit(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        // Read before waiting so a large output cannot fill the pipe and deadlock the child.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
