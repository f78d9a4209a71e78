import Foundation

/// A chart of medians with their range, as a standalone SVG document: categories along x,
/// one coloured series per backend (or driver), a dot at the median and a bar from minimum to
/// maximum, series side by side within a category so their bars never hide each other.
///
/// Contract: `render()` is deterministic for equal input; every chart names its units (axis
/// titles) and its source (`source`, printed under the title). A log y axis needs positive
/// values; non-positive ones are left out of it and the note says so.
public struct SVGChart: Sendable {
    /// One point: the median and range of the values at a category.
    public struct Point: Sendable {
        public let category: String
        public let spread: Spread

        public init(category: String, spread: Spread) {
            self.category = category
            self.spread = spread
        }
    }

    /// One coloured line of points.
    public struct Series: Sendable {
        public let name: String
        public let points: [Point]

        public init(name: String, points: [Point]) {
            self.name = name
            self.points = points
        }
    }

    public var title: String
    public var source: String
    public var xTitle: String
    public var yTitle: String
    public var categories: [String]
    public var series: [Series]
    public var logY = false
    /// A line under the source: what a reader must know (oversubscription, what was left out).
    public var note = ""
    /// A horizontal reference line (e.g. 1 for a ratio), if any.
    public var referenceY: Double?
    /// Whether a series' medians are joined by a line: only when the categories are ordered
    /// (vCPU counts, sizes), never between unrelated configurations.
    public var connect = true
    /// What the dot and the bar are, under the legend.
    public var legendNote = "dot: median; bar: min–max"

    public init(
        title: String, source: String, xTitle: String, yTitle: String, categories: [String], series: [Series],
        logY: Bool = false, note: String = ""
    ) {
        self.title = title
        self.source = source
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.categories = categories
        self.series = series
        self.logY = logY
        self.note = note
    }

    static let palette = [
        "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22",
    ]

    public func render(width: Double = 960, height: Double = 560) -> String {
        let rotate = categories.contains { $0.count > 10 }
        let longest = Double(categories.map(\.count).max() ?? 0)
        let noteLines = Self.wrap(note, width: Int((width - 100) / 6.6))
        let left = 80.0, right = 230.0, top = 64.0 + 14 * Double(max(noteLines.count, 1))
        // Rotated labels hang below the axis: leave room for the longest, then the axis title.
        let bottom = rotate ? 50 + longest * 6.5 * 0.45 + 20 : 70.0
        let height = rotate ? height + bottom - 70 : height
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let values = series.flatMap { $0.points.flatMap { [$0.spread.minimum, $0.spread.maximum] } }
            .filter { !logY || $0 > 0 }
        var low = logY ? (values.min() ?? 1) : 0
        var high = values.max() ?? 1
        if let referenceY { low = min(low, referenceY); high = max(high, referenceY) }
        if high <= low { high = low + 1 }
        let ticks = logY ? Self.logTicks(low, high) : Self.linearTicks(0, high)
        if logY { low = ticks.first ?? low; high = ticks.last ?? high } else { high = ticks.last ?? high }
        func y(_ value: Double) -> Double {
            let fraction = logY ? (log10(value) - log10(low)) / (log10(high) - log10(low)) : (value - low) / (high - low)
            return top + plotHeight * (1 - fraction)
        }
        let slot = plotWidth / Double(max(categories.count, 1))
        let dodge = min(14.0, slot * 0.7 / Double(max(series.count, 1)))
        func x(_ category: Int, _ seriesIndex: Int) -> Double {
            left + slot * (Double(category) + 0.5) + (Double(seriesIndex) - Double(series.count - 1) / 2) * dodge
        }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="26" font-size="18" font-weight="bold">\(Self.escape(title))</text>
            <text x="\(left)" y="46" font-size="12" fill="#444">source: \(Self.escape(source))</text>

            """
        for (index, line) in noteLines.enumerated() {
            svg += "<text x=\"\(left)\" y=\"\(62 + 14 * index)\" font-size=\"12\" fill=\"#444\">\(Self.escape(line))</text>\n"
        }
        for tick in ticks {
            let position = y(tick)
            svg += "<line x1=\"\(left)\" x2=\"\(left + plotWidth)\" y1=\"\(Self.f(position))\" y2=\"\(Self.f(position))\" stroke=\"#e5e5e5\"/>\n"
            svg += "<text x=\"\(left - 8)\" y=\"\(Self.f(position + 4))\" font-size=\"12\" text-anchor=\"end\">\(Self.tickLabel(tick))</text>\n"
        }
        if let referenceY {
            svg += "<line x1=\"\(left)\" x2=\"\(left + plotWidth)\" y1=\"\(Self.f(y(referenceY)))\" y2=\"\(Self.f(y(referenceY)))\" stroke=\"#888\" stroke-dasharray=\"6 4\"/>\n"
        }
        svg += "<line x1=\"\(left)\" x2=\"\(left)\" y1=\"\(top)\" y2=\"\(top + plotHeight)\" stroke=\"black\"/>\n"
        svg += "<line x1=\"\(left)\" x2=\"\(left + plotWidth)\" y1=\"\(top + plotHeight)\" y2=\"\(top + plotHeight)\" stroke=\"black\"/>\n"
        for (index, category) in categories.enumerated() {
            let cx = left + slot * (Double(index) + 0.5)
            if rotate {
                svg += "<text transform=\"translate(\(Self.f(cx)),\(Self.f(top + plotHeight + 14))) rotate(25)\" font-size=\"11\">\(Self.escape(category))</text>\n"
            } else {
                svg += "<text x=\"\(Self.f(cx))\" y=\"\(Self.f(top + plotHeight + 20))\" font-size=\"12\" text-anchor=\"middle\">\(Self.escape(category))</text>\n"
            }
        }
        svg += "<text x=\"\(Self.f(left + plotWidth / 2))\" y=\"\(Self.f(height - 12))\" font-size=\"13\" text-anchor=\"middle\">\(Self.escape(xTitle))</text>\n"
        svg += "<text transform=\"translate(18,\(Self.f(top + plotHeight / 2))) rotate(-90)\" font-size=\"13\" text-anchor=\"middle\">\(Self.escape(yTitle))</text>\n"

        for (seriesIndex, line) in series.enumerated() {
            let color = Self.palette[seriesIndex % Self.palette.count]
            var path: [String] = []
            for point in line.points {
                guard let category = categories.firstIndex(of: point.category) else { continue }
                guard !logY || point.spread.minimum > 0 else { continue }
                let px = x(category, seriesIndex)
                path.append("\(Self.f(px)),\(Self.f(y(point.spread.median)))")
                svg += "<line x1=\"\(Self.f(px))\" x2=\"\(Self.f(px))\" y1=\"\(Self.f(y(point.spread.minimum)))\" y2=\"\(Self.f(y(point.spread.maximum)))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
                for end in [point.spread.minimum, point.spread.maximum] {
                    svg += "<line x1=\"\(Self.f(px - 3))\" x2=\"\(Self.f(px + 3))\" y1=\"\(Self.f(y(end)))\" y2=\"\(Self.f(y(end)))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
                }
                svg += "<circle cx=\"\(Self.f(px))\" cy=\"\(Self.f(y(point.spread.median)))\" r=\"4\" fill=\"\(color)\"><title>\(Self.escape(line.name)) \(Self.escape(point.category)): median \(Self.tickLabel(point.spread.median)), range \(Self.tickLabel(point.spread.minimum))–\(Self.tickLabel(point.spread.maximum)), n=\(point.spread.count)</title></circle>\n"
            }
            if connect && path.count > 1 {
                svg += "<polyline points=\"\(path.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.2\" stroke-opacity=\"0.6\"/>\n"
            }
            let legendY = top + 8 + Double(seriesIndex) * 20
            svg += "<circle cx=\"\(Self.f(left + plotWidth + 22))\" cy=\"\(Self.f(legendY))\" r=\"5\" fill=\"\(color)\"/>\n"
            svg += "<text x=\"\(Self.f(left + plotWidth + 32))\" y=\"\(Self.f(legendY + 4))\" font-size=\"12\">\(Self.escape(line.name))</text>\n"
        }
        let legendBottom = top + 8 + Double(series.count) * 20 + 10
        svg += "<text x=\"\(Self.f(left + plotWidth + 16))\" y=\"\(Self.f(legendBottom))\" font-size=\"11\" fill=\"#444\">\(Self.escape(legendNote))</text>\n"
        svg += "</svg>\n"
        return svg
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", locale: nil, value) }

    static func tickLabel(_ value: Double) -> String {
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 100 { return String(format: "%.0f", locale: nil, value) }
        if magnitude >= 10 { return String(format: "%.1f", locale: nil, value) }
        if magnitude >= 1 { return String(format: "%.2f", locale: nil, value) }
        return String(format: "%.3g", locale: nil, value)
    }

    static func linearTicks(_ low: Double, _ high: Double) -> [Double] {
        let raw = (high - low) / 5
        let power = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * power }.first { $0 >= raw } ?? raw
        var ticks: [Double] = []
        var tick = low
        while tick < high + step * 0.999 {
            ticks.append(tick)
            tick += step
        }
        return ticks
    }

    /// The 1-2-5 steps from the largest one at or below `low` to the smallest at or above `high`.
    static func logTicks(_ low: Double, _ high: Double) -> [Double] {
        var ticks: [Double] = []
        var decade = pow(10, floor(log10(low)))
        while ticks.last.map({ $0 < high }) ?? true {
            for multiple in [1.0, 2, 5] {
                let tick = decade * multiple
                if ticks.last.map({ $0 >= high }) == true { break }
                if tick <= low { ticks = [tick] } else { ticks.append(tick) }
            }
            decade *= 10
        }
        return ticks
    }

    /// `text` in lines of at most `width` characters, broken at spaces.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
