/// Where the model's guest pages live on the "host".
public enum GuestMemory {
    /// gfn 0 is backed by this host pfn; gfn *n* by `hostPFNBase + n`.
    public static let hostPFNBase: UInt64 = 0x10_0000

    @inlinable public static func hostPFN(for gfn: UInt64) -> UInt64 { hostPFNBase &+ gfn }

    public static let pageBytes: UInt64 = 4096
}
