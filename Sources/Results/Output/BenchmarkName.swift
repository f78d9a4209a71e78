/// The Google-Benchmark-style name of a results row:
/// `<backend>[(variant)]/<memory>/vcpus:<n>/aging:<mode>/pattern:<p>/write:<w>/seed:<s>/driver:<d>/costs:<c>[/engine:<e>]`.
///
/// Contract: `render` gives runs of different cells different names, and gives real-engine rows
/// no `engine` segment, so histories from before the virtual engine continue. `fields` is the one
/// parse: it reads names of every schema (schema 2 names end after `aging`) and ignores `key:value`
/// segments it does not know; a reader that must take only names `render` writes renders the
/// record it built and compares.
public enum BenchmarkName {
    /// The segment keys after the memory, in name order, with the CSV column each one fills.
    public static let segments: [(key: String, column: String)] = [
        ("vcpus", "vcpus"), ("aging", "aging"), ("pattern", "pattern"), ("write", "write_percent"), ("seed", "seed"),
        ("driver", "driver"), ("costs", "costs"), ("engine", "engine"),
    ]

    /// What a name looks like, for messages.
    public static let shape = "<backend>/<memory>/" + segments.dropLast().map { "\($0.key):…" }.joined(separator: "/")

    /// The name of `record`.
    public static func render(_ record: RunRecord) -> String {
        let memory = ByteSize(uncheckedBytes: record.memoryPerVCPUBytes)
        return "\(record.backendLabel)/\(memory)/vcpus:\(record.vcpus)/aging:\(record.aging)"
            + "/pattern:\(record.pattern)/write:\(record.writePercent)/seed:\(record.seed)"
            + "/driver:\(record.driver)/costs:\(record.costs)"
            + (record.engine == .real ? "" : "/engine:\(record.engine)")
    }

    /// The CSV columns a name carries, as text: `backend` and `variant` always, and each known
    /// segment present; nil unless the name starts `<backend>/<memory>/vcpus:<n>/aging:<mode>`.
    public static func fields(of name: String) -> [String: String]? {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[2].hasPrefix("vcpus:"), parts[3].hasPrefix("aging:") else { return nil }
        let (backend, variant) = BackendLabel.parse(String(parts[0]))
        var fields = ["backend": backend, "variant": variant]
        let columns = Dictionary(uniqueKeysWithValues: segments)
        for part in parts.dropFirst(2) {
            guard let colon = part.firstIndex(of: ":"), let column = columns[String(part[..<colon])] else { continue }
            fields[column] = String(part[part.index(after: colon)...])
        }
        return fields
    }
}
