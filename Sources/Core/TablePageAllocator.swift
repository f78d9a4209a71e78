import CJemalloc
import CPlatform
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Allocates the model's 4 KiB table pages from a jemalloc arena of their own.
///
/// A dedicated arena with the thread cache bypassed makes jemalloc's per-arena statistics count
/// table pages and nothing else (`PageTableMemory`). Under AddressSanitizer the pages come from the
/// system allocator instead, so ASan sees a use after free of a table page.
public enum TablePageAllocator {
    /// Bytes in one table page: 512 entries of 8 bytes.
    public static let pageBytes = 4096

    /// The arena's index, or 0 when pages come from the system allocator.
    public static let arena: UInt32 = {
        if agingbench_under_address_sanitizer() != 0 { return 0 }
        var index: UInt32 = 0
        var size = MemoryLayout<UInt32>.size
        let status = mallctl("arenas.create", &index, &size, nil, 0)
        return status == 0 ? index : 0
    }()

    /// True when pages come from jemalloc (its arena statistics then describe them).
    public static var usesJemalloc: Bool { arena != 0 }

    /// A zeroed, page-aligned table page.
    public static func allocate() -> UnsafeMutableRawPointer {
        if usesJemalloc {
            let flags = agingbench_mallocx_flags(pageBytes, arena, 1)
            guard let page = mallocx(pageBytes, flags) else { fatalError("jemalloc: out of memory for a table page") }
            return page
        }
        var page: UnsafeMutableRawPointer?
        guard posix_memalign(&page, pageBytes, pageBytes) == 0, let page else {
            fatalError("posix_memalign: out of memory for a table page")
        }
        memset(page, 0, pageBytes)
        return page
    }

    public static func deallocate(_ page: UnsafeMutableRawPointer) {
        if usesJemalloc {
            dallocx(page, agingbench_dallocx_flags(arena))
        } else {
            Glibc.free(page)
        }
    }
}
