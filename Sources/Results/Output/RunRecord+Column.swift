extension RunRecord {
    /// One CSV column: its name and the property of `RunRecord` it reads and writes.
    ///
    /// Contract: `field` points at a stored property of the matching Swift type, so reading a value
    /// and writing back its parsed text is lossless for the CSV spelling `Value.text` produces.
    public struct Column: Sendable {
        /// The property behind a column, typed so writers can format and readers can parse it.
        public enum Field: Sendable {
            case int(WritableKeyPath<RunRecord, Int> & Sendable)
            case uint(WritableKeyPath<RunRecord, UInt64> & Sendable)
            case double(WritableKeyPath<RunRecord, Double> & Sendable)
            case string(WritableKeyPath<RunRecord, String> & Sendable)
            /// A label: an enum property whose raw value is the CSV text.
            case label(LabelAccess)
        }

        /// A label property read and written through its raw value, whatever its enum.
        public struct LabelAccess: Sendable {
            let read: @Sendable (RunRecord) -> String
            /// Stores the label `text` names; false when it names none.
            let write: @Sendable (inout RunRecord, String) -> Bool

            init<Label: RawRepresentable & Sendable>(_ path: WritableKeyPath<RunRecord, Label> & Sendable)
            where Label.RawValue == String {
                read = { $0[keyPath: path].rawValue }
                write = { record, text in
                    guard let label = Label(rawValue: text) else { return false }
                    record[keyPath: path] = label
                    return true
                }
            }
        }

        /// The column name in the header, snake_case.
        public let name: String
        /// Where the value lives.
        public let field: Field

        init(_ name: String, _ field: Field) {
            self.name = name
            self.field = field
        }

        init<Label: RawRepresentable & Sendable>(_ name: String, label path: WritableKeyPath<RunRecord, Label> & Sendable)
        where Label.RawValue == String {
            self.init(name, .label(LabelAccess(path)))
        }

        /// Whether the column holds text (a string or a label) rather than a number.
        public var isText: Bool {
            switch field {
            case .string, .label: true
            case .int, .uint, .double: false
            }
        }

        /// Reads this column from a record.
        public func value(of record: RunRecord) -> Value {
            switch field {
            case .int(let path): .int(record[keyPath: path])
            case .uint(let path): .uint(record[keyPath: path])
            case .double(let path): .double(record[keyPath: path])
            case .string(let path): .string(record[keyPath: path])
            case .label(let access): .string(access.read(record))
            }
        }

        /// Stores this column's text, as written by `CSVWriter`, into a record.
        ///
        /// - Throws: `InputError` naming the column when the text is not a valid value of its type.
        public func assign(_ text: String, to record: inout RunRecord) throws(InputError) {
            let bad = InputError("column '\(name)': '\(text)' is not a valid value")
            switch field {
            case .int(let path):
                guard let value = Int(text) else { throw bad }
                record[keyPath: path] = value
            case .uint(let path):
                guard let value = UInt64(text) else { throw bad }
                record[keyPath: path] = value
            case .double(let path):
                guard let value = Double(text) else { throw bad }
                record[keyPath: path] = value
            case .string(let path):
                record[keyPath: path] = text
            case .label(let access):
                guard access.write(&record, text) else { throw bad }
            }
        }
    }
}
