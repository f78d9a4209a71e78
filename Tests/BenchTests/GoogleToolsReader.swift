import Foundation
import Testing

/// Reads a results JSON the way the tools it is written for do, and fails where they would:
/// google/benchmark's `tools/compare.py` (`gbench.util` loads `benchmarks`, `gbench.report`
/// partitions them by `name`, reads `real_time`, `cpu_time` and `time_unit`, tells iterations from
/// aggregates by `run_type` and `aggregate_name`, and sorts by the optional `family_index`,
/// `per_family_instance_index` and `repetition_index`), and github-action-benchmark's `googlecpp`
/// extractor (every benchmark: `name`, `real_time` as the value, `time_unit` + "/iter" as the
/// unit, and `iterations`, `cpu_time`, `threads` in its extra text).
struct GoogleToolsReader {
    struct Entry {
        var name: String
        var realTime: Double
        var cpuTime: Double
        var unit: String
        var runType: String
        var aggregate: String?
        var repetitionIndex: Int?
    }

    var entries: [Entry] = []
    var context: [String: Any] = [:]

    init(_ text: String) throws {
        let top = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        context = try #require(top["context"] as? [String: Any], "no context")
        // The keys Google Benchmark's own context writes; compare.py prints some of them.
        for key in ["date", "host_name", "executable", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled", "caches", "library_build_type"] {
            #expect(context[key] != nil, "context lacks \(key)")
        }
        #expect(context["caches"] is [[String: Any]])
        let benchmarks = try #require(top["benchmarks"] as? [[String: Any]], "no benchmarks array")
        for benchmark in benchmarks {
            let name = try #require(benchmark["name"] as? String)
            let realTime = try #require(benchmark["real_time"] as? Double ?? (benchmark["real_time"] as? Int).map(Double.init), "\(name): real_time")
            let cpuTime = try #require(benchmark["cpu_time"] as? Double ?? (benchmark["cpu_time"] as? Int).map(Double.init), "\(name): cpu_time")
            let unit = try #require(benchmark["time_unit"] as? String)
            #expect(["ns", "us", "ms", "s"].contains(unit))
            #expect((benchmark["iterations"] as? Int).map { $0 >= 1 } == true, "\(name): iterations")
            #expect(benchmark["threads"] is Int, "\(name): threads")
            let runType = try #require(benchmark["run_type"] as? String)
            #expect(["iteration", "aggregate"].contains(runType))
            var entry = Entry(name: name, realTime: realTime, cpuTime: cpuTime, unit: unit, runType: runType)
            if runType == "aggregate" {
                let aggregate = try #require(benchmark["aggregate_name"] as? String)
                #expect(name == "\(benchmark["run_name"] as? String ?? "?")_\(aggregate)")
                entry.aggregate = aggregate
            } else {
                let index = try #require(benchmark["repetition_index"] as? Int)
                #expect(index >= 0)
                entry.repetitionIndex = index
            }
            for key in ["family_index", "per_family_instance_index", "repetitions"] {
                #expect(benchmark[key] == nil || benchmark[key] is Int, "\(name): \(key)")
            }
            entries.append(entry)
        }
    }

    /// compare.py's partition: the entries of each iteration name, in file order.
    var iterationsByName: [String: [Entry]] {
        Dictionary(grouping: entries.filter { $0.runType == "iteration" }, by: \.name)
    }
}
