extension GoogleBenchmarkJSON {
    /// What a JSON results file holds: its records, and the sweep identity and interrupted-sweep
    /// mark from its `context`, when present.
    public struct Contents: Sendable {
        public var records: [RunRecord]
        public var sweep: SweepIdentity?
        public var incomplete: IncompleteMarker?
    }

    /// Reads a document written by `render` back into records (for `--resume`, `merge`, `compare`).
    ///
    /// The records hold every value `render` uses, so rendering them again gives the same
    /// benchmarks: numbers come from the counters, the cell's parameters from the name, the other
    /// strings from the benchmark's string keys (from the context where a key is missing).
    /// Aggregate benchmarks are derived, not read. A `null` counter reads as NaN, as `render` wrote
    /// NaN and infinities as `null`.
    ///
    /// - Throws: `InputError` naming the first thing that is not as `render` writes it.
    public static func read(_ text: String, what: String) throws(InputError) -> Contents {
        let top = try JSONValue.parseObject(text, what: what)
        guard let context = top["context"]?.object, let benchmarks = top["benchmarks"]?.array else {
            throw InputError("\(what): not a Google Benchmark results file (needs 'context' and 'benchmarks')")
        }
        let sweep = try context["sweep"].map { object throws(InputError) in try SweepIdentity(jsonObject: object, what: what) }
        let incomplete = try context["incomplete"].map { object throws(InputError) in
            try IncompleteMarker(jsonObject: object, what: what)
        }
        var template = RunRecord()
        template.timestamp = context["date"]?.string ?? ""
        template.commit = context["commit"]?.string ?? ""
        template.host = context["host_name"]?.string ?? ""
        template.cpu = context["cpu_model"]?.string ?? ""
        template.build = context["library_build_type"]?.string ?? ""
        template.kernel = context["kernel"]?.string ?? ""
        template.thp = context["thp"]?.string ?? ""
        template.toolchain = context["toolchain"]?.string ?? ""
        template.command = context["command_line"]?.string ?? ""
        template.cores = context["num_cpus"]?.int64.flatMap { Int(exactly: $0) } ?? 0
        let strings = RunRecord.columnTable.filter { stringColumns.contains($0.name) }

        var records: [RunRecord] = []
        for (position, item) in benchmarks.enumerated() {
            let place = "\(what): benchmark \(position + 1)"
            guard let benchmark = item.object, let name = benchmark["name"]?.string else {
                throw InputError("\(place) has no name")
            }
            if benchmark["run_type"]?.string == "aggregate" { continue }
            var record = template
            for column in strings {
                guard case .string(let path) = column.field, let value = benchmark[column.name] else { continue }
                guard let text = value.string else { throw InputError("\(place): '\(column.name)' is not a string") }
                record[keyPath: path] = text
            }
            try parse(name: name, into: &record, place: place)
            for column in RunRecord.columnTable where counterColumns.contains(column.name) {
                try assign(benchmark[column.name], column: column, to: &record, place: place)
            }
            guard BenchmarkName.render(record) == name else {
                throw InputError("\(place): name '\(name)' disagrees with its counters")
            }
            records.append(record)
        }
        return Contents(records: records, sweep: sweep, incomplete: incomplete)
    }

    /// Fills the cell parameters `name` carries into the record; memory and vCPUs are counters too,
    /// and the caller checks the name against everything by rendering it again.
    private static func parse(name: String, into record: inout RunRecord, place: String) throws(InputError) {
        let bad = InputError("\(place): name '\(name)' is not \(BenchmarkName.shape)")
        guard let fields = BenchmarkName.fields(of: name) else { throw bad }
        let named = ["backend", "variant"] + BenchmarkName.segments.map(\.column)
        for column in RunRecord.columnTable where named.contains(column.name) && column.name != "vcpus" {
            let text = fields[column.name] ?? (column.name == "engine" ? "real" : nil)
            guard let text else { throw bad }
            do {
                try column.assign(text, to: &record)
            } catch {
                throw bad
            }
        }
    }

    private static func assign(_ value: JSONValue?, column: RunRecord.Column, to record: inout RunRecord, place: String) throws(InputError) {
        let bad = InputError("\(place): counter '\(column.name)' is missing or not a valid number")
        switch column.field {
        case .int(let path):
            guard let number = value?.int64, let int = Int(exactly: number) else { throw bad }
            record[keyPath: path] = int
        case .uint(let path):
            guard let number = value?.uint64 else { throw bad }
            record[keyPath: path] = number
        case .double(let path):
            if value?.isNull == true {
                record[keyPath: path] = .nan
            } else {
                guard let number = value?.double else { throw bad }
                record[keyPath: path] = number
            }
        case .string:
            break
        }
    }
}
