import Foundation

/// An SVG trend chart of one metric over commits: one panel per configuration (the cell without
/// its backend and driver), one line per backend, change points marked.
///
/// Contract: the x axis is the commits in history order, labelled by their first 8 characters;
/// the y axis is the metric in a readable unit (seconds as ms or µs, nanoseconds as µs or ms when
/// large) with 5 or so round ticks; colours are the Okabe–Ito palette, distinguishable with
/// colour-blindness, and every line also has its own marker shape and its latest value in the
/// legend (lines of equal values overlap). A panel whose values span more than 20× uses a log
/// axis. A change point is a commit where the median of a line's next 3 points differs from the
/// median of its previous 3 by more than `changeThreshold` (so a mark appears two commits after
/// the change), the step itself within a run of such commits: a ringed marker, a dashed vertical
/// line and the change in percent. Self-contained: no scripts, fonts or external files.
public struct TrendChart {
    public let metric: String
    public let summary: String
    public let unit: String
    public let entries: [HistoryEntry]
    public let changeThreshold: Double
    /// Every line name in the order that fixes its colour and marker, so a backend looks the same
    /// in every chart of one history (lines missing from a panel do not shift the others).
    public let lineOrder: [String]

    // Nine backends and more: two colours past Okabe–Ito's eight, so none shares one with another.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442", "#882255", "#999999"]
    static let width = 1050.0
    static let panelHeight = 300.0
    // Room on the right for the longest backend name and its latest value in the legend.
    static let left = 90.0, right = 300.0, top = 90.0, bottomAxis = 70.0

    public init(metric: String, summary: String, unit: String, entries: [HistoryEntry], changeThreshold: Double, lineOrder: [String] = []) {
        self.metric = metric
        self.summary = summary
        self.unit = unit
        self.entries = entries
        self.changeThreshold = changeThreshold
        self.lineOrder = lineOrder
    }

    /// A point of a line: the commit's position on the x axis and the median.
    struct Point { let x: Int; let value: Double }

    /// One line: a backend in a panel.
    struct Series { let name: String; let points: [Point] }

    /// The configurations, each with its lines, in history order.
    func panels(commits: [String]) -> [(title: String, series: [Series])] {
        let position = Dictionary(commits.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var order: [String] = []
        var byPanel: [String: [String: [Point]]] = [:]
        var seriesOrder: [String: [String]] = [:]
        for entry in entries {
            let panel = Self.configuration(entry.cell)
            let backend = Self.backend(entry.cell)
            if byPanel[panel] == nil { order.append(panel); byPanel[panel] = [:] }
            if byPanel[panel]?[backend] == nil { seriesOrder[panel, default: []].append(backend) }
            byPanel[panel, default: [:]][backend, default: []].append(Point(x: position[entry.commit] ?? 0, value: entry.median))
        }
        return order.map { panel in
            (panel, (seriesOrder[panel] ?? []).map { name in
                Series(name: name, points: (byPanel[panel]?[name] ?? []).sorted { $0.x < $1.x })
            })
        }
    }

    /// The index of each change point of `points`, with the relative change of the medians there.
    ///
    /// Medians decide whether the line shifted (one odd commit does not); within a run of
    /// neighbouring commits that all qualify, the one where the means before and after differ
    /// most is the step itself.
    func changePoints(_ points: [Point]) -> [(index: Int, change: Double)] {
        func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
        var found: [(index: Int, change: Double)] = []
        var run: [(index: Int, change: Double, score: Double)] = []
        func closeRun() {
            if let best = run.max(by: { $0.score < $1.score }) { found.append((best.index, best.change)) }
            run.removeAll()
        }
        // Three points on each side: a median of three shrugs off one disturbed run, while a
        // median of two is their mean and one outlier makes a "change" (seen in the A/A history).
        for index in points.indices where index >= 3 && points.count - index >= 3 {
            let before = points[max(0, index - 3)..<index].map(\.value)
            let after = points[index..<min(points.count, index + 3)].map(\.value)
            let change = Comparer.relativeChange(from: MarkdownTable.median(before), to: MarkdownTable.median(after))
            if abs(change) > changeThreshold {
                run.append((index, change, abs(Comparer.relativeChange(from: mean(before), to: mean(after)))))
            } else {
                closeRun()
            }
        }
        closeRun()
        return found
    }

    /// The SVG document.
    public func svg() -> String {
        var commits: [String] = []
        for entry in entries where !commits.contains(entry.commit) { commits.append(entry.commit) }
        let panels = panels(commits: commits)
        let (scale, shownUnit) = Self.displayUnit(unit, largest: entries.map { abs($0.median) }.max() ?? 0)
        let height = Self.top + Double(max(1, panels.count)) * (Self.panelHeight + Self.bottomAxis) + 20
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(Self.width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(Self.width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif">
            <rect width="100%" height="100%" fill="#ffffff"/>
            <text x="\(Int(Self.left))" y="30" font-size="20" font-weight="bold">\(Self.escape(metric))\(shownUnit.isEmpty ? "" : " (\(Self.escape(shownUnit)))")</text>
            <text x="\(Int(Self.left))" y="50" font-size="13" fill="#444">\(Self.escape(summary)); \(CompareMetric.named(metric)?.direction == .higherIsBetter ? "higher" : "lower") is better.</text>
            <text x="\(Int(Self.left))" y="67" font-size="13" fill="#444">Median over repetitions per commit. Ringed point and dashed line: a lasting change beyond \(Self.percent(changeThreshold, sign: false)).</text>

            """
        let plotWidth = Self.width - Self.left - Self.right
        for (number, panel) in panels.enumerated() {
            let originY = Self.top + Double(number) * (Self.panelHeight + Self.bottomAxis)
            let values = panel.series.flatMap { $0.points.map { $0.value * scale } }
            // Backends can differ by orders of magnitude (per-page calls against bitmap calls); on a
            // linear axis the small ones would lie flat on zero.
            let logarithmic = (values.min() ?? 0) > 0 && (values.max() ?? 0) / (values.min() ?? 1) > 20
            let ticks = logarithmic ? Self.logTicks(low: values.min() ?? 1, high: values.max() ?? 10)
                : Self.ticks(low: values.min() ?? 0, high: values.max() ?? 1)
            let low = Self.axis(ticks.first ?? 0, logarithmic), high = Self.axis(ticks.last ?? 1, logarithmic)
            let plotTop = originY + 24, plotBottom = originY + Self.panelHeight
            func x(_ index: Int) -> Double {
                commits.count <= 1 ? Self.left + plotWidth / 2 : Self.left + 20 + Double(index) * (plotWidth - 40) / Double(commits.count - 1)
            }
            func y(_ value: Double) -> Double {
                let position = Self.axis(value, logarithmic)
                return high == low ? (plotTop + plotBottom) / 2 : plotBottom - (position - low) / (high - low) * (plotBottom - plotTop)
            }
            svg += "<text x=\"\(Int(Self.left))\" y=\"\(Self.f(originY + 14))\" font-size=\"15\" font-weight=\"bold\" fill=\"#222\">\(Self.escape(panel.title))</text>\n"
            for tick in ticks {
                svg += "<line x1=\"\(Self.f(Self.left))\" x2=\"\(Self.f(Self.left + plotWidth))\" y1=\"\(Self.f(y(tick)))\" y2=\"\(Self.f(y(tick)))\" stroke=\"#e3e3e3\"/>\n"
                svg += "<text x=\"\(Self.f(Self.left - 8))\" y=\"\(Self.f(y(tick) + 4))\" font-size=\"12\" text-anchor=\"end\" fill=\"#333\">\(logarithmic ? Self.compact(tick) : Self.tickLabel(tick, ticks: ticks))</text>\n"
            }
            svg += "<rect x=\"\(Self.f(Self.left))\" y=\"\(Self.f(plotTop))\" width=\"\(Self.f(plotWidth))\" height=\"\(Self.f(plotBottom - plotTop))\" fill=\"none\" stroke=\"#888\"/>\n"
            svg += "<text transform=\"translate(\(Self.f(Self.left - 62)),\(Self.f((plotTop + plotBottom) / 2))) rotate(-90)\" font-size=\"13\" text-anchor=\"middle\" fill=\"#333\">\(Self.escape(shownUnit == "×" ? "ratio (×)" : shownUnit.isEmpty ? metric : shownUnit))\(logarithmic ? " (log scale)" : "")</text>\n"
            let every = max(1, Int((Double(commits.count) / 24).rounded(.up)))
            for (index, commit) in commits.enumerated() where index % every == 0 || index == commits.count - 1 {
                svg += "<text transform=\"translate(\(Self.f(x(index) + 4)),\(Self.f(plotBottom + 14))) rotate(40)\" font-size=\"11\" font-family=\"monospace\" fill=\"#333\">\(Self.escape(String(commit.prefix(8))))</text>\n"
            }
            svg += "<text x=\"\(Self.f(Self.left + plotWidth / 2))\" y=\"\(Self.f(plotBottom + Self.bottomAxis - 6))\" font-size=\"13\" text-anchor=\"middle\" fill=\"#333\">commit (oldest → newest)</text>\n"
            for (legendNumber, series) in panel.series.enumerated() {
                let lineNumber = lineOrder.firstIndex(of: series.name) ?? (lineOrder.count + legendNumber)
                let colour = Self.palette[lineNumber % Self.palette.count]
                let path = series.points.map { "\(Self.f(x($0.x))),\(Self.f(y($0.value * scale)))" }.joined(separator: " ")
                svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2.5\"/>\n"
                for point in series.points {
                    svg += Self.marker(lineNumber, x: x(point.x), y: y(point.value * scale), colour: colour)
                }
                for (index, change) in changePoints(series.points) {
                    let point = series.points[index]
                    let px = x(point.x), py = y(point.value * scale)
                    svg += "<line x1=\"\(Self.f(px))\" x2=\"\(Self.f(px))\" y1=\"\(Self.f(plotTop))\" y2=\"\(Self.f(plotBottom))\" stroke=\"\(colour)\" stroke-dasharray=\"5,4\" stroke-width=\"1.2\"/>\n"
                    svg += "<circle cx=\"\(Self.f(px))\" cy=\"\(Self.f(py))\" r=\"10\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
                    // Lines changing at one commit would print their labels on top of each other.
                    let labelY = (py - 14 < plotTop + 14 ? py + 26 : py - 14) + Double(lineNumber % 2 == 0 ? 0 : 14)
                    svg += "<text x=\"\(Self.f(px + 12))\" y=\"\(Self.f(labelY))\" font-size=\"12\" font-weight=\"bold\" fill=\"\(colour)\">\(Self.percent(change, sign: true))</text>\n"
                }
                let legendY = plotTop + 16 + Double(legendNumber) * 22
                svg += Self.marker(lineNumber, x: Self.left + plotWidth + 24, y: legendY - 4, colour: colour)
                svg += "<line x1=\"\(Self.f(Self.left + plotWidth + 12))\" x2=\"\(Self.f(Self.left + plotWidth + 36))\" y1=\"\(Self.f(legendY - 4))\" y2=\"\(Self.f(legendY - 4))\" stroke=\"\(colour)\" stroke-width=\"2.5\"/>\n"
                svg += "<text x=\"\(Self.f(Self.left + plotWidth + 44))\" y=\"\(Self.f(legendY))\" font-size=\"13\" fill=\"#222\">\(Self.escape(series.name))\(series.points.last.map { " " + Self.compact($0.value * scale) } ?? "")</text>\n"
            }
        }
        if panels.isEmpty {
            svg += "<text x=\"\(Int(Self.left))\" y=\"\(Int(Self.top + 40))\" font-size=\"14\">no history for this metric</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// The panel title: the cell's parameters but backend and driver.
    static func configuration(_ cell: CellKey) -> String {
        var parts: [String] = []
        if let bytes = UInt64(cell.value("memory_per_vcpu_bytes")) { parts.append("\(ByteSize(uncheckedBytes: bytes)) per vCPU") }
        if !cell.value("vcpus").isEmpty { parts.append("\(cell.value("vcpus")) vCPU") }
        if !cell.value("aging").isEmpty { parts.append("aging \(cell.value("aging"))") }
        for column in ["pattern", "write_percent", "seed", "costs", "request_workload"] where !cell.value(column).isEmpty {
            parts.append("\(column.replacingOccurrences(of: "_", with: " ")) \(cell.value(column))")
        }
        return parts.joined(separator: ", ")
    }

    /// The line a cell belongs to: its backend, with the variant when not the default.
    public static func backend(_ cell: CellKey) -> String {
        BackendLabel.render(backend: cell.value("backend"), variant: cell.value("variant"))
    }

    /// The factor and unit values are shown in: small seconds as ms or µs, large ns as µs or ms.
    static func displayUnit(_ unit: String, largest: Double) -> (Double, String) {
        switch unit {
        case "s" where largest < 1e-3: (1e6, "µs")
        case "s" where largest < 1: (1e3, "ms")
        case "ns" where largest >= 1e7: (1e-6, "ms")
        case "ns" where largest >= 1e4: (1e-3, "µs")
        case "bytes" where largest >= 1_048_576: (1.0 / 1_048_576, "MiB")
        default: (1, unit)
        }
    }

    /// Round ticks covering [low, high]: 1, 2 or 5 times a power of ten apart; from 0 when the
    /// data sit closer to 0 than their own range (so a ratio near 1 does not look like a cliff).
    static func ticks(low: Double, high: Double) -> [Double] {
        var low = low, high = high
        if low >= 0 && low < (high - low) { low = 0 }
        if high == low { high = low == 0 ? 1 : low * 1.1; low = low == 0 ? 0 : low * 0.9 }
        let rough = (high - low) / 5
        let power = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? power * 10
        let first = floor(low / step) * step, last = ceil(high / step) * step
        return stride(from: first, through: last + step / 2, by: step).map { $0 }
    }

    /// Position on the axis: the value, or its logarithm on a log axis.
    static func axis(_ value: Double, _ logarithmic: Bool) -> Double {
        logarithmic ? log10(max(value, .leastNormalMagnitude)) : value
    }

    /// Ticks of a log axis: 1, 2 and 5 times the powers of ten covering [low, high], or only the
    /// powers when that would be more than 10 ticks.
    static func logTicks(low: Double, high: Double) -> [Double] {
        let first = floor(log10(low)), last = ceil(log10(high))
        let powers = stride(from: first, through: last, by: 1).map { pow(10, $0) }
        let dense = powers.flatMap { [$0, 2 * $0, 5 * $0] }.filter { $0 >= pow(10, first) && $0 <= pow(10, last) }
        return dense.count <= 10 ? dense : powers
    }

    /// A short number: a tick of a log axis, a legend's latest value ("500", "20k", "1.23M", "0.0123").
    static func compact(_ value: Double) -> String {
        for (factor, suffix) in [(1e9, "G"), (1e6, "M"), (1e3, "k")] where abs(value) >= factor {
            return String(format: "%.3g", locale: nil, value / factor) + suffix
        }
        return String(format: "%.3g", locale: nil, value)
    }

    static func tickLabel(_ value: Double, ticks: [Double]) -> String {
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        let decimals = max(0, Int(-floor(log10(step))))
        return String(format: "%.\(min(decimals, 6))f", locale: nil, value)
    }

    static func marker(_ number: Int, x: Double, y: Double, colour: String) -> String {
        switch number % 4 {
        case 0: "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"4.5\" fill=\"\(colour)\"/>\n"
        case 1: "<rect x=\"\(f(x - 4))\" y=\"\(f(y - 4))\" width=\"8\" height=\"8\" fill=\"\(colour)\"/>\n"
        case 2: "<polygon points=\"\(f(x)),\(f(y - 5.5)) \(f(x + 5)),\(f(y + 4)) \(f(x - 5)),\(f(y + 4))\" fill=\"\(colour)\"/>\n"
        default: "<polygon points=\"\(f(x)),\(f(y - 5.5)) \(f(x + 5.5)),\(f(y)) \(f(x)),\(f(y + 5.5)) \(f(x - 5.5)),\(f(y))\" fill=\"\(colour)\"/>\n"
        }
    }

    static func percent(_ fraction: Double, sign: Bool) -> String {
        guard fraction.isFinite else { return fraction > 0 ? "+∞" : "−∞" }
        let text = String(format: "%.0f%%", locale: nil, abs(fraction) * 100)
        return sign ? (fraction >= 0 ? "+" : "−") + text : text
    }

    static func f(_ value: Double) -> String {
        String(format: "%.1f", locale: nil, value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
