import Foundation
import Testing
@testable import Bench
@testable import Results
#if canImport(Glibc)
import Glibc
#endif

/// The file type at `path` without following a symlink, e.g. S_IFCHR.
private func fileType(_ path: String) -> mode_t? {
    var info = stat()
    return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
}

/// Where results may go: only a regular file is replaced (CI runs as root, where nothing but
/// these checks stops a rename over a device node).
@Suite(.scratchCleanup) struct OutputPathTests {
    @Test(arguments: ["/dev/null", "/dev/full"])
    func aDeviceNodeIsRefusedAndUntouched(_ device: String) throws {
        try #require(fileType(device) == S_IFCHR)
        #expect(runTinySweep(output: device) == .badInput)
        #expect(fileType(device) == S_IFCHR)
        #expect(throws: InputError.self) { try AtomicFileWriter.write("x\n", to: device) }
        #expect(fileType(device) == S_IFCHR)
    }

    @Test func aFIFOIsRefusedAndUntouched() throws {
        let fifo = makeScratchDirectory().appendingPathComponent("pipe.csv").path
        try #require(mkfifo(fifo, 0o600) == 0)
        #expect(runTinySweep(output: fifo) == .badInput)
        #expect(fileType(fifo) == S_IFIFO)
        do {
            try AtomicFileWriter.checkWritable(path: fifo)
            Issue.record("a FIFO was accepted")
        } catch {
            #expect(error.message == "cannot write results to '\(fifo)': it is a FIFO; results replace only a regular file")
        }
    }

    @Test func aSocketIsRefused() throws {
        let path = makeScratchDirectory().appendingPathComponent("sock.csv").path
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (offset, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[offset] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        #expect(runTinySweep(output: path) == .badInput)
        #expect(fileType(path) == S_IFSOCK)
    }

    @Test func aSymlinkIsWrittenThroughToItsTarget() throws {
        let directory = makeScratchDirectory()
        let target = directory.appendingPathComponent("target.csv").path
        let link = directory.appendingPathComponent("link.csv").path
        #expect(FileManager.default.createFile(atPath: target, contents: nil, attributes: [.posixPermissions: 0o640]))
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "target.csv")
        #expect(runTinySweep(output: link) == .success)
        #expect(fileType(link) == S_IFLNK)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "target.csv")
        #expect(try csvRows(String(contentsOfFile: target, encoding: .utf8)).count == 32)
        let mode = try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int
        #expect(mode == 0o640, "the replaced file keeps its permissions")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: directory.path)) == ["target.csv", "link.csv"])
    }

    @Test func aDanglingSymlinkCreatesItsTargetButALinkToADeviceIsRefused() throws {
        let directory = makeScratchDirectory()
        let dangling = directory.appendingPathComponent("dangling.csv").path
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: "made.csv")
        try AtomicFileWriter.write("a\n", to: dangling)
        #expect(fileType(dangling) == S_IFLNK)
        #expect(try String(contentsOfFile: directory.appendingPathComponent("made.csv").path, encoding: .utf8) == "a\n")

        let toDevice = directory.appendingPathComponent("null.csv").path
        try FileManager.default.createSymbolicLink(atPath: toDevice, withDestinationPath: "/dev/null")
        #expect(runTinySweep(output: toDevice) == .badInput)
        #expect(fileType("/dev/null") == S_IFCHR)

        let loop = directory.appendingPathComponent("loop.csv").path
        try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: "loop.csv")
        #expect(throws: InputError.self) { try AtomicFileWriter.checkWritable(path: loop) }
    }

    @Test func aMissingDirectoryIsAnErrorExceptForTheDefault() throws {
        let directory = makeScratchDirectory()
        let nested = directory.appendingPathComponent("no/such/dir/x.csv").path
        #expect(runTinySweep(output: nested) == .badInput)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("no").path))
        // Only the default results/ is created when missing.
        #expect(OutputDestination(option: nil, format: .json) == .file(path: "results/latest.json", createParent: true))
        #expect(OutputDestination(option: "x.csv", format: .csv) == .file(path: "x.csv", createParent: false))
        try AtomicFileWriter.write("a\n", to: nested, createParent: true)
        #expect(FileManager.default.fileExists(atPath: nested))
    }

    @Test func dashWritesTheResultsToStandardOutput() throws {
        let directory = makeScratchDirectory()
        let (status, stdout, stderr) = try runBinaryCapturing([
            "--backends", "x86-tdp", "--memory", "64K", "--vcpus", "1", "--aging", "on", "--repetitions", "1",
            "--rounds", "1", "--costs", "host-only", "--output", "-",
        ])
        #expect(status == 0)
        let rows = try csvRows(stdout)
        #expect(rows.count == 1, "stdout holds the CSV and nothing else")
        #expect(!stderr.contains("schema,"))
        #expect(!FileManager.default.fileExists(atPath: "-"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("-").path))
    }

    @Test func anExtensionThatContradictsTheFormatIsAWarning() throws {
        let path = makeScratchDirectory().appendingPathComponent("out.csv").path
        let (status, errors) = try runBinary([
            "--backends", "x86-tdp", "--memory", "64K", "--vcpus", "1", "--aging", "on", "--repetitions", "1",
            "--rounds", "1", "--costs", "host-only", "--format", "json", "--output", path,
        ])
        #expect(status == 0)
        #expect(errors.contains("agingbench: warning: --output '\(path)' ends in .csv but --format is json"))
        #expect(RunCommand.extensionWarning(path: "a/b.json", format: .json) == nil)
        #expect(RunCommand.extensionWarning(path: "a/results.txt", format: .csv) == nil)
        #expect(RunCommand.extensionWarning(path: "x.MD", format: .csv) != nil)
    }
}
