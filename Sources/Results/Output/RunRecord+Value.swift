extension RunRecord {
    /// A single cell of a record, keeping its numeric type so JSON can emit numbers, not strings.
    ///
    /// Contract: `text` is locale-independent and reads back to the same value with the standard
    /// library's `Int`, `UInt64` and `Double` initialisers from a string.
    public enum Value: Sendable, Hashable {
        case int(Int)
        case uint(UInt64)
        case double(Double)
        case string(String)

        /// The CSV spelling, before any quoting.
        ///
        /// Doubles use Swift's shortest round-trip form ("0.25", "1e-05", "nan", "inf"): exact when
        /// read back, never padded with noise digits, and not subject to the C locale's decimal
        /// separator the way `printf` is.
        public var text: String {
            switch self {
            case .int(let value): String(value)
            case .uint(let value): String(value)
            case .double(let value): value.description
            case .string(let value): value
            }
        }

        /// The value as a Double, for summaries; nil for strings.
        public var number: Double? {
            switch self {
            case .int(let value): Double(value)
            case .uint(let value): Double(value)
            case .double(let value): value
            case .string: nil
            }
        }
    }
}
