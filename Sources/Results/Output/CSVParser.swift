/// The RFC 4180 state machine behind `CSVWriter.parse`, fed one UTF-8 byte at a time.
///
/// Contract: works on bytes rather than `Character`s because Swift treats "\r\n" as one grapheme,
/// which would hide the line break; every structural character is ASCII, so splitting a multi-byte
/// scalar can never happen. Line numbers in errors are 1-based physical lines.
struct CSVParser {
    private enum State {
        case fieldStart, unquoted, quoted, quoteInQuoted, afterCR
    }

    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var row: [String] = []
    private var rows: [[String]] = []
    private var line = 1

    private static let comma = UInt8(ascii: ",")
    private static let quote = UInt8(ascii: "\"")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    mutating func consume(_ byte: UInt8) throws(InputError) {
        switch state {
        case .fieldStart:
            switch byte {
            case Self.quote: state = .quoted
            case Self.comma: endField()
            case Self.cr: endField(); state = .afterCR
            case Self.lf: endRow()
            default: field.append(byte); state = .unquoted
            }
        case .unquoted:
            switch byte {
            case Self.quote: throw InputError("CSV line \(line): quote inside an unquoted field")
            case Self.comma: endField(); state = .fieldStart
            case Self.cr: endField(); state = .afterCR
            case Self.lf: endRow()
            default: field.append(byte)
            }
        case .quoted:
            if byte == Self.quote {
                state = .quoteInQuoted
            } else {
                if byte == Self.lf { line += 1 }
                field.append(byte)
            }
        case .quoteInQuoted:
            switch byte {
            case Self.quote: field.append(byte); state = .quoted
            case Self.comma: endField(); state = .fieldStart
            case Self.cr: endField(); state = .afterCR
            case Self.lf: endRow()
            default: throw InputError("CSV line \(line): text after a closing quote")
            }
        case .afterCR:
            // A lone CR outside quotes is not a line ending in RFC 4180; refusing it beats guessing.
            guard byte == Self.lf else { throw InputError("CSV line \(line): CR not followed by LF") }
            endRowAfterFieldEnded()
        }
    }

    mutating func finish() throws(InputError) -> [[String]] {
        switch state {
        case .quoted:
            throw InputError("CSV line \(line): quoted field is never closed")
        case .afterCR:
            endRowAfterFieldEnded()
        case .unquoted, .quoteInQuoted:
            endField()
            endRowAfterFieldEnded()
        case .fieldStart:
            // Text ending in a comma still owes its last, empty field; text ending in a newline does not.
            if !row.isEmpty {
                endField()
                endRowAfterFieldEnded()
            }
        }
        return rows
    }

    private mutating func endField() {
        row.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
    }

    private mutating func endRow() {
        endField()
        endRowAfterFieldEnded()
    }

    private mutating func endRowAfterFieldEnded() {
        rows.append(row)
        row.removeAll(keepingCapacity: true)
        state = .fieldStart
        line += 1
    }
}
