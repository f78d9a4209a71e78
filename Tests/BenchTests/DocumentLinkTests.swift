import Foundation
import Testing
@testable import Bench
@testable import Results

/// Every link in the README and docs/ resolves: a relative path names a file of the checkout, and
/// an anchor names a heading of its page (GitHub's slugs). Links to other sites are not fetched.
@Suite struct DocumentLinkTests {
    static let pages = ["README.md"] + ((try? FileManager.default.contentsOfDirectory(
        atPath: FirstRunTests.repository.appendingPathComponent("docs").path)) ?? [])
        .filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }

    /// GitHub's anchor for a heading: lower case, punctuation other than '-' and '_' dropped,
    /// spaces to '-'.
    static func slug(_ heading: String) -> String {
        String(heading.lowercased().compactMap { character -> Character? in
            if character == " " { return "-" }
            if character.isLetter || character.isNumber || character == "-" || character == "_" { return character }
            return nil
        })
    }

    static func anchors(_ text: String) -> Set<String> {
        var anchors = Set<String>()
        var inFence = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inFence.toggle() }
            guard !inFence, line.hasPrefix("#") else { continue }
            anchors.insert(slug(line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "`", with: "")))
        }
        return anchors
    }

    @Test(arguments: pages)
    func everyLinkResolves(_ page: String) throws {
        let url = FirstRunTests.repository.appendingPathComponent(page)
        let text = try String(contentsOf: url, encoding: .utf8)
        let directory = url.deletingLastPathComponent()
        let anchors = Self.anchors(text)
        for match in text.matches(of: /\]\(([^)\s]+)\)/) {
            let target = String(match.1)
            guard !target.hasPrefix("http://"), !target.hasPrefix("https://"), !target.hasPrefix("mailto:") else { continue }
            let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            if !parts[0].isEmpty {
                let file = directory.appendingPathComponent(parts[0]).standardizedFileURL.path
                #expect(FileManager.default.fileExists(atPath: file), "\(page): \(target) names no file")
                if parts.count == 2, parts[0].hasSuffix(".md"), let other = try? String(contentsOfFile: file, encoding: .utf8) {
                    #expect(Self.anchors(other).contains(parts[1]), "\(page): \(target) names no heading")
                }
            } else if parts.count == 2 {
                #expect(anchors.contains(parts[1]), "\(page): #\(parts[1]) names no heading of the page")
            }
        }
    }

    @Test func slugsAreGitHubs() {
        #expect(Self.slug("Comparing backends: versus") == "comparing-backends-versus")
        #expect(Self.slug("Hundreds of vCPUs: the virtual engine") == "hundreds-of-vcpus-the-virtual-engine")
        #expect(Self.slug("Instruction counts (run --count instructions)") == "instruction-counts-run---count-instructions")
    }
}

/// The results format page's column table and `RunRecord.columnTable` name the same columns, so
/// the manual cannot drift from what `run` writes.
@Suite struct ResultsFormatDocumentTests {
    @Test func theColumnTableNamesEveryColumnAndNoOther() throws {
        let page = try String(contentsOf: FirstRunTests.repository.appendingPathComponent("docs/results-format.md"), encoding: .utf8)
        var documented = Set<String>()
        for line in page.split(separator: "\n") where line.hasPrefix("| `") {
            let firstCell = line.split(separator: "|", omittingEmptySubsequences: true).first.map(String.init) ?? ""
            documented.formUnion(firstCell.matches(of: /`([a-z0-9_]+)`/).map { String($0.1) })
        }
        let written = Set(RunRecord.columns)
        #expect(written.subtracting(documented).isEmpty, "undocumented: \(written.subtracting(documented).sorted())")
        #expect(documented.subtracting(written).isEmpty, "documented but not written: \(documented.subtracting(written).sorted())")
    }
}
