import Foundation

/// The mark an interrupted sweep leaves on its output: which signal stopped it and how many of its
/// cells the output holds.
///
/// Contract: a CSV output keeps its schema and stays a plain table, so the mark goes in a sidecar
/// file beside it, `<output>.incomplete`, a JSON object `{"incomplete": {...}, "sweep": {...}}`
/// written before the output (so no reader can see cells without their mark) and removed once a
/// run completes the sweep. A JSON output carries the same two objects in its `context`; a
/// Markdown output ends with a note line. `--resume` reads the mark and the sweep identity back.
public struct IncompleteMarker: Sendable, Hashable {
    /// "SIGINT" or "SIGTERM".
    public var signal: String
    /// Cells the output holds.
    public var cellsDone: Int
    /// Cells the sweep (this shard of it) has.
    public var cellsTotal: Int

    public init(signal: String, cellsDone: Int, cellsTotal: Int) {
        self.signal = signal
        self.cellsDone = cellsDone
        self.cellsTotal = cellsTotal
    }

    /// The sidecar path of a CSV output.
    public static func sidecarPath(for output: String) -> String {
        output + ".incomplete"
    }

    /// The `incomplete` object.
    public var jsonObject: [String: Any] {
        ["interrupted_by": signal, "cells_done": cellsDone, "cells_total": cellsTotal]
    }

    /// Reads the `incomplete` object back.
    ///
    /// - Throws: `InputError` naming `what` when a key is missing or of the wrong type.
    init(jsonObject value: JSONValue, what: String) throws(InputError) {
        guard let dictionary = value.object,
              let signal = dictionary["interrupted_by"]?.string,
              let done = dictionary["cells_done"]?.int64, let total = dictionary["cells_total"]?.int64,
              let cellsDone = Int(exactly: done), let cellsTotal = Int(exactly: total),
              cellsDone >= 0, cellsTotal >= cellsDone
        else {
            throw InputError("\(what): the 'incomplete' mark is malformed")
        }
        self.init(signal: signal, cellsDone: cellsDone, cellsTotal: cellsTotal)
    }

    /// The sidecar's text: this mark and the sweep's identity.
    public func sidecarText(sweep: SweepIdentity) -> String {
        JSONWriter.render(["incomplete": jsonObject, "sweep": sweep.jsonObject])
    }

    /// Reads a sidecar written by `sidecarText(sweep:)`.
    ///
    /// - Throws: `InputError` naming `what` for anything else.
    public static func readSidecar(_ text: String, what: String) throws(InputError) -> (IncompleteMarker, SweepIdentity) {
        let object = try JSONValue.parseObject(text, what: what)
        guard let mark = object["incomplete"], let sweep = object["sweep"] else {
            throw InputError("\(what): not an incomplete-sweep mark (needs 'incomplete' and 'sweep')")
        }
        return (try IncompleteMarker(jsonObject: mark, what: what), try SweepIdentity(jsonObject: sweep, what: what))
    }
}
