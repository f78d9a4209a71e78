extension ResultsFile {
    /// Columns every row of one sweep shares (a cell's driver may differ: it is each backend's own).
    static let sweepColumns = [
        "schema", "commit", "build", "pattern", "write_percent", "seed", "costs", "calibration", "request_workload",
    ]

    /// The inputs as one file, or the first reason they are not shards of one sweep: `merge`'s
    /// contract (see `MergeCommand`).
    public static func merge(_ inputs: [(path: String, file: ResultsFile)]) throws(InputError) -> ResultsFile {
        guard let first = inputs.first else { throw InputError("merge needs at least one results file") }
        let columns = RunRecord.columnTable.filter { sweepColumns.contains($0.name) }
        let reference = first.file.records.first
        var seen: [String: String] = [:]
        var records: [RunRecord] = []
        for (path, file) in inputs {
            guard file.format == first.file.format else {
                throw InputError("'\(path)' is \(file.format.rawValue) and '\(first.path)' \(first.file.format.rawValue): merge files of one format")
            }
            if let incomplete = file.incomplete {
                throw InputError("'\(path)' is incomplete (\(incomplete.cellsDone) of \(incomplete.cellsTotal) cells): finish it with --resume first")
            }
            if let sweep = file.sweep, let other = first.file.sweep,
                let difference = other.ignoring("shard").mismatch(with: sweep.ignoring("shard"))
            {
                throw InputError("'\(path)' is not a shard of the sweep of '\(first.path)': \(difference)")
            }
            for record in file.records {
                if let reference {
                    for column in columns where column.value(of: record) != column.value(of: reference) {
                        throw InputError("'\(path)' is not a shard of the sweep of '\(first.path)': \(column.name) is '\(column.value(of: record).text)', not '\(column.value(of: reference).text)'")
                    }
                }
                let cell = "\(BenchmarkName.render(record))/repetition:\(record.repetition)"
                if let earlier = seen[cell] {
                    throw InputError("cell \(cell) is in both '\(earlier)' and '\(path)'")
                }
                seen[cell] = path
                records.append(record)
            }
        }
        // Stable: within a repetition, the shards' order (each in canonical order) is kept.
        let ordered = records.enumerated().sorted { ($0.element.repetition, $0.offset) < ($1.element.repetition, $1.offset) }.map(\.element)
        return ResultsFile(format: first.file.format, records: ordered, sweep: first.file.sweep?.ignoring("shard"), incomplete: nil)
    }

    /// A JSON context for merged rows: the first row's machine, the latest end time, and every
    /// host named when the shards ran on several.
    public static func context(of records: [RunRecord]) -> RunContext {
        let first = records.first ?? RunRecord()
        var hosts: [String] = []
        for record in records where !hosts.contains(record.host) { hosts.append(record.host) }
        return RunContext(
            commit: first.commit, host: hosts.joined(separator: ","), cpuModel: first.cpu, cores: first.cores,
            build: first.build, timestamp: records.map(\.timestamp).max() ?? "", executable: "agingbench merge",
            kernel: first.kernel, thp: first.thp, toolchain: first.toolchain, commandLine: first.command)
    }
}
