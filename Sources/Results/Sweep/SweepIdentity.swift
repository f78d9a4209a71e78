/// What makes two runs parts of the same sweep: every option that shapes its cells or their
/// workload, the suite commit and the build, as ordered name/value pairs.
///
/// Contract: names are the `run` options' spellings without dashes ("memory", "shard"), plus
/// "commit" and "build"; values are canonical (sizes in `ByteSize`'s shortest spelling, lists in
/// the order given), so equal sweeps have equal identities whatever spelling the user typed.
/// `--resume` adds cells to a file only when the identities are equal, because cells measured
/// under other options or code would sit in one file as if comparable. Adding a `run` option that
/// changes what a cell measures means adding one field where the identity is built.
public struct SweepIdentity: Sendable, Hashable {
    /// One named parameter of the sweep.
    public struct Field: Sendable, Hashable {
        public let name: String
        public let value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The parameters, in a fixed order.
    public let fields: [Field]

    public init(_ fields: [Field]) {
        self.fields = fields
    }

    /// The identity without the field `name` (`merge` compares shards of one sweep without their
    /// `shard`).
    public func ignoring(_ name: String) -> SweepIdentity {
        SweepIdentity(fields.filter { $0.name != name })
    }

    /// The value of the field `name`, if present.
    public func value(of name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// One line naming the first parameter in which `recorded` (read from a file) differs from this
    /// sweep, or nil when they agree.
    public func mismatch(with recorded: SweepIdentity) -> String? {
        for field in fields {
            guard let old = recorded.value(of: field.name) else {
                return "the file does not record its \(field.name) (this run has \(Self.shown(field.value)))"
            }
            if old != field.value {
                return "\(field.name) differs: the file has \(Self.shown(old)), this run has \(Self.shown(field.value))"
            }
        }
        if let extra = recorded.fields.first(where: { value(of: $0.name) == nil }) {
            return "the file records \(extra.name) \(Self.shown(extra.value)), which this run does not know"
        }
        return nil
    }

    /// The JSON object form used in a JSON file's `context` and in the CSV sidecar.
    public var jsonObject: [String: String] {
        Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// Reads the JSON object form back; field order follows the keys' sort order, which equality
    /// ignores through `mismatch(with:)`.
    ///
    /// - Throws: `InputError` unless `object` maps strings to strings.
    init(jsonObject value: JSONValue, what: String) throws(InputError) {
        guard let dictionary = value.object else {
            throw InputError("\(what): 'sweep' is not an object")
        }
        var fields: [Field] = []
        for key in dictionary.keys.sorted() {
            guard let value = dictionary[key]?.string else {
                throw InputError("\(what): sweep field '\(key)' is not a string")
            }
            fields.append(Field(name: key, value: value))
        }
        self.init(fields)
    }

    /// Keeps a one-line message one line whatever a file holds.
    private static func shown(_ value: String) -> String {
        let flat = value.map { $0.isNewline ? " " : String($0) }.joined()
        return flat.count > 80 ? String(flat.prefix(77)) + "..." : (flat.isEmpty ? "''" : flat)
    }
}
