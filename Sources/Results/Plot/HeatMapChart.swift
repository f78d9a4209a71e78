import Foundation

/// A grid of ratios as a standalone SVG heat map: columns along x, rows along y (the first row at
/// the bottom, so a y value grows upwards as on any axis), each cell coloured by its value on a
/// diverging scale centred on `reference` and the value printed in it.
///
/// Contract: `render()` is deterministic for equal input and well-formed XML; there is exactly
/// one `<rect class="cell">` per grid point, in row-major order (row 0 first), each carrying its
/// column and row index (`data-column`, `data-row`) and its value in a `<title>`. A missing value
/// (nil, or not a positive finite number) is a grey cell printed "n/a". The scale is logarithmic
/// with one slope on both sides of `reference` (a ratio of 2 is as red as ½ is blue), saturating
/// at the largest distance from the reference on the map, at least `minimumSpan`, so a map whose
/// values all sit at the reference stays pale instead of stretching noise over the whole scale.
/// The colour bar shows the part of that scale the map uses (at least ÷`minimumSpan` to
/// ×`minimumSpan`), with the reference marked where it falls.
public struct HeatMapChart: Sendable {
    public var title: String
    /// Where the values come from, printed under the title.
    public var source: String
    /// A line under the source: what a reader must know to read the map.
    public var note = ""
    public var xTitle: String
    public var yTitle: String
    /// Column labels, left to right.
    public var columns: [String]
    /// Row labels, bottom to top.
    public var rows: [String]
    /// `values[row][column]`; nil where the ratio could not be formed.
    public var values: [[Double?]]
    /// The value that means "no difference", drawn white and marked on the colour bar.
    public var reference = 1.0
    /// What a value above the reference means, under the colour bar (e.g. "write-locked slower").
    public var aboveMeaning = ""
    /// What a value below the reference means.
    public var belowMeaning = ""
    /// The smallest extent of the scale, as a factor of the reference (2: the ends are ×2 and ÷2).
    public var minimumSpan = 2.0
    /// A second, smaller line per cell (`cellNotes[row][column]`), e.g. what a value is over; empty: none.
    public var cellNotes: [[String]] = []

    public init(
        title: String, source: String, xTitle: String, yTitle: String, columns: [String], rows: [String],
        values: [[Double?]], note: String = ""
    ) {
        self.title = title
        self.source = source
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.columns = columns
        self.rows = rows
        self.values = values
        self.note = note
    }

    /// The value at a cell, when it can be coloured.
    func value(row: Int, column: Int) -> Double? {
        guard row < values.count, column < values[row].count, let value = values[row][column],
              value.isFinite, value > 0 else { return nil }
        return value
    }

    /// The map's values, as log distances from the reference, widened to ÷`minimumSpan`…×`minimumSpan`.
    var logRange: (low: Double, high: Double) {
        let least = log(max(minimumSpan, 1.0001))
        var range = (low: -least, high: least)
        for row in rows.indices {
            for column in columns.indices {
                guard let value = value(row: row, column: column) else { continue }
                let distance = log(value / reference)
                range = (min(range.low, distance), max(range.high, distance))
            }
        }
        return range
    }

    /// The scale's half-extent in log space: the farthest value from the reference, at least `minimumSpan`.
    var logSpan: Double { max(-logRange.low, logRange.high) }

    /// Where `value` sits on the scale: −1 (the low end) through 0 (the reference) to 1.
    func position(_ value: Double, span: Double) -> Double {
        min(1, max(-1, log(value / reference) / span))
    }

    /// Blue below the reference, white at it, red above: a diverging scale (ColorBrewer's RdBu
    /// ends), so the eye reads the sign first and the size second.
    static func color(at position: Double) -> (red: Double, green: Double, blue: Double) {
        let white = (red: 247.0, green: 247.0, blue: 247.0)
        let end = position >= 0 ? (red: 178.0, green: 24.0, blue: 43.0) : (red: 33.0, green: 102.0, blue: 172.0)
        let t = min(1, abs(position))
        return (white.red + (end.red - white.red) * t, white.green + (end.green - white.green) * t,
                white.blue + (end.blue - white.blue) * t)
    }

    static func hex(_ color: (red: Double, green: Double, blue: Double)) -> String {
        func byte(_ channel: Double) -> String { String(format: "%02x", locale: nil, Int(channel.rounded())) }
        return "#" + byte(color.red) + byte(color.green) + byte(color.blue)
    }

    /// Dark text on pale cells, white on saturated ones, so every printed value stays legible.
    static func textColor(at position: Double) -> String { abs(position) > 0.72 ? "white" : "#111" }

    /// The value as printed in a cell: three significant digits, never a locale's decimal comma.
    static func label(_ value: Double) -> String {
        if value >= 100 { return String(format: "%.0f", locale: nil, value) }
        if value >= 10 { return String(format: "%.1f", locale: nil, value) }
        if value >= 0.1 { return String(format: "%.2f", locale: nil, value) }
        return value.formatted(significant: 2)
    }

    public func render(cellWidth: Double = 96, cellHeight: Double = 56) -> String {
        let left = 110.0, legendWidth = 210.0, bottom = 64.0
        let plotWidth = cellWidth * Double(columns.count), plotHeight = cellHeight * Double(rows.count)
        // Wide enough for the title (17 px bold, about 10 px a character) as well as the grid.
        let width = max(left + plotWidth + legendWidth, 40 + Double(title.count) * 10, 560)
        let noteLines = SVGChart.wrap(note, width: Int((width - 40) / 6.8))
        let top = 76.0 + 14 * Double(noteLines.count)
        let barHeight = max(plotHeight, 120)
        let height = top + max(plotHeight, barHeight + 40) + bottom
        let span = logSpan
        let f = SVGChart.f, escape = SVGChart.escape

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
            <rect width="100%" height="100%" fill="white"/>
            <text x="20" y="26" font-size="17" font-weight="bold">\(escape(title))</text>
            <text x="20" y="46" font-size="12" fill="#444">source: \(escape(source))</text>

            """
        for (index, line) in noteLines.enumerated() {
            svg += "<text x=\"20\" y=\"\(62 + 14 * index)\" font-size=\"12\" fill=\"#444\">\(escape(line))</text>\n"
        }
        // Row 0 at the bottom: y grows upwards.
        func cellY(_ row: Int) -> Double { top + plotHeight - cellHeight * Double(row + 1) }
        for row in rows.indices {
            for column in columns.indices {
                let x = left + cellWidth * Double(column), y = cellY(row)
                let value = value(row: row, column: column)
                let position = value.map { self.position($0, span: span) } ?? 0
                let fill = value == nil ? "#d9d9d9" : Self.hex(Self.color(at: position))
                let text = value.map(Self.label) ?? "n/a"
                let tooltip = "\(yTitle) \(rows[row]), \(xTitle) \(columns[column]): \(value.map { $0.formatted(significant: 4) } ?? "n/a")"
                svg += "<rect class=\"cell\" data-column=\"\(column)\" data-row=\"\(row)\" x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(cellWidth))\" height=\"\(f(cellHeight))\" fill=\"\(fill)\" stroke=\"white\" stroke-width=\"2\"><title>\(escape(tooltip))</title></rect>\n"
                let note = row < cellNotes.count && column < cellNotes[row].count ? cellNotes[row][column] : ""
                let color = value == nil ? "#555" : Self.textColor(at: position)
                svg += "<text x=\"\(f(x + cellWidth / 2))\" y=\"\(f(y + cellHeight / 2 + (note.isEmpty ? 5 : 0)))\" font-size=\"14\" text-anchor=\"middle\" fill=\"\(color)\">\(escape(text))</text>\n"
                if !note.isEmpty {
                    svg += "<text x=\"\(f(x + cellWidth / 2))\" y=\"\(f(y + cellHeight / 2 + 16))\" font-size=\"10\" text-anchor=\"middle\" fill=\"\(color)\">\(escape(note))</text>\n"
                }
            }
        }
        for (row, label) in rows.enumerated() {
            svg += "<text x=\"\(f(left - 8))\" y=\"\(f(cellY(row) + cellHeight / 2 + 4))\" font-size=\"12\" text-anchor=\"end\">\(escape(label))</text>\n"
        }
        for (column, label) in columns.enumerated() {
            svg += "<text x=\"\(f(left + cellWidth * (Double(column) + 0.5)))\" y=\"\(f(top + plotHeight + 18))\" font-size=\"12\" text-anchor=\"middle\">\(escape(label))</text>\n"
        }
        svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(top + plotHeight + 44))\" font-size=\"13\" text-anchor=\"middle\">\(escape(xTitle))</text>\n"
        svg += "<text transform=\"translate(24,\(f(top + plotHeight / 2))) rotate(-90)\" font-size=\"13\" text-anchor=\"middle\">\(escape(yTitle))</text>\n"
        svg += colorBar(x: left + plotWidth + 36, top: top, height: barHeight, span: span, range: logRange)
        svg += "</svg>\n"
        return svg
    }

    /// The scale: a vertical bar over the range the map uses (`range`, log distances from the
    /// reference; the high end at the top), coloured as the cells are (`span`), the reference
    /// marked with a line where it falls, the ends labelled with their ratios, the meanings
    /// above and below the bar so they never meet the labels beside it.
    private func colorBar(x: Double, top: Double, height: Double, span: Double, range: (low: Double, high: Double)) -> String {
        let f = SVGChart.f, escape = SVGChart.escape
        let steps = 48, barWidth = 18.0, labelX = x + barWidth + 8
        func y(_ distance: Double) -> Double { top + height * (range.high - distance) / (range.high - range.low) }
        var svg = "<g class=\"scale\">\n"
        for step in 0..<steps {
            let upper = range.high - (range.high - range.low) * Double(step) / Double(steps)
            let middle = upper - (range.high - range.low) / Double(steps) / 2
            let position = min(1, max(-1, middle / span))
            svg += "<rect x=\"\(f(x))\" y=\"\(f(y(upper)))\" width=\"\(f(barWidth))\" height=\"\(f(height / Double(steps) + 0.5))\" fill=\"\(Self.hex(Self.color(at: position)))\"/>\n"
        }
        svg += "<rect x=\"\(f(x))\" y=\"\(f(top))\" width=\"\(f(barWidth))\" height=\"\(f(height))\" fill=\"none\" stroke=\"#888\"/>\n"
        let referenceY = y(0)
        svg += "<line x1=\"\(f(x - 4))\" x2=\"\(f(x + barWidth + 4))\" y1=\"\(f(referenceY))\" y2=\"\(f(referenceY))\" stroke=\"black\" stroke-width=\"2\"/>\n"
        svg += "<text x=\"\(f(labelX))\" y=\"\(f(referenceY + 4))\" font-size=\"12\" font-weight=\"bold\">\(escape(Self.label(reference))) (equal)</text>\n"
        // An end label too close to the reference's would overprint it.
        if referenceY - top > 18 {
            svg += "<text x=\"\(f(labelX))\" y=\"\(f(top + 10))\" font-size=\"12\">\(escape(Self.label(reference * exp(range.high))))</text>\n"
        }
        if top + height - referenceY > 18 {
            svg += "<text x=\"\(f(labelX))\" y=\"\(f(top + height))\" font-size=\"12\">\(escape(Self.label(reference * exp(range.low))))</text>\n"
        }
        if !aboveMeaning.isEmpty {
            svg += "<text x=\"\(f(x))\" y=\"\(f(top - 8))\" font-size=\"11\" fill=\"#444\">▲ \(escape(aboveMeaning))</text>\n"
        }
        if !belowMeaning.isEmpty {
            svg += "<text x=\"\(f(x))\" y=\"\(f(top + height + 16))\" font-size=\"11\" fill=\"#444\">▼ \(escape(belowMeaning))</text>\n"
        }
        svg += "<text x=\"\(f(x))\" y=\"\(f(top + height + 32))\" font-size=\"11\" fill=\"#444\">log scale</text>\n"
        svg += "</g>\n"
        return svg
    }
}
