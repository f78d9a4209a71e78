import Foundation

/// The text of a results file before a reader parses it: what `ResultsFile` (merge, resume) and
/// `ResultTable` (compare, history, the gate) both refuse, and which format the text is.
///
/// Contract: `load(path:)` refuses a missing path, a directory and an unreadable file; `decode`
/// refuses input that is empty or only whitespace, and input that is not UTF-8 text or holds a
/// NUL byte. Each refusal is one `InputError` line naming the input. `isJSON` is true when the
/// first byte that is not whitespace or a byte-order mark is `{`: a results file is told apart by
/// content, never by name.
enum ResultsText {
    /// The bytes of the regular file at `path`.
    static func load(path: String) throws(InputError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError("'\(path)': no such file")
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw InputError("'\(path)': cannot be read as a file")
        }
        return [UInt8](data)
    }

    /// `bytes` as text; `what` names them in errors.
    static func decode(_ bytes: [UInt8], what: String) throws(InputError) -> String {
        guard bytes.contains(where: { !isSpace($0) }) else { throw InputError("\(what): the file is empty") }
        guard !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else {
            throw InputError("\(what): binary data, not a results file (CSV or JSON)")
        }
        return text
    }

    static func isJSON(_ text: String) -> Bool {
        text.utf8.first { !isSpace($0) && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF } == UInt8(ascii: "{")
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
