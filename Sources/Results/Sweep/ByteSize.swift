import Foundation

/// An amount of guest memory: a positive whole number of 4 KiB pages.
///
/// Contract: every value holds `bytes >= 4096` and `bytes % 4096 == 0`, because the model maps
/// memory in 4 KiB page frames and a partial page has no meaning there. Suffixes are binary
/// (1K = 1024) and case-insensitive, with an optional trailing `B` or `iB` ("4K", "1g", "2GiB",
/// "512MB"); "1GB" therefore means 2^30 bytes, as in the kernel selftests' `-b` option.
/// `description` prints the shortest exact spelling, which `init(parsing:)` reads back unchanged.
public struct ByteSize: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The guest page size the model uses.
    public static let pageSize: UInt64 = 4096

    /// The size in bytes; always a positive multiple of `pageSize`.
    public let bytes: UInt64

    /// The number of 4 KiB pages.
    public var pages: UInt64 { bytes / Self.pageSize }

    /// Creates a size from a byte count.
    ///
    /// - Parameters:
    ///   - bytes: a positive multiple of 4096.
    /// - Throws: `InputError` when `bytes` is zero or not a whole number of pages.
    public init(bytes: UInt64) throws(InputError) {
        try Self.checkPages(bytes, spelled: String(bytes))
        self.bytes = bytes
    }

    /// Creates a size from its command-line spelling, such as "4K", "512M", "1GiB" or "64g".
    ///
    /// - Parameters:
    ///   - text: digits, then optionally K, M, G or T, then optionally B or iB; surrounding blanks are ignored.
    /// - Throws: `InputError` naming the text when it is empty, signed, fractional, has an unknown
    ///   unit, overflows 64 bits, is zero or is not a whole number of 4 KiB pages.
    public init(parsing text: String) throws(InputError) {
        let spelled = text.trimmingCharacters(in: .whitespaces)
        let expected = "expected a whole number with an optional K, M, G or T suffix, e.g. 4K, 512M, 1G"
        guard !spelled.isEmpty else {
            throw InputError("empty memory size: \(expected)")
        }
        if spelled.hasPrefix("-") {
            throw InputError("memory size '\(spelled)' must be positive")
        }
        let digits = spelled.prefix { $0.isASCII && $0.isNumber }
        let unit = spelled.dropFirst(digits.count)
        guard !digits.isEmpty else {
            throw InputError("memory size '\(spelled)' is not a number: \(expected)")
        }
        if unit.hasPrefix(".") || unit.hasPrefix(",") {
            throw InputError("memory size '\(spelled)' must be a whole number; use a smaller unit (e.g. 1536M for 1.5G)")
        }
        guard let shift = Self.shift(forUnit: unit.uppercased()) else {
            throw InputError("memory size '\(spelled)' has an unknown unit '\(unit)': \(expected)")
        }
        let tooLarge = InputError("memory size '\(spelled)' is too large")
        guard let count = UInt64(digits) else { throw tooLarge }
        let (scaled, overflow) = count.multipliedReportingOverflow(by: 1 << shift)
        if overflow { throw tooLarge }
        try Self.checkPages(scaled, spelled: spelled)
        bytes = scaled
    }

    /// Used for display of sizes read back from results, where page alignment was already enforced
    /// when the run was planned and rejecting a row would only hide data.
    public init(uncheckedBytes: UInt64) {
        bytes = uncheckedBytes
    }

    public var description: String {
        guard bytes > 0 else { return "0" }
        for (suffix, shift) in [("T", 40), ("G", 30), ("M", 20), ("K", 10)] as [(String, UInt64)]
        where bytes % (1 << shift) == 0 {
            return "\(bytes >> shift)\(suffix)"
        }
        return String(bytes)
    }

    public static func < (lhs: ByteSize, rhs: ByteSize) -> Bool {
        lhs.bytes < rhs.bytes
    }

    private static func shift(forUnit unit: String) -> UInt64? {
        switch unit {
        case "", "B": 0
        case "K", "KB", "KIB": 10
        case "M", "MB", "MIB": 20
        case "G", "GB", "GIB": 30
        case "T", "TB", "TIB": 40
        default: nil
        }
    }

    private static func checkPages(_ bytes: UInt64, spelled: String) throws(InputError) {
        guard bytes > 0 else {
            throw InputError("memory size '\(spelled)' must be positive")
        }
        guard bytes % pageSize == 0 else {
            throw InputError("memory size '\(spelled)' (\(bytes) bytes) is not a whole number of 4 KiB pages")
        }
    }
}
