/// The series' 64-page bitmap for one notifier call, in the kernel's bit order.
///
/// Bit *i* stands for gfn `range.last - i`: bit 0 is the **last** page of the range, as in
/// `kvm_gfn_record_young()` (offset = end - 1 - gfn). A range given with a bitmap holds at most
/// `YoungBitmap.capacity` pages.
public struct YoungBitmap: Sendable, Hashable, CustomStringConvertible {
    public static let capacity: UInt64 = 64

    /// The raw word, bit 0 = last page of the range.
    public var bits: UInt64

    @inlinable public init(bits: UInt64 = 0) { self.bits = bits }

    /// The bit index of `gfn` in a bitmap for `range`.
    /// The bit index of `gfn` in a bitmap for `range` (`gfn` must lie in the range).
    @inlinable public static func bit(for gfn: UInt64, in range: GFNRange) -> UInt64 {
        range.end &- 1 &- gfn
    }

    // Masked shifts: the walk calls these per leaf, and the range is at most 64 pages.
    @inlinable public func contains(_ gfn: UInt64, in range: GFNRange) -> Bool {
        bits & (1 &<< Self.bit(for: gfn, in: range)) != 0
    }

    @inlinable public mutating func insert(_ gfn: UInt64, in range: GFNRange) {
        bits |= 1 &<< Self.bit(for: gfn, in: range)
    }

    @inlinable public mutating func remove(_ gfn: UInt64, in range: GFNRange) {
        bits &= ~(1 &<< Self.bit(for: gfn, in: range))
    }

    @inlinable public var isEmpty: Bool { bits == 0 }
    @inlinable public var count: Int { bits.nonzeroBitCount }

    /// The gfns whose bits are set, in ascending order.
    public func gfns(in range: GFNRange) -> [UInt64] {
        (range.start..<range.end).filter { contains($0, in: range) }
    }

    @inlinable public mutating func formUnion(_ other: YoungBitmap) { bits |= other.bits }
    @inlinable public mutating func formIntersection(_ other: YoungBitmap) { bits &= other.bits }

    /// Calls `body(gfn)` for every gfn whose bit is set, in ascending order, without allocating.
    @inlinable public func forEachGFN(in range: GFNRange, _ body: (UInt64) -> Void) {
        var remaining = bits
        while remaining != 0 {
            // The highest set bit is the lowest gfn.
            let bit = UInt64(63 - remaining.leadingZeroBitCount)
            body(range.end &- 1 &- bit)
            remaining &= ~(1 &<< bit)
        }
    }

    /// Removes and returns the lowest gfn whose bit is set; nil when none is.
    @inlinable public mutating func popFirst(in range: GFNRange) -> UInt64? {
        guard bits != 0 else { return nil }
        let bit = UInt64(63 - bits.leadingZeroBitCount)
        bits &= ~(1 &<< bit)
        return range.end &- 1 &- bit
    }

    /// A bitmap with every page of `range` set.
    @inlinable public static func all(_ range: GFNRange) -> YoungBitmap {
        YoungBitmap(bits: range.count >= 64 ? .max : (1 << range.count) - 1)
    }

    public var description: String { "0x" + String(bits, radix: 16) }
}
