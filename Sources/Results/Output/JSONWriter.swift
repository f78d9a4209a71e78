import Foundation

/// Writes the JSON the results files use: sorted keys and pretty printing, so files are
/// byte-stable and diff well. Reading goes through `JSONValue`.
enum JSONWriter {
    static func render(_ object: [String: Any]) -> String {
        do {
            let data = try JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self) + "\n"
        } catch {
            // Only strings, finite numbers, bools, nulls, arrays and dictionaries go in, which always serialise.
            preconditionFailure("JSON serialisation failed: \(error)")
        }
    }
}
