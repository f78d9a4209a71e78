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
            executable: CommandLine.arguments.first ?? "agingbench",
            kernel: kernelRelease(),
            thp: transparentHugePages(),
            commandLine: CommandLine.arguments.map(shellQuoted).joined(separator: " "),
            caches: cpuCaches(),
            megahertz: cpuMegahertz())
    }

    /// `uname -r`.
    static func kernelRelease() -> String {
        var name = utsname()
        guard uname(&name) == 0 else { return "unknown" }
        let release = withUnsafeBytes(of: &name.release) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        return release.isEmpty ? "unknown" : release
    }

    /// The bracketed choice of /sys/kernel/mm/transparent_hugepage/enabled ("always [madvise] never").
    static func transparentHugePages() -> String {
        guard let text = try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8),
            let open = text.firstIndex(of: "["), let close = text[open...].firstIndex(of: "]")
        else { return "unknown" }
        return String(text[text.index(after: open)..<close])
    }

    /// Each cache of CPU 0 (sysfs `cpu0/cache/index*`).
    static func cpuCaches() -> [CacheInfo] {
        let base = "/sys/devices/system/cpu/cpu0/cache"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: base) else { return [] }
        func read(_ path: String) -> String? {
            (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return entries.filter { $0.hasPrefix("index") }.sorted().compactMap { entry in
            let directory = "\(base)/\(entry)"
            guard let type = read("\(directory)/type"), let level = read("\(directory)/level").flatMap({ Int($0) }),
                let sizeText = read("\(directory)/size")
            else { return nil }
            // "32K", "1024K", "32M": the kernel writes kibibytes with a K suffix.
            let digits = Int(sizeText.filter(\.isNumber)) ?? 0
            let size = sizeText.hasSuffix("M") ? digits << 20 : sizeText.hasSuffix("K") ? digits << 10 : digits
            let sharing = read("\(directory)/shared_cpu_list").map(Self.cpuListCount) ?? 1
            return CacheInfo(type: type, level: level, size: size, sharing: sharing)
        }
    }

    /// CPUs in a list such as "0-3,8".
    static func cpuListCount(_ list: String) -> Int {
        list.split(separator: ",").reduce(0) { total, part in
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            return total + (bounds.count == 2 ? bounds[1] - bounds[0] + 1 : 1)
        }
    }

    /// The CPU clock: cpufreq's current frequency, else /proc/cpuinfo's "cpu MHz", else 0.
    static func cpuMegahertz() -> Double {
        if let text = try? String(contentsOfFile: "/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", encoding: .utf8),
            let kilohertz = Double(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            return kilohertz / 1000
        }
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("cpu MHz") {
            if let colon = line.firstIndex(of: ":"), let value = Double(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)) {
                return value
            }
        }
        return 0
    }

    /// An argument as a shell would need it to read it back.
    static func shellQuoted(_ argument: String) -> String {
        let plain = !argument.isEmpty && argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0) }
        return plain ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
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

    /// The suite's own checkout: three folders above this source file (Sources/Results/Output), as
    /// the compiler recorded its path. Git runs there, never in the directory the suite runs in,
    /// which may be a kernel tree with a commit of its own.
    static let suiteSourceRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The suite checkout's short commit, with "-dirty" when tracked files changed; "unknown"
    /// outside a checkout.
    public static func gitCommit() -> String {
        guard FileManager.default.fileExists(atPath: suiteSourceRoot + "/Package.swift"),
            let hash = runGit(["rev-parse", "--short", "HEAD"]), !hash.isEmpty
        else { return "unknown" }
        // Untracked files (results, scratch build folders) do not change what was measured.
        guard let status = runGit(["status", "--porcelain", "--untracked-files=no"]) else { return hash }
        return status.isEmpty ? hash : hash + "-dirty"
    }

    /// Runs git in the suite's source tree; nil when git is missing or exits non-zero.
    private static func runGit(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", suiteSourceRoot] + arguments
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
