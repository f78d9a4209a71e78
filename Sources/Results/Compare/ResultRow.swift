/// One results row as column name → text, whatever file and format it came from.
///
/// Contract: names are the CSV column names (a JSON benchmark's counters use the same names); a
/// column the file did not have is absent, never an empty string. Numbers are kept as the text
/// the file held and parsed on demand, so columns this version does not know pass through intact.
public struct ResultRow: Sendable, Hashable {
    /// The row's values by column name.
    public var values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The text of `column`, or nil when the row has no such column.
    public subscript(column: String) -> String? {
        values[column]
    }

    /// The `aging` column as its label: nil when absent or not one.
    public var aging: AgingLabel? {
        values["aging"].flatMap(AgingLabel.init(rawValue:))
    }

    /// `column` as a number: nil when absent or not numeric; "nan" reads as NaN.
    public func number(_ column: String) -> Double? {
        values[column].flatMap { Double($0) }
    }
}
