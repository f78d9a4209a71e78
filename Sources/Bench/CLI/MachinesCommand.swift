import ArgumentParser
import Results

/// `agingbench machines`: every machine profile `run --machine` takes, with its CPUs, how they are
/// grouped, what a line move costs between them, and where the figures come from.
///
/// Contract: one row per profile in `MachineProfiles.all`'s order, the same cells in both formats.
/// A figure the profile never charges (across sockets on one socket, across domains with one
/// domain per socket) reads "-"; `host`'s CPUs read "as agents" and its line moves "calibration"
/// (every pair at the calibration's measured transfer). The CSV is RFC 4180 (`CSVWriter.escape`),
/// the sources of a profile joined by "; " in one field.
struct MachinesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machines", abstract: "List the machine profiles the virtual engine can run on (run --machine).")

    /// How the list is written.
    enum Format: String, CaseIterable, ExpressibleByArgument {
        /// A padded text table, then each profile's summary and sources below it.
        case table
        /// One header line and one line per profile.
        case csv
    }

    @Option(parsing: .unconditional, help: "Output format: table or csv.")
    var format = Format.table

    func run() throws {
        // `print` adds the newline the CSV document already ends with.
        switch format {
        case .table: print(Self.table())
        case .csv: print(Self.csv(), terminator: "")
        }
    }

    static let header = [
        "machine", "cpus", "sockets", "domains_per_socket", "cpus_per_domain",
        "within_domain_ns", "across_domains_ns", "across_sockets_ns", "sources",
    ]

    /// A profile's cells, in `header`'s order.
    static func cells(_ profile: MachineProfile) -> [String] {
        let latencies: [String]
        if let figures = profile.latencies {
            latencies = [
                number(figures.withinDomain),
                profile.domainsPerSocket > 1 ? number(figures.acrossDomains) : "-",
                profile.sockets > 1 ? number(figures.acrossSockets) : "-",
            ]
        } else {
            latencies = ["calibration", "calibration", "calibration"]
        }
        return [
            profile.name, profile.cpus.map(String.init) ?? "as agents", String(profile.sockets),
            String(profile.domainsPerSocket), profile.latencies == nil ? "as agents" : String(profile.cpusPerDomain),
        ] + latencies + [profile.sources.joined(separator: "; ")]
    }

    /// Nanoseconds as the profiles state them (to 0.1 ns), without a trailing ".0".
    static func number(_ nanoseconds: Double) -> String {
        let tenths = (nanoseconds * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
    }

    static func csv(_ profiles: [MachineProfile] = MachineProfiles.all) -> String {
        ([header] + profiles.map(cells)).map { $0.map(CSVWriter.escape).joined(separator: ",") + "\n" }.joined()
    }

    /// The figures as a table (sources left out: too long for a cell), then each profile's
    /// summary and sources, and what the latency columns mean.
    static func table(_ profiles: [MachineProfile] = MachineProfiles.all) -> String {
        let columns = ["machine", "CPUs", "sockets", "domains/socket", "CPUs/domain", "within domain ns", "across domains ns", "across sockets ns"]
        let rows = profiles.map { Array(cells($0).dropLast()) }
        var lines = [TextTable.render(header: columns, rows: rows, rightAligned: columns.indices.map { $0 > 0 }), ""]
        for profile in profiles {
            lines.append("\(profile.name): \(profile.summary)")
            lines += profile.sources.map { "  source: \($0)" }
        }
        lines += [
            "",
            "A latency is one move of a contended cache line between two CPUs (a compare-and-swap ping-pong's",
            "round trip / 2); '-': the profile has no such pair; 'calibration': the calibration's measured transfer.",
        ]
        return lines.joined(separator: "\n")
    }
}
