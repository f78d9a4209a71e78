import Foundation

/// Reading and writing the JSON the results files use, with Foundation's loosely typed values
/// pinned down in one place.
///
/// Contract: `parseObject` accepts only a top-level object and turns every failure into an
/// `InputError`; the number helpers accept what `JSONSerialization` produces for a JSON number
/// (on Linux an `NSNumber`, `Int` or `Double`) and refuse booleans and non-integral values where
/// an integer is asked for, so a file never converts silently into different numbers.
enum JSONValues {
    static func parseObject(_ text: String, what: String) throws(InputError) -> [String: Any] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
        } catch {
            throw InputError("\(what): not valid JSON")
        }
        guard let object = parsed as? [String: Any] else {
            throw InputError("\(what): the top level is not a JSON object")
        }
        return object
    }

    /// Sorted keys and pretty printing, so files are byte-stable and diff well.
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

    /// A JSON number as a Double; nil for anything else, booleans included.
    static func number(_ value: Any?) -> Double? {
        numeric(value)?.number.doubleValue
    }

    /// A JSON number that is a whole number in Int64's range.
    static func integer(_ value: Any?) -> Int64? {
        guard let (number, type) = numeric(value) else { return nil }
        switch type {
        case "d", "f": return Int64(exactly: number.doubleValue)
        case "Q": return Int64(exactly: number.uint64Value)
        default: return number.int64Value
        }
    }

    /// A JSON number that is a whole number in UInt64's range.
    static func unsigned(_ value: Any?) -> UInt64? {
        guard let (number, type) = numeric(value) else { return nil }
        switch type {
        case "d", "f": return UInt64(exactly: number.doubleValue)
        case "Q": return number.uint64Value
        default: return UInt64(exactly: number.int64Value)
        }
    }

    /// The number and its storage type ("q", "Q", "d", ...). `JSONSerialization` gives booleans as
    /// NSNumbers too, of type "c", and `as? Int` would happily turn `true` into 1.
    private static func numeric(_ value: Any?) -> (number: NSNumber, type: String)? {
        guard let number = value as? NSNumber else { return nil }
        let type = String(cString: number.objCType)
        return type == "c" ? nil : (number, type)
    }
}
