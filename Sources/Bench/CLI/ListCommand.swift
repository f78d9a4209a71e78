import ArgumentParser
import Backends
import Core

/// `agingbench list`: every registered backend with its capabilities, as a table.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the registered backends and what each one does.")

    func run() throws {
        print(Self.table())
    }

    static func table() -> String {
        let header = ["backend", "format", "tables", "aging lock", "bitmap", "fault lock", "clear", "fast", "A/D off", "summary"]
        let rows = Backends.all.map { descriptor -> [String] in
            let capabilities = descriptor.capabilities
            return [
                descriptor.name, capabilities.format.name, capabilities.structure.rawValue,
                capabilities.agingLock.rawValue,
                capabilities.bitmapAgingLock.map { "yes (\($0.rawValue))" } ?? "no",
                capabilities.faultLock.rawValue, capabilities.clearMethod.rawValue,
                capabilities.fast ? "yes" : "no", descriptor.supportsAccessTracking ? "option" : "-",
                descriptor.summary,
            ]
        }
        return TextTable.render(header: header, rows: rows)
    }
}
