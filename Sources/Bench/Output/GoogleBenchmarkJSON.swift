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
/// aging passes, at least 1. Metrics appear as extra numeric keys on the benchmark object, which is
/// where Google Benchmark puts user counters. Keys are sorted so output is byte-stable for a given
/// input; non-finite doubles become `null` because JSON has no spelling for them.
public enum GoogleBenchmarkJSON {
    /// Columns copied onto each benchmark object as counters, under their CSV names.
    public static let counterColumns: [String] = [
        "pass_avg_s", "pages_aged_per_s", "limit_pass_s", "pass_vs_limit", "faults", "fault_p99_ns", "notifier_calls", "young_pages",
        "vcpu_lock_wait_ns", "aging_lock_wait_ns", "evictions", "refaults", "pt_bytes",
        "non_a_bit_changes", "populate_s",
    ]

    /// The benchmark name of a record: `<backend>/<memory>/vcpus:<n>/aging:<mode>`.
    public static func benchmarkName(for record: RunRecord) -> String {
        let memory = ByteSize(uncheckedBytes: record.memoryPerVCPUBytes)
        return "\(record.backendLabel)/\(memory)/vcpus:\(record.vcpus)/aging:\(record.aging)"
    }

    /// The JSON document, pretty-printed and newline-terminated.
    public static func render(_ records: [RunRecord], context: RunContext) -> String {
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

        let contextObject: [String: Any] = [
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
        let document: [String: Any] = ["context": contextObject, "benchmarks": benchmarks]
        do {
            let data = try JSONSerialization.data(
                withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self) + "\n"
        } catch {
            // Only strings, finite numbers, bools, arrays and dictionaries go in, which always serialise.
            preconditionFailure("JSON serialisation of benchmark results failed: \(error)")
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
