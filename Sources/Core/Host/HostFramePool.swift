#if canImport(Glibc)
import Glibc
#endif

/// The host's free 4 KiB page frames for a guest's memory: real, resident memory that a first
/// touch zeroes, as `do_anonymous_page` takes and clears a page.
///
/// Frame *n* backs guest page *n* (the model's buddy allocator hands each page the same frame
/// again after an eviction; what costs is taking and zeroing it, not which one it is). The frames
/// are mapped without transparent huge pages (the published figures run with THP off) and made
/// resident before the cell starts, so zeroing a frame costs the copy, not a host page fault.
/// Regions are recycled across cells of a process, since making 8 GiB resident takes seconds.
///
/// Contract: `zero(_:)` may run concurrently for different frames.
public final class HostFramePool: @unchecked Sendable {
    // Safety: frames are written only by `zero`, one caller per frame.

    public static let frameBytes = 4096
    public let frames: UInt64
    @usableFromInline let base: UnsafeMutableRawPointer
    private let region: FrameRegion

    /// Nil when the memory cannot be mapped.
    public init?(frames: UInt64) {
        guard let region = FrameRegion.take(bytes: Int(max(1, frames)) * Self.frameBytes) else { return nil }
        self.frames = frames
        self.region = region
        base = region.base
    }

    deinit { FrameRegion.give(region) }

    /// `clear_page`: zeroes frame `frame`.
    @inlinable public func zero(_ frame: UInt64) {
        memset(base + Int(frame) * Self.frameBytes, 0, Self.frameBytes)
    }

    /// The first word of frame `frame` (for tests).
    public func firstWord(of frame: UInt64) -> UInt64 {
        (base + Int(frame) * Self.frameBytes).load(as: UInt64.self)
    }

    /// Writes `value` over frame `frame`'s first word (for tests).
    public func scribble(_ value: UInt64, on frame: UInt64) {
        (base + Int(frame) * Self.frameBytes).storeBytes(of: value, as: UInt64.self)
    }
}
