import Foundation

extension JSONWriter {
    /// A top-level JSON array, written like `render`: some consumers (github-action-benchmark's
    /// custom formats) want an array, not an object.
    static func renderArray(_ items: [Any]) -> String {
        do {
            let data = try JSONSerialization.data(
                withJSONObject: items, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self) + "\n"
        } catch {
            // Only strings, finite numbers, bools, nulls, arrays and dictionaries go in, which always serialise.
            preconditionFailure("JSON serialisation failed: \(error)")
        }
    }
}
