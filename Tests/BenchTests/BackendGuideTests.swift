import Foundation
import Testing

/// The backend guide is written twice: as Markdown in docs/, read in the repository, and as an
/// article of AgingBenchCore's DocC catalog, read beside the API it names. A change to one that
/// forgets the other fails here: both must have the same sections, in order, and the same code.
@Suite struct BackendGuideTests {
    static func read(_ path: String) throws -> String {
        try String(contentsOf: FirstRunTests.repository.appendingPathComponent(path), encoding: .utf8)
    }

    /// The `##` headings, without the numbers the Markdown copy puts before them ("1. ").
    static func sections(_ text: String) -> [String] {
        var inFence = false
        var headings: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inFence.toggle() }
            guard !inFence, line.hasPrefix("## ") else { continue }
            let title = line.dropFirst(3)
            headings.append(String(title.drop { $0.isNumber || $0 == "." || $0 == " " }))
        }
        return headings
    }

    /// Every fenced block, fence lines included.
    static func codeBlocks(_ text: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if var block = current {
                    block.append(line)
                    blocks.append(block.joined(separator: "\n"))
                    current = nil
                } else {
                    current = [line]
                }
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test func bothCopiesHaveTheSameSectionsAndCode() throws {
        let markdown = try Self.read("docs/ADDING_A_BACKEND.md")
        let article = try Self.read("Sources/Core/AgingBenchCore.docc/AddingABackend.md")
        // DocC asks for an Overview section where the Markdown copy has its introduction.
        #expect(Self.sections(markdown) == Self.sections(article).filter { $0 != "Overview" })
        #expect(!Self.codeBlocks(markdown).isEmpty)
        #expect(Self.codeBlocks(markdown) == Self.codeBlocks(article))
    }
}
