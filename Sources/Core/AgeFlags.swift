/// What a `testYoung` / `clearYoung` call reports (the series' MMU_NOTIFIER_YOUNG* flags).
public struct AgeFlags: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    // Computed rather than stored: a stored static is reached through a lazy-initialisation
    // call on every use, and these are tested once per notifier call.

    /// At least one page of the range was young.
    @inlinable public static var young: AgeFlags { AgeFlags(rawValue: 1 << 0) }
    /// The bitmap was not honoured: the caller must ask again one page at a time.
    @inlinable public static var bitmapUnreliable: AgeFlags { AgeFlags(rawValue: 1 << 1) }
    /// MMU_NOTIFIER_YOUNG_FAST: the call was cheap (lockless or read-locked); look-around pays.
    /// Set only together with `young`.
    @inlinable public static var fast: AgeFlags { AgeFlags(rawValue: 1 << 2) }

    public var description: String {
        var names: [String] = []
        if contains(.young) { names.append("young") }
        if contains(.bitmapUnreliable) { names.append("bitmapUnreliable") }
        if contains(.fast) { names.append("fast") }
        return "[" + names.joined(separator: ", ") + "]"
    }
}
