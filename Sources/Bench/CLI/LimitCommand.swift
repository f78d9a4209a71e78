import ArgumentParser
import Backends
import Core
import Foundation
import Results

/// `agingbench limit`: the C reference alone: what an aging pass costs the hardware here.
struct LimitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limit",
        abstract: "Time the C reference aging passes (the hardware's limit) over guests of the given sizes.",
        discussion: """
            Per backend and size: a tree of that many 4 KiB leaves in the backend's own entry \
            format (its leaf bits, Accessed bit and pfn position), every other page made young \
            before each pass. 'windowed' is the runner's bitmap protocol (per 64-page window, \
            a test walk then a clear walk; what pass_vs_limit divides by), 'plain' one loop that \
            tests and clears, 'test-only' one loop that only tests. Medians over the passes.
            """)

    /// Beyond this a pass count is a typo: 16G passes take about a second each.
    static let maximumPasses = 10_000

    // Unconditional, as in `run`: `--memory -1G` reaches the size check, which names the value.
    @Option(parsing: .unconditional, help: "Guest sizes, comma-separated, with K/M/G/T suffixes.")
    var memory = "1G,16G"
    @Option(parsing: .unconditional, help: "Timed passes per size and kind (1-\(maximumPasses)).")
    var passes = 5
    @Option(parsing: .unconditional, help: "Backends whose entry format the reference uses, comma-separated, or 'all'.")
    var backends = "x86-tdp"

    func run() throws {
        var formats: [(backend: String, format: EntryFormat)] = []
        let names = backends == "all" ? Backends.all.map(\.name) : RunCommand.list(backends)
        guard !names.isEmpty else { throw InputError("--backends is empty: name a backend, or 'all'") }
        for name in names {
            guard let descriptor = Backends.named(name) else {
                throw InputError("unknown backend '\(name)' (known: \(Backends.all.map(\.name).joined(separator: ", ")))")
            }
            let format = descriptor.capabilities.format
            // Access tracking parks entries instead of clearing a bit: no C loop models that.
            if format.accessedMask == 0 {
                throw InputError("backend '\(name)' has no Accessed bit in its default format; the reference needs one")
            }
            formats.append((name, format))
        }
        var sizes: [ByteSize] = []
        for text in RunCommand.list(memory) { sizes.append(try ByteSize(parsing: text)) }
        guard (1...Self.maximumPasses).contains(passes) else {
            throw InputError("--passes \(passes) is out of range: expected 1 to \(Self.maximumPasses)")
        }
        for size in sizes {
            try MemoryEstimate.requireFits(guestPages: size.pages, structure: .radix, what: "a \(size) reference guest")
        }
        if BuildKind.current == "debug" {
            AgingBenchMain.printError("agingbench: WARNING: this is a DEBUG build; use `swift run -c release agingbench limit`.")
        }
        var rows: [[String]] = []
        for (backend, format) in formats {
            for size in sizes {
                guard let reference = ReferenceLimit(pages: size.pages, format: format) else {
                    throw RunOutcome(status: .failure, message: "out of memory building a \(size) reference tree")
                }
                for kind in ReferenceLimit.Kind.allCases {
                    var nanoseconds: [Double] = []
                    for _ in 0..<passes {
                        reference.markYoung(stride: 2)
                        nanoseconds.append(Ticks.nanoseconds(reference.timedPass(kind).ticks))
                    }
                    let perLeaf = MarkdownTable.median(nanoseconds) / Double(size.pages)
                    rows.append([
                        backend, format.name, size.description, kind.rawValue, String(size.pages),
                        String(format: "%.2f", perLeaf), String(reference.tableBytes),
                    ])
                }
            }
        }
        print(TextTable.render(header: ["backend", "format", "guest", "pass", "leaves", "ns/leaf (median)", "table bytes"], rows: rows))
    }
}
