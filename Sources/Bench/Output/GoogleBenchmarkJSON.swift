import Foundation

/// Renders records in Google Benchmark's JSON layout so compare.py, github-action-benchmark and
/// bencher read them without glue.
///
/// Contract: the top level is `{"context": {...}, "benchmarks": [...]}`. Each record becomes one
/// benchmark of `run_type` "iteration" named `<backend>/<memory>/vcpus:<n>/aging:<mode>`, where the
/// backend is written `backend(variant)` when the variant is not "default", so that two variants of
/// one backend never share a name and get merged by compare tools. `real_time` and `cpu_time` are
/// both the row's headline time in milliseconds: the vCPU wall time, or for `--aging-only` rows
/// (which have no vCPU phase) the mean aging pass (the model's cost is wall-clock contention, and
/// one number in both slots keeps tools that pick either consistent). `iterations` is the number of
/// aging passes, at least 1. Every numeric CSV column but `seed` appears as an extra numeric key
/// on the benchmark object, which is where Google Benchmark puts user counters, so `read` gets
/// back every value `render` uses. Keys are sorted so output is byte-stable for a given input;
/// non-finite doubles become `null` because JSON has no spelling for them (and read back as NaN).
public enum GoogleBenchmarkJSON {
    /// Columns copied onto each benchmark object as counters, under their CSV names: every numeric
    /// column but `seed`, which a sweep shares (it is in the context's `sweep`) and whose 64-bit
    /// values a JSON reader that stores numbers as doubles would round.
    public static let counterColumns: [String] = RunRecord.columnTable.compactMap { column in
        if case .string = column.field { return nil }
        return column.name == "seed" ? nil : column.name
    }

    /// The benchmark name of a record: `<backend>/<memory>/vcpus:<n>/aging:<mode>`.
    public static func benchmarkName(for record: RunRecord) -> String {
        let memory = ByteSize(uncheckedBytes: record.memoryPerVCPUBytes)
        return "\(record.backendLabel)/\(memory)/vcpus:\(record.vcpus)/aging:\(record.aging)"
    }

    /// The JSON document, pretty-printed and newline-terminated.
    ///
    /// - Parameters:
    ///   - sweep: the sweep's identity, kept in `context.sweep` so `--resume` can check it.
    ///   - incomplete: the interrupted-sweep mark, kept in `context.incomplete`.
    public static func render(
        _ records: [RunRecord], context: RunContext, sweep: SweepIdentity? = nil, incomplete: IncompleteMarker? = nil
    ) -> String {
        let names = records.map(benchmarkName)
        // Records carry their own 0-based repetition but not the total, so the total is the highest
        // index seen per name; a shard that holds only some repetitions reports what it ran.
        var repetitionTotals: [String: Int] = [:]
        for (name, record) in zip(names, records) {
            repetitionTotals[name] = max(repetitionTotals[name] ?? 0, record.repetition + 1)
        }
        let counters = RunRecord.columnTable.filter { counterColumns.contains($0.name) }

        let benchmarks: [[String: Any]] = zip(names, records).map { name, record in
            let headline = record.aging == "only" ? record.passAverageSeconds : record.vcpuWallSeconds
            let milliseconds = json(headline * 1000)
            var benchmark: [String: Any] = [
                "name": name,
                "run_name": name,
                "run_type": "iteration",
                "repetitions": repetitionTotals[name] ?? 1,
                "repetition_index": record.repetition,
                "threads": record.vcpus,
                "iterations": max(1, record.agingPasses),
                "real_time": milliseconds,
                "cpu_time": milliseconds,
                "time_unit": "ms",
            ]
            for column in counters {
                benchmark[column.name] = json(column.value(of: record))
            }
            return benchmark
        }

        var contextObject: [String: Any] = [
            "date": context.timestamp,
            "host_name": context.host,
            "executable": context.executable,
            "num_cpus": context.cores,
            "mhz_per_cpu": 0,
            "cpu_scaling_enabled": false,
            "caches": [Any](),
            "library_build_type": context.build,
            "cpu_model": context.cpuModel,
            "schema": RunRecord.schemaVersion,
            "commit": context.commit,
        ]
        if let sweep { contextObject["sweep"] = sweep.jsonObject }
        if let incomplete { contextObject["incomplete"] = incomplete.jsonObject }
        return JSONWriter.render(["context": contextObject, "benchmarks": benchmarks])
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
