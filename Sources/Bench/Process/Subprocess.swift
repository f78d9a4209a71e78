import Foundation

/// Child processes run to the end, stdout discarded or captured, stderr kept for the message.
enum Subprocess {
    /// Runs `executable`; returns its status and stderr (stdout discarded).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) -> (Int32, String) {
        let (status, _, errors) = execute(executable, arguments, environment: environment, keepOutput: false)
        return (status, errors)
    }

    /// Runs `executable`; returns its status and stdout.
    static func capture(_ executable: String, _ arguments: [String]) -> (Int32, String) {
        let (status, output, _) = execute(executable, arguments, environment: [:], keepOutput: true)
        return (status, output)
    }

    static func lastLine(_ text: String) -> String {
        text.split(separator: "\n").last.map(String.init) ?? "no message"
    }

    private static func execute(_ executable: String, _ arguments: [String], environment: [String: String], keepOutput: Bool) -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        // Both streams through files: a pipe that fills while the other is read would stall the child.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agingbench-child-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("out"), errURL = directory.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        guard let out = try? FileHandle(forWritingTo: outURL), let err = try? FileHandle(forWritingTo: errURL) else {
            return (127, "", "cannot create \(directory.path)")
        }
        process.standardOutput = keepOutput ? out : FileHandle.nullDevice
        process.standardError = err
        do {
            try process.run()
        } catch {
            return (127, "", "cannot start \(executable): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        let output = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return (process.terminationStatus, output, errors)
    }
}
