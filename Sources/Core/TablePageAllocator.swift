import CJemalloc
import CPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Allocates one page table's 4 KiB table pages from a jemalloc arena of its own.
///
/// An arena per table, with the thread cache bypassed, makes jemalloc's per-arena statistics
/// count that table's pages and nothing else (`PageTableMemory.arena(_:)`), even while other
/// tables allocate in parallel. Under AddressSanitizer the pages come from the system allocator
/// instead, so ASan sees a use after free of a table page.
///
/// Contract: call `destroy()` once, after every page it allocated was deallocated.
public struct TablePageAllocator: Sendable {
    /// Bytes in one table page: 512 entries of 8 bytes.
    public static let pageBytes = 4096

    /// The arena's index, or 0 when pages come from the system allocator.
    public let arena: UInt32

    /// True when pages come from jemalloc (its arena statistics then describe them).
    public var usesJemalloc: Bool { arena != 0 }

    /// False under AddressSanitizer.
    public static let jemallocAvailable = agingbench_under_address_sanitizer() == 0

    public init() {
        var index: UInt32 = 0
        var size = MemoryLayout<UInt32>.size
        if Self.jemallocAvailable, mallctl("arenas.create", &index, &size, nil, 0) == 0 {
            arena = index
        } else {
            arena = 0
        }
    }

    /// A zeroed, page-aligned table page.
    public func allocate() -> UnsafeMutableRawPointer {
        if usesJemalloc {
            let flags = agingbench_mallocx_flags(Self.pageBytes, arena, 1)
            guard let page = mallocx(Self.pageBytes, flags) else { fatalError("jemalloc: out of memory for a table page") }
            return page
        }
        var page: UnsafeMutableRawPointer?
        guard posix_memalign(&page, Self.pageBytes, Self.pageBytes) == 0, let page else {
            fatalError("posix_memalign: out of memory for a table page")
        }
        memset(page, 0, Self.pageBytes)
        return page
    }

    public func deallocate(_ page: UnsafeMutableRawPointer) {
        if usesJemalloc {
            dallocx(page, agingbench_dallocx_flags(arena))
        } else {
            Glibc.free(page)
        }
    }

    /// Returns the arena's memory to the system.
    public func destroy() {
        guard usesJemalloc else { return }
        _ = mallctl("arena.\(arena).destroy", nil, nil, nil, 0)
    }
}
