import Backends
import Core
import Foundation
import Testing
@testable import Bench
@testable import Results

/// The gate must see a backend that stopped honouring its bitmap: its cells change `driver`, so
/// they no longer match the baseline's, and a gating cell missing from the new run fails.
@Suite(.scratchCleanup) struct GateMissingCellTests {
    static let context = RunContext(commit: "c", host: "h", cpuModel: "Test CPU", cores: 2, build: "debug", timestamp: "t", executable: "e")

    /// `x86-tdp` as registered, but with the bitmap not honoured: what a backend whose
    /// `kvm_arch_prepare_bitmap_age` started refusing would declare.
    static let x86TDPWithoutBitmap: BackendDescriptor = {
        let registered = Backends.named("x86-tdp")!
        return BackendDescriptor.radix(name: registered.name, summary: registered.summary, supportsAccessTracking: true) {
            var capabilities = registered.capabilities(for: $0)
            capabilities.bitmapAgingLock = nil
            return capabilities
        }
    }()

    /// An aging-only sweep of x86-tdp and baseline, 4 repetitions, with `x86-tdp` built by `descriptor`.
    static func sweep(x86TDP descriptor: BackendDescriptor, cpuModel: String = "Test CPU") throws -> String {
        var settings = WorkloadSettings()
        settings.agingOnly = true
        settings.agingOnlyPasses = 2
        settings.costs = .raw
        var context = Self.context
        context.cpuModel = cpuModel
        var records: [RunRecord] = []
        for repetition in 0..<4 {
            for backend in [descriptor, try #require(Backends.named("baseline"))] {
                let cell = SweepCell(backend: backend.name, memoryPerVCPU: try ByteSize(parsing: "256K"), vcpus: 1,
                                     aging: true, repetition: repetition, index: records.count)
                records.append(try CellRunner.run(cell, descriptor: backend, settings: settings, context: context))
            }
        }
        return CSVWriter.document(records)
    }

    @Test func aBackendThatLosesItsBitmapFailsTheGate() throws {
        let directory = makeScratchDirectory()
        let base = directory.appendingPathComponent("base.csv").path, new = directory.appendingPathComponent("new.csv").path
        try Self.sweep(x86TDP: try #require(Backends.named("x86-tdp"))).write(toFile: base, atomically: true, encoding: .utf8)
        try Self.sweep(x86TDP: Self.x86TDPWithoutBitmap).write(toFile: new, atomically: true, encoding: .utf8)
        let newRows = try csvRows(try String(contentsOfFile: new, encoding: .utf8))
        #expect(Set(newRows.filter { $0["backend"] == "x86-tdp" }.map { $0["driver"] }) == ["per-page"])

        for command in [["baseline", "check", new, "--baseline", base], ["compare", base, new]] {
            let (status, out, errors) = try runBinaryCapturing(command)
            #expect(status == 1, "\(command[0]): \(errors)")
            // The missing cell is said in one line; two real-engine sweeps on a shared machine (under
            // a sanitizer, in CI) may also differ in a timing metric, which is a line of its own.
            let lines = errors.split(separator: "\n").filter { !$0.contains("warning") && !$0.hasPrefix(" ") }
            let missing = lines.filter { $0.contains("gating cell(s) of the base missing") }
            #expect(missing.count == 1 && missing[0].contains("x86-tdp"), "\(errors)")
            #expect(lines.allSatisfy { $0.contains("missing") || $0.contains("regression in") }, "\(errors)")
            #expect(out.contains("**Regression**") && out.contains("Gating cells missing from new (1, fail)"))
        }
        // Said on the command line, the missing cells are listed and pass.
        let (allowed, out, errors) = try runBinaryCapturing(["baseline", "check", new, "--baseline", base, "--allow-missing"])
        #expect(allowed == 0, "\(errors)")
        #expect(out.contains("Gating cells missing from new (1, allowed)"))
    }

    @Test func informationalRowsAreListedApartAndACPUChangeIsSaid() throws {
        let directory = makeScratchDirectory()
        let base = directory.appendingPathComponent("base.csv").path, new = directory.appendingPathComponent("new.csv").path
        let x86TDP = try #require(Backends.named("x86-tdp"))
        try Self.sweep(x86TDP: x86TDP, cpuModel: "AMD EPYC").write(toFile: base, atomically: true, encoding: .utf8)
        try Self.sweep(x86TDP: x86TDP, cpuModel: "Intel Xeon").write(toFile: new, atomically: true, encoding: .utf8)
        let (_, out, errors) = try runBinaryCapturing(["compare", base, new])
        #expect(errors.contains("warning: base ran on AMD EPYC, new on Intel Xeon"))
        #expect(out.contains("> **Warning**: base ran on AMD EPYC, new on Intel Xeon"))
        let gating = try #require(out.range(of: "### Gating metrics")), informational = try #require(out.range(of: "### Informational metrics"))
        #expect(gating.upperBound < informational.lowerBound)
        let report = Comparer.compare(base: try ResultTable.load(path: base), new: try ResultTable.load(path: new), settings: GateSweep.settings)
        #expect(report.cpuMismatch && report.baseCPUs == ["AMD EPYC"] && report.newCPUs == ["Intel Xeon"])
        // Every informational metric sits below its heading, none above it.
        let informationalMetrics = Set(report.comparisons.filter { !$0.gates }.map(\.metric))
        let gatingText = out[gating.upperBound..<informational.lowerBound]
        #expect(!informationalMetrics.isEmpty)
        #expect(informationalMetrics.allSatisfy { metric in !gatingText.contains("| \(metric) ") })
    }
}
