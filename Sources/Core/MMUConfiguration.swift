/// What a backend is asked to build.
public struct MMUConfiguration: Sendable, Hashable {
    /// Guest pages: gfns `0..<gfnCount`.
    public var gfnCount: UInt64
    /// x86: run with A/D bits off (access tracking). Ignored by backends without that mode.
    public var accessTracking: Bool

    public init(gfnCount: UInt64, accessTracking: Bool = false) {
        self.gfnCount = gfnCount
        self.accessTracking = accessTracking
    }
}
