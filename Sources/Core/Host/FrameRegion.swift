#if canImport(Glibc)
import Glibc
#endif

/// A resident anonymous mapping that `HostFramePool`s borrow, kept for the next cell when given
/// back (the largest one only, so an idle process holds at most one).
final class FrameRegion: @unchecked Sendable {
    // Safety: immutable after creation; the spare is `Locked`.

    let base: UnsafeMutableRawPointer
    let bytes: Int

    private init(base: UnsafeMutableRawPointer, bytes: Int) {
        self.base = base
        self.bytes = bytes
    }

    deinit { munmap(base, bytes) }

    private static let spare = Locked<FrameRegion?>(nil)

    /// A resident region of at least `bytes`: the spare when it is large enough, else a new one.
    static func take(bytes: Int) -> FrameRegion? {
        let reused: FrameRegion? = spare.withLock { spare in
            guard let region = spare, region.bytes >= bytes else { return nil }
            spare = nil
            return region
        }
        if let reused { return reused }
        guard let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
            mapped != MAP_FAILED
        else { return nil }
        _ = madvise(mapped, bytes, MADV_NOHUGEPAGE)
        // MADV_POPULATE_WRITE (Linux 5.14) faults every page in at once; older kernels get a
        // touch per page.
        if madvise(mapped, bytes, 23) != 0 {
            var offset = 0
            while offset < bytes {
                mapped.storeBytes(of: 0, toByteOffset: offset, as: UInt8.self)
                offset += HostFramePool.frameBytes
            }
        }
        return FrameRegion(base: mapped, bytes: bytes)
    }

    /// Keeps `region` as the spare if it is larger than the current one; otherwise it is unmapped.
    static func give(_ region: FrameRegion) {
        let dropped: FrameRegion? = spare.withLock { spare in
            if let current = spare, current.bytes >= region.bytes { return region }
            let old = spare
            spare = region
            return old
        }
        _ = dropped
    }
}
