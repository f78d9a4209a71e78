import Foundation

/// A parsed JSON value, read with `JSONDecoder`, whose number parsing is exact.
///
/// Contract: `JSONSerialization` on Linux parses some doubles to a neighbouring value, so a
/// results file read with it and written again would drift in its last digits at every
/// `--resume`; every reader of results files goes through this type instead. Integers keep all
/// 64 bits (`unsigned` for non-negative ones, `signed` for negative ones); anything else numeric is
/// `double`. The accessors return nil for a value of another kind (a boolean is never a number).
enum JSONValue: Decodable, Sendable {
    case null
    case bool(Bool)
    case unsigned(UInt64)
    case signed(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .unsigned(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .signed(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses `text`, which must hold a JSON object.
    ///
    /// - Throws: `InputError` starting with `what` for invalid JSON or another top-level value.
    static func parseObject(_ text: String, what: String) throws(InputError) -> [String: JSONValue] {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch {
            throw InputError("\(what): not valid JSON")
        }
        guard case .object(let object) = value else {
            throw InputError("\(what): the top level is not a JSON object")
        }
        return object
    }

    var object: [String: JSONValue]? {
        if case .object(let value) = self { value } else { nil }
    }

    var array: [JSONValue]? {
        if case .array(let value) = self { value } else { nil }
    }

    var string: String? {
        if case .string(let value) = self { value } else { nil }
    }

    var isNull: Bool {
        if case .null = self { true } else { false }
    }

    /// Any number, as a Double.
    var double: Double? {
        switch self {
        case .unsigned(let value): Double(value)
        case .signed(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// A whole number in Int64's range.
    var int64: Int64? {
        switch self {
        case .unsigned(let value): Int64(exactly: value)
        case .signed(let value): value
        case .double(let value): Int64(exactly: value)
        default: nil
        }
    }

    /// A whole number in UInt64's range.
    var uint64: UInt64? {
        switch self {
        case .unsigned(let value): value
        case .signed: nil
        case .double(let value): UInt64(exactly: value)
        default: nil
        }
    }
}
