import Backends
@testable import Bench
@testable import Results
import Core
import Testing

/// Every value `list` shows for `descriptors` is explained in their legend.
private func expectLegendExplainsEveryColumn(of descriptors: [BackendDescriptor]) {
    let legend = ListCommand.legend(for: descriptors)
    for descriptor in descriptors {
        let capabilities = descriptor.capabilities
        #expect(legend.contains("\(capabilities.format.name): \(capabilities.format.layoutDescription)"),
                "the legend does not explain '\(capabilities.format.name)'")
        for value in [capabilities.structure.rawValue + ":", capabilities.agingLock.rawValue + ":",
                      capabilities.faultLock.rawValue + ":", capabilities.clearMethod.rawValue + ":"] {
            #expect(legend.contains(value), "the legend does not explain '\(value)'")
        }
    }
}

@Suite struct ListCommandTests {
    @Test func listsEveryRegisteredBackendWithItsCapabilities() {
        let lines = ListCommand.table().split(separator: "\n").map(String.init)
        #expect(lines.count == 2 + Backends.all.count)
        for descriptor in Backends.all {
            let row = lines.first { $0.hasPrefix("| \(descriptor.name) ") }
            #expect(row != nil, "no row for \(descriptor.name)")
            let capabilities = descriptor.capabilities
            for text in [capabilities.format.name, capabilities.agingLock.rawValue, capabilities.faultLock.rawValue, capabilities.clearMethod.rawValue] {
                #expect(row?.contains(text) == true, "\(descriptor.name) row lacks \(text)")
            }
        }
        #expect(lines.first { $0.hasPrefix("| baseline ") }?.contains("| no ") == true, "baseline has no bitmap")
        for descriptor in Backends.all where descriptor.knownRace != nil {
            let row = lines.first { $0.hasPrefix("| \(descriptor.name) ") }
            #expect(row?.contains("| yes ") == true, "\(descriptor.name) is not shown as known-racy")
        }
        // Every value a column shows is explained in the legend.
        expectLegendExplainsEveryColumn(of: Backends.all)
        #expect(AgingBenchMain.run(["list"]).0 == .success)
    }

    /// The guide's promise, "one folder plus one registry line": a backend with an entry format
    /// of its own, registered beside the others, is listed and explained with no other change.
    @Test func aNewBackendWithItsOwnFormatIsExplainedByTheLegend() {
        let ppc64 = EntryFormat(
            name: "ppc64-radix", hardwarePresentMask: 1 << 63, mappedMask: 1 << 63, accessedMask: 1 << 8, dirtyMask: 1 << 7,
            writableMask: 1 << 1, leafTemplate: (1 << 63) | (1 << 62) | 0b101, tableBits: 0b1, pfnShift: 12)
        let added = BackendDescriptor.radix(name: "ppc64-radix", summary: "POWER radix tree (scratch)") { _ in
            BackendCapabilities(format: ppc64, structure: .radix, agingLock: .read, bitmapAgingLock: nil,
                                faultLock: .read, clearMethod: .atomicAnd, fast: false)
        }
        let registry = Backends.all + [added]
        expectLegendExplainsEveryColumn(of: registry)
        #expect(ListCommand.legend(for: registry).contains("ppc64-radix: present 63, writable 1, accessed 8, dirty 7"))
        #expect(!ListCommand.legend().contains("ppc64-radix"))
        #expect(ListCommand.table(registry).contains("| ppc64-radix "))
    }

    @Test func formatsDescribeTheirOwnBits() {
        #expect(EntryFormat.ept.layoutDescription == "present 0-2, writable 1, accessed 8, dirty 9, mapped 11")
        #expect(EntryFormat.arm64Stage2.layoutDescription == "present 0, writable 7, accessed 10")
        #expect(EntryFormat.eptAccessTracking.layoutDescription.contains("no accessed bit"))
    }
}
