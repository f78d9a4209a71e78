@testable import Bench
import Foundation
import Results
import Testing

/// `agingbench machines`, and `run --machine` / `--placement`: what they write, and the one line
/// and exit status 2 a bad choice gets.
@Suite(.scratchCleanup) struct MachineOptionsTests {
    @Test func machinesCSVHasOneParsableRowPerProfile() throws {
        let (status, output, errors) = try runBinaryCapturing(["machines", "--format", "csv"])
        #expect(status == 0 && errors.isEmpty)
        let table = try CSVWriter.parse(output)
        #expect(table.first == MachinesCommand.header)
        let rows = try csvRows(output)
        #expect(rows.map { $0["machine"] } == MachineProfiles.all.map(\.name))
        #expect(rows.allSatisfy { !($0["sources"] ?? "").isEmpty })
        let epyc = try #require(rows.first { $0["machine"] == "epyc-9654-2s" })
        #expect(epyc["cpus"] == "192" && epyc["sockets"] == "2" && epyc["domains_per_socket"] == "12")
        #expect(epyc["cpus_per_domain"] == "8" && epyc["within_domain_ns"] == "27.1")
        #expect(epyc["across_domains_ns"] == "99.3" && epyc["across_sockets_ns"] == "191.6")
        #expect(rows.first?["cpus"] == "as agents")
        #expect(rows.first { $0["machine"] == "graviton2" }?["across_sockets_ns"] == "-")
    }

    @Test func machinesTableListsEveryProfileAndItsSources() throws {
        let (status, output, _) = try runBinaryCapturing(["machines"])
        #expect(status == 0)
        for profile in MachineProfiles.all {
            #expect(output.contains("| \(profile.name) "))
            for source in profile.sources { #expect(output.contains(source)) }
        }
        let (badStatus, badErrors) = try runBinary(["machines", "--format", "json"])
        #expect(badStatus == 2 && badErrors.split(separator: "\n").count == 1)
    }

    @Test func anUnknownMachineIsOneLineNamingTheChoices() throws {
        let output = makeScratchDirectory().appendingPathComponent("never.csv").path
        for engine in ["real", "virtual"] {
            let (status, errors) = try runBinary(["run", "--engine", engine, "--machine", "xeon", "--output", output])
            #expect(status == 2)
            let lines = errors.split(separator: "\n")
            #expect(lines.count == 1, "one line, got: \(errors)")
            #expect(errors.contains("'xeon'"))
            for profile in MachineProfiles.all { #expect(errors.contains(profile.name)) }
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func aProfileOrAPlacementWithTheRealEngineIsRefused() throws {
        let output = makeScratchDirectory().appendingPathComponent("never.csv").path
        for refused in [["--machine", "xeon-8358-2s"], ["--machine", "graviton2", "--engine", "real"], ["--placement", "fill"]] {
            let (status, errors) = try runBinary(["run"] + refused + ["--output", output])
            #expect(status == 2, "\(refused)")
            #expect(errors.split(separator: "\n").count == 1, "\(refused): \(errors)")
            #expect(errors.contains("--engine virtual"), "\(refused): \(errors)")
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func rowsNameTheMachineAndThePlacement() throws {
        let directory = makeScratchDirectory()
        let calibration = try VirtualEngineTests.calibrationFixture(in: directory)

        let virtual = directory.appendingPathComponent("virtual.csv").path
        let status = AgingBenchMain.run([
            "run", "--engine", "virtual", "--calibration", calibration, "--machine", "epyc-9654-2s", "--placement", "fill",
            "--backends", "x86-tdp", "--memory", "128K", "--vcpus", "1,4", "--aging", "on", "--repetitions", "1",
            "--quiet", "--output", virtual,
        ]).0
        #expect(status == .success)
        let rows = try csvRows(String(contentsOfFile: virtual, encoding: .utf8))
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0["machine"] == "epyc-9654-2s" && $0["placement"] == "fill" && $0["schema"] == String(RunRecord.schemaVersion) })

        // A preset takes --machine too (and the default placement).
        let preset = directory.appendingPathComponent("preset.csv").path
        let presetStatus = AgingBenchMain.run([
            "run", "--preset", "virtual-series", "--calibration", calibration, "--machine", "graviton2",
            "--backends", "x86-tdp", "--memory", "128K", "--vcpus", "2", "--aging", "on", "--quiet", "--output", preset,
        ]).0
        #expect(presetStatus == .success)
        let presetRows = try csvRows(String(contentsOfFile: preset, encoding: .utf8))
        #expect(!presetRows.isEmpty && presetRows.allSatisfy { $0["machine"] == "graviton2" && $0["placement"] == "spread" })
        // Without --output, a preset on a named profile writes a file of its own beside the host's.
        let command = try #require(try AgingBench.parseAsRoot([
            "--preset", "paper", "--calibration", calibration, "--machine", "graviton2", "--quiet",
        ]) as? RunCommand)
        #expect(try command.validated().destination == .file(path: "results/paper-graviton2.csv", createParent: true))
        #expect(SweepPreset.paper.output(.csv) == "results/paper.csv")
        #expect(SweepPreset.virtualSeries.output(.json, machine: .host) == "results/latest-virtual.json")

        let real = directory.appendingPathComponent("real.csv").path
        #expect(runTinySweep(output: real, ["--machine", "host"]) == .success)
        let realRows = try csvRows(String(contentsOfFile: real, encoding: .utf8))
        #expect(!realRows.isEmpty && realRows.allSatisfy { $0["machine"] == "host" && $0["placement"] == "" })
    }
}
