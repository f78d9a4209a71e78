import Foundation

/// Renders records in Google Benchmark's JSON layout so compare.py, github-action-benchmark and
/// bencher read them without glue.
///
/// Contract: the top level is `{"context": {...}, "benchmarks": [...]}`. Each record becomes one
/// benchmark of `run_type` "iteration" whose name (`BenchmarkName`) encodes every cell parameter,
/// so that runs of different cells never share a name and get merged by compare tools.
/// `real_time` is the selftest's headline, the populate time, in milliseconds (for an
/// `--aging-only` row, which has no measured vCPU phase, its mean aging pass); `cpu_time` is the
/// CPU time the vCPU threads used (`vcpu_cpu_s`). `iterations` is the number of aging passes, at
/// least 1. Every numeric CSV column but `seed` is a counter (an extra numeric key, where Google
/// Benchmark puts user counters), every string column that is not in the name an extra string key,
/// so `read` gets back every value and shards from different hosts merge row by row. For each name
/// with two or more repetitions, four `run_type` "aggregate" benchmarks follow, as Google Benchmark
/// writes them: `_mean`, `_median`, `_stddev` and `_cv` (the last with `aggregate_unit`
/// "percentage", a fraction). The context is the machine's (caches and MHz where the OS tells).
/// Keys are sorted so output is byte-stable for a given input; non-finite doubles become `null`
/// because JSON has no spelling for them (and read back as NaN).
public enum GoogleBenchmarkJSON {
    /// Columns copied onto each benchmark object as counters, under their CSV names: every numeric
    /// column but `seed`, which is in the name instead (a JSON reader that stores numbers as
    /// doubles would round its 64-bit values).
    public static let counterColumns: [String] = RunRecord.columnTable.compactMap { column in
        column.isText || column.name == "seed" ? nil : column.name
    }

    /// String columns the name carries.
    static let nameColumns: Set<String> = ["backend", "variant", "aging", "pattern", "driver", "costs"]

    /// String columns copied onto each benchmark object as string keys.
    public static let stringColumns: [String] = RunRecord.columnTable.compactMap { column in
        column.isText && !nameColumns.contains(column.name) ? column.name : nil
    }

    /// The aggregates Google Benchmark writes after a name's repetitions.
    static let aggregates = ["mean", "median", "stddev", "cv"]

    /// The JSON document, pretty-printed and newline-terminated.
    ///
    /// - Parameters:
    ///   - sweep: the sweep's identity, kept in `context.sweep` so `--resume` can check it.
    ///   - incomplete: the interrupted-sweep mark, kept in `context.incomplete`.
    public static func render(
        _ records: [RunRecord], context: RunContext, sweep: SweepIdentity? = nil, incomplete: IncompleteMarker? = nil
    ) -> String {
        let names = records.map(BenchmarkName.render)
        var order: [String] = []
        var byName: [String: [RunRecord]] = [:]
        for (name, record) in zip(names, records) {
            if byName[name] == nil { order.append(name) }
            byName[name, default: []].append(record)
        }
        let family = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        let counters = RunRecord.columnTable.filter { counterColumns.contains($0.name) }
        let strings = RunRecord.columnTable.filter { stringColumns.contains($0.name) }

        var benchmarks: [[String: Any]] = zip(names, records).map { name, record in
            var benchmark = base(name: name, family: family[name] ?? 0, repetitions: byName[name]?.count ?? 1)
            benchmark["run_type"] = "iteration"
            benchmark["repetition_index"] = record.repetition
            benchmark["threads"] = record.vcpus
            benchmark["iterations"] = max(1, record.agingPasses)
            benchmark["real_time"] = json(headlineSeconds(record) * 1000)
            benchmark["cpu_time"] = json(record.vcpuCPUSeconds * 1000)
            for column in counters { benchmark[column.name] = json(column.value(of: record)) }
            for column in strings { benchmark[column.name] = json(column.value(of: record)) }
            return benchmark
        }
        for name in order {
            guard let group = byName[name], group.count >= 2 else { continue }
            for aggregate in aggregates {
                var benchmark = base(name: name + "_" + aggregate, family: family[name] ?? 0, repetitions: group.count)
                benchmark["run_name"] = name
                benchmark["run_type"] = "aggregate"
                benchmark["aggregate_name"] = aggregate
                benchmark["aggregate_unit"] = aggregate == "cv" ? "percentage" : "time"
                benchmark["threads"] = group[0].vcpus
                benchmark["iterations"] = group.count
                benchmark["real_time"] = json(statistic(aggregate, group.map { headlineSeconds($0) * 1000 }))
                benchmark["cpu_time"] = json(statistic(aggregate, group.map { $0.vcpuCPUSeconds * 1000 }))
                for column in counters {
                    benchmark[column.name] = json(statistic(aggregate, group.map { column.value(of: $0).number ?? .nan }))
                }
                benchmarks.append(benchmark)
            }
        }

        var contextObject: [String: Any] = [
            "date": context.timestamp,
            "host_name": context.host,
            "executable": context.executable,
            "num_cpus": context.cores,
            "mhz_per_cpu": Int(context.megahertz.rounded()),
            "cpu_scaling_enabled": false,
            "caches": context.caches.map { cache -> [String: Any] in
                ["type": cache.type, "level": cache.level, "size": cache.size, "num_sharing": cache.sharing]
            },
            "library_build_type": context.build,
            "cpu_model": context.cpuModel,
            "schema": RunRecord.schemaVersion,
            "commit": context.commit,
            "kernel": context.kernel,
            "thp": context.thp,
            "toolchain": context.toolchain,
            "command_line": context.commandLine,
        ]
        if let sweep { contextObject["sweep"] = sweep.jsonObject }
        if let incomplete { contextObject["incomplete"] = incomplete.jsonObject }
        return JSONWriter.render(["context": contextObject, "benchmarks": benchmarks])
    }

    /// The keys every benchmark object has.
    private static func base(name: String, family: Int, repetitions: Int) -> [String: Any] {
        ["name": name, "run_name": name, "family_index": family, "per_family_instance_index": 0,
         "repetitions": repetitions, "time_unit": "ms"]
    }

    /// Seconds of the row's headline: populate, or the mean pass of an `--aging-only` row.
    static func headlineSeconds(_ record: RunRecord) -> Double {
        record.aging == .only ? record.passAverageSeconds : record.populateSeconds
    }

    /// One of `aggregates` over `values` (sample standard deviation, as Google Benchmark's).
    static func statistic(_ aggregate: String, _ values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(max(1, values.count))
        let variance = values.count < 2 ? 0 : values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        switch aggregate {
        case "mean": return mean
        case "median": return MarkdownTable.median(values)
        case "stddev": return variance.squareRoot()
        default: return mean == 0 ? 0 : variance.squareRoot() / mean
        }
    }

    private static func json(_ value: RunRecord.Value) -> Any {
        switch value {
        case .int(let number): number
        case .uint(let number): NSNumber(value: number)
        case .double(let number): json(number)
        case .string(let text): text
        }
    }

    private static func json(_ number: Double) -> Any {
        number.isFinite ? number : NSNull()
    }
}
