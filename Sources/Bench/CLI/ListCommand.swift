import ArgumentParser
import Backends
import Core
import Results

/// `agingbench list`: every registered backend with its capabilities, as a table, and a legend
/// saying what each column's values mean.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the registered backends and what each one does.")

    func run() throws {
        print(Self.table())
        print()
        print(Self.legend())
    }

    static func table(_ descriptors: [BackendDescriptor] = Backends.all) -> String {
        let header = ["backend", "format", "tables", "aging lock", "bitmap", "fault lock", "clear", "fast", "A/D off", "known race", "summary"]
        let rows = descriptors.map { descriptor -> [String] in
            let capabilities = descriptor.capabilities
            return [
                descriptor.name, capabilities.format.name, capabilities.structure.rawValue,
                capabilities.agingLock.rawValue,
                capabilities.bitmapAgingLock.map { "yes (\($0.rawValue))" } ?? "no",
                capabilities.faultLock.rawValue, capabilities.clearMethod.rawValue,
                capabilities.fast ? "yes" : "no", descriptor.supportsAccessTracking ? "option" : "-",
                descriptor.knownRace == nil ? "-" : "yes", descriptor.summary,
            ]
        }
        return TextTable.render(header: header, rows: rows)
    }

    /// What the columns mean, built from `descriptors` and Core's own descriptions of every lock
    /// mode, clear method and table structure, so a backend with a new entry format is explained
    /// the moment it is registered. docs/ADDING_A_BACKEND.md has the same choices with their
    /// Swift spellings.
    static func legend(for descriptors: [BackendDescriptor] = Backends.all) -> String {
        var formats: [EntryFormat] = []
        for descriptor in descriptors where !formats.contains(descriptor.capabilities.format) {
            formats.append(descriptor.capabilities.format)
        }
        func entry(_ column: String, _ lines: [String]) -> [String] {
            let pad = String(repeating: " ", count: 14)
            return lines.enumerated().map { index, line in
                (index == 0 ? "  " + column.padding(toLength: 12, withPad: " ", startingAt: 0) : pad) + line
            }
        }
        var lines = ["Legend:"]
        lines += entry("format", ["entry format, bit positions:"] + formats.map { "\($0.name): \($0.layoutDescription)" })
        lines += entry("tables", TableStructure.allCases.map { "\($0.rawValue): \($0.meaning)" })
        lines += entry("aging lock", ["what a one-page clear_young/test_young takes:"]
            + LockMode.allCases.map { "\($0.rawValue): \($0.meaning)" })
        lines += entry("bitmap", ["yes (lock): the 64-page bitmap is honoured, its hooks taking that lock;",
                                  "no: the bitmap is reported unreliable and aging asks one page per call"])
        lines += entry("fault lock", ["what a vCPU fault takes, in the aging lock's terms"])
        lines += entry("clear", ["how Accessed is cleared:"] + ClearMethod.allCases.map { "\($0.rawValue): \($0.meaning)" })
        lines += entry("fast", ["whether a young result carries MMU_NOTIFIER_YOUNG_FAST (cheap to ask; look around)"])
        lines += entry("A/D off", ["option: --ad-off runs it with A/D bits off (access tracking)"])
        lines += entry("known race", ["yes: models a kernel bug on purpose; the conformance suite must catch it"])
        return lines.joined(separator: "\n")
    }
}
