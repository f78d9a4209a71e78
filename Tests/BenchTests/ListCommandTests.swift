import Backends
@testable import Bench
import Testing

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
        for descriptor in Backends.all {
            let capabilities = descriptor.capabilities
            for value in [capabilities.format.name, capabilities.structure.rawValue, capabilities.agingLock.rawValue,
                          capabilities.faultLock.rawValue, capabilities.clearMethod.rawValue] {
                #expect(ListCommand.legend.contains(value), "the legend does not explain '\(value)'")
            }
        }
        #expect(AgingBenchMain.run(["list"]).0 == .success)
    }
}
