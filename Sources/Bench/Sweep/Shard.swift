import Results

/// One slice `i/n` of a sweep, so that n independent jobs together run every cell exactly once.
///
/// Contract: `1 <= index <= count`. A shard deals out whole comparison groups — every backend and
/// aging setting of one (repetition, memory size, vCPU count), so a comparison never spans two
/// hosts — and group g (0-based, in the plan's canonical order) belongs to shard `(g % count) + 1`.
/// Round-robin rather than contiguous blocks, so every shard gets a mix of sizes and repetitions
/// and finishes in about the same time; the mapping depends only on g and n, so any job-array
/// engine can hand out indices and the outputs merge by concatenation.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// The 1-based position of this shard.
    public let index: Int
    /// How many shards the sweep is split into.
    public let count: Int

    /// The whole sweep as one shard.
    public static let whole = Shard(validIndex: 1, count: 1)

    /// Creates shard `index` of `count`.
    ///
    /// - Throws: `InputError` unless `count >= 1` and `1 <= index <= count`.
    public init(index: Int, count: Int) throws(InputError) {
        guard count >= 1 else {
            throw InputError("shard '\(index)/\(count)': the shard count must be at least 1")
        }
        guard (1...count).contains(index) else {
            throw InputError("shard '\(index)/\(count)': the index must be between 1 and \(count)")
        }
        self.init(validIndex: index, count: count)
    }

    /// Parses the `--shard` spelling "i/n", e.g. "2/8".
    ///
    /// - Throws: `InputError` for anything but two unsigned decimal integers separated by one slash,
    ///   and for an out-of-range index or count.
    public init(parsing text: String) throws(InputError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2,
              parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let index = Int(parts[0]), let count = Int(parts[1])
        else {
            throw InputError("shard '\(text)' is not of the form i/n, e.g. 2/8")
        }
        try self.init(index: index, count: count)
    }

    private init(validIndex: Int, count: Int) {
        self.index = validIndex
        self.count = count
    }

    /// Whether this shard runs the comparison group at `groupIndex` in the canonical sweep order.
    ///
    /// - Parameters:
    ///   - groupIndex: 0-based position of the group in the full, unsharded plan; negative
    ///     positions belong to no shard.
    public func selects(groupIndex: Int) -> Bool {
        groupIndex >= 0 && groupIndex % count + 1 == index
    }

    public var description: String { "\(index)/\(count)" }
}
