/// The rows of one file by run, so a derived metric can find the row it is divided by: the same
/// cell with aging off, or another backend, in the same run and repetition.
///
/// Contract: a run is the rows sharing `host`, `timestamp` (when the sweep started) and `commit`;
/// a shard is a run of its own, which is right, since a shard keeps every backend of one
/// comparison together. Partners are matched on every parameter but the backend, the aging
/// setting and the driver (which differs between backends by design); when a run holds two rows
/// for one partner, the first is used.
struct RunIndex {
    private static let runColumns = ["host", "timestamp", "commit"]
    private static let sharedColumns = [
        "variant", "memory_per_vcpu_bytes", "vcpus", "pattern", "write_percent", "seed", "costs", "repetition", "request_workload",
    ]

    private var rows: [[String]: ResultRow] = [:]

    init(_ rows: [ResultRow]) {
        for row in rows {
            let key = Self.key(row, backend: row["backend"] ?? "", aging: row["aging"] ?? "")
            if self.rows[key] == nil { self.rows[key] = row }
        }
    }

    /// The row of `row`'s run and repetition with `backend` and `aging` in place of its own.
    func partner(of row: ResultRow, backend: String? = nil, aging: AgingLabel? = nil) -> ResultRow? {
        rows[Self.key(row, backend: backend ?? row["backend"] ?? "", aging: aging?.rawValue ?? row["aging"] ?? "")]
    }

    private static func key(_ row: ResultRow, backend: String, aging: String) -> [String] {
        (runColumns + sharedColumns).map { row[$0] ?? "" } + [backend, aging]
    }
}
