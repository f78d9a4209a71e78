/// A GitHub-flavoured markdown table with padded columns, so it reads as plain text too.
///
/// Contract: every row has as many cells as the header; right-aligned columns get a `:` in the
/// rule and are padded on the left. No trailing newline.
public enum TextTable {
    /// The table as lines joined by LF.
    ///
    /// - Parameters:
    ///   - rightAligned: per column, whether it is right-aligned; nil: every column left-aligned.
    public static func render(header: [String], rows: [[String]], rightAligned: [Bool]? = nil) -> String {
        let alignRight = rightAligned ?? header.map { _ in false }
        let widths = header.indices.map { column in
            max(3, ([header] + rows).map { $0[column].count }.max() ?? 0)
        }
        func line(_ cells: [String]) -> String {
            let padded = cells.indices.map { column in
                let gap = String(repeating: " ", count: widths[column] - cells[column].count)
                return alignRight[column] ? gap + cells[column] : cells[column] + gap
            }
            return "| " + padded.joined(separator: " | ") + " |"
        }
        let rule = "|" + widths.indices.map { column in
            let dashes = String(repeating: "-", count: widths[column])
            return alignRight[column] ? " " + dashes.dropLast() + ": " : " " + dashes + " "
        }.joined(separator: "|") + "|"
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}
