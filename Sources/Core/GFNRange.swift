/// A half-open range of guest page frame numbers, `[start, end)`.
public struct GFNRange: Sendable, Hashable, CustomStringConvertible {
    public let start: UInt64
    public let end: UInt64

    @inlinable public init(start: UInt64, end: UInt64) {
        precondition(start <= end, "GFNRange start \(start) after end \(end)")
        self.start = start
        self.end = end
    }

    @inlinable public init(start: UInt64, count: UInt64) {
        self.init(start: start, end: start + count)
    }

    @inlinable public var count: UInt64 { end - start }
    @inlinable public var isEmpty: Bool { start == end }
    /// The last gfn of the range; the range must not be empty.
    @inlinable public var last: UInt64 { end - 1 }

    @inlinable public func contains(_ gfn: UInt64) -> Bool { gfn >= start && gfn < end }

    public var description: String { "[\(start), \(end))" }
}
