/// What identifies a cell across files: its parameter columns, without the repetition and without
/// metadata (timestamp, commit, host, calibration, …), which differ between runs of one cell.
///
/// Contract: `columns` is a subset of `parameterColumns` in that order, the same for every key
/// compared with each other; a column a row lacks reads as "". Two rows are repetitions of one
/// cell exactly when their keys are equal.
public struct CellKey: Sendable, Hashable, Comparable {
    /// Every column that shapes what a cell measures, as `run` writes them. Columns of later schemas
    /// that this version does not know are not parameters: they are ignored, not matched.
    public static let parameterColumns = [
        "backend", "variant", "memory_per_vcpu_bytes", "vcpus", "aging", "pattern", "write_percent", "seed", "driver", "costs",
        "engine", "machine", "placement", "request_workload", "vms", "host_memory_pages", "swap",
    ]

    /// The parameter columns this key holds.
    public let columns: [String]
    /// Their values, in the same order.
    public let values: [String]

    public init(row: ResultRow, columns: [String]) {
        self.columns = columns
        self.values = columns.map { row[$0] ?? "" }
    }

    /// The value of `column`, or "" when the key does not hold it.
    public func value(_ column: String) -> String {
        columns.firstIndex(of: column).map { values[$0] } ?? ""
    }

    /// A short human name: `backend(variant) memory ×vCPUs aging`, then every other parameter
    /// as `name=value`.
    public var label: String { label(omitting: []) }

    /// `label` without the parameters in `omitted` (those every cell of a report shares).
    public func label(omitting omitted: Set<String>) -> String {
        let backend = BackendLabel.render(backend: value("backend"), variant: value("variant"))
        var parts = backend.isEmpty ? [] : [backend]
        if let bytes = UInt64(value("memory_per_vcpu_bytes")) {
            parts.append(ByteSize(uncheckedBytes: bytes).description)
        }
        if !value("vcpus").isEmpty { parts.append("×\(value("vcpus"))") }
        if !value("aging").isEmpty { parts.append("aging \(value("aging"))") }
        for (column, text) in zip(columns, values)
        where !["backend", "variant", "memory_per_vcpu_bytes", "vcpus", "aging"].contains(column) && !text.isEmpty
            && !omitted.contains(column) {
            parts.append("\(column)=\(text)")
        }
        return parts.joined(separator: " ")
    }

    /// The parameters every one of `keys` has with one value (the label's fixed part, `backend`,
    /// `variant`, memory, vCPUs and aging, aside): what a report says once instead of per cell.
    public static func sharedParameters(_ keys: [CellKey]) -> [(String, String)] {
        guard let first = keys.first else { return [] }
        return zip(first.columns, first.values).filter { column, value in
            !["backend", "variant", "memory_per_vcpu_bytes", "vcpus", "aging"].contains(column) && !value.isEmpty
                && keys.allSatisfy { $0.value(column) == value }
        }
    }

    public static func < (lhs: CellKey, rhs: CellKey) -> Bool {
        lhs.values.lexicographicallyPrecedes(rhs.values)
    }
}
