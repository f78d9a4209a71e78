import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Results

/// The heat map's structure: one cell per grid point where the caller put it, well-formed XML,
/// a missing value shown as such, and the reference drawn white.
@Suite struct HeatMapChartTests {
    static func chart(rows: Int, columns: Int, missing: (row: Int, column: Int)? = nil) -> HeatMapChart {
        let values: [[Double?]] = (0..<rows).map { row in
            (0..<columns).map { column in
                if let missing, missing == (row, column) { return nil }
                return Double(row + 1) * Double(column + 1) / 4
            }
        }
        return HeatMapChart(
            title: "pass <a> & \"b\" ÷ c", source: "s.csv", xTitle: "latency (ns)", yTitle: "share (%)",
            columns: (0..<columns).map { "\($0 * 20 + 20)" }, rows: (0..<rows).map { "\($0 + 1)" }, values: values,
            note: "a note & more")
    }

    /// Every `rect` of class `cell`: its row, column and fill, as the parser reads them.
    final class Cells: NSObject, XMLParserDelegate {
        var cells: [(row: Int, column: Int, fill: String, y: Double)] = []
        var texts: [String] = []
        private var text = ""

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String]) {
            text = ""
            guard name == "rect", attributes["class"] == "cell" else { return }
            cells.append((Int(attributes["data-row"] ?? "") ?? -1, Int(attributes["data-column"] ?? "") ?? -1,
                          attributes["fill"] ?? "", Double(attributes["y"] ?? "") ?? -1))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "text" { texts.append(text) }
        }
    }

    static func parse(_ svg: String) throws -> Cells {
        let parser = XMLParser(data: Data(svg.utf8))
        let cells = Cells()
        parser.delegate = cells
        let parsed = parser.parse()
        #expect(parsed, "well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")")
        return cells
    }

    @Test(arguments: [(1, 1), (5, 5), (3, 7), (20, 20)])
    func oneCellPerPointInWellFormedXML(_ rows: Int, _ columns: Int) throws {
        let parsed = try Self.parse(Self.chart(rows: rows, columns: columns).render())
        #expect(parsed.cells.count == rows * columns)
        let positions = Set(parsed.cells.map { "\($0.row),\($0.column)" })
        #expect(positions.count == rows * columns, "each (row, column) once")
        #expect(parsed.cells.allSatisfy { (0..<rows).contains($0.row) && (0..<columns).contains($0.column) })
        #expect(parsed.texts.contains("pass <a> & \"b\" ÷ c"), "the title survives escaping")
    }

    @Test func theFirstRowIsAtTheBottomAndAMissingValueIsGreyNA() throws {
        let parsed = try Self.parse(Self.chart(rows: 3, columns: 2, missing: (1, 1)).render())
        let column0 = parsed.cells.filter { $0.column == 0 }.sorted { $0.row < $1.row }
        #expect(column0.map(\.y) == column0.map(\.y).sorted(by: >), "y grows upwards")
        #expect(parsed.cells.first { $0.row == 1 && $0.column == 1 }?.fill == "#d9d9d9")
        #expect(parsed.texts.contains("n/a"))
    }

    @Test func cellNotesArePrintedUnderTheirValuesAndTheBarShowsOnlyTheRangeInUse() throws {
        var chart = Self.chart(rows: 5, columns: 2)
        chart.values = [[3, 3], [9, 9], [27, 27], [81, 81], [81, 81]]
        chart.cellNotes = [["a", "b"], ["c", "d"], ["e", "f"], ["g", "h"], ["i", "j"]]
        let parsed = try Self.parse(chart.render())
        #expect(["a", "b", "c", "d", "j"].allSatisfy(parsed.texts.contains))
        #expect(parsed.texts.contains("81.0") && parsed.texts.contains("0.50"), "the bar runs from ÷2 to the largest value")
        #expect(!parsed.texts.contains("0.012"), "not down to the mirror of the largest")
    }

    @Test func theReferenceIsPaleAndTheSidesHaveTheirHues() {
        let white = HeatMapChart.color(at: 0), high = HeatMapChart.color(at: 1), low = HeatMapChart.color(at: -1)
        #expect(white.red == white.blue && white.red > 240)
        #expect(high.red > high.blue && low.blue > low.red)
        var chart = Self.chart(rows: 1, columns: 1)
        chart.values = [[1]]
        #expect(chart.render().contains("fill=\"#f7f7f7\""), "a ratio of exactly the reference is white")
        #expect(chart.position(4, span: chart.logSpan) == -chart.position(0.25, span: chart.logSpan))
    }
}
