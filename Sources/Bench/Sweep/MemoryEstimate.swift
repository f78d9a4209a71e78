import Backends
import Core
import Results
#if canImport(Glibc)
import Glibc
#endif

/// How much memory a cell needs, so a sweep that cannot fit is refused before it starts.
///
/// Per guest page: the leaf (8 bytes) plus the upper levels (1/512 of that, rounded up), the
/// rmap of an rmap backend (8 bytes, plus the aliases' descriptors and second leaves), and the
/// runner's bookkeeping (2), and with the host side a 4 KiB frame, a 64-byte folio record and a
/// host page table like the radix one. The table-page count is exact; the rest is an upper bound.
public enum MemoryEstimate {
    public static func bytes(guestPages: UInt64, structure: TableStructure, hostSide: Bool = false, frames: Bool = true) -> UInt64 {
        let radixTables = tableBytes(guestPages: guestPages)
        var total = radixTables
        if structure == .rmap {
            total += guestPages * 8 + guestPages / 8 * (32 + 8) + total / 8
        }
        if hostSide {
            total += guestPages * ((frames ? UInt64(HostFramePool.frameBytes) : 0) + UInt64(FolioTable.recordBytes)) + radixTables
        }
        return total + guestPages * 2
    }

    /// Bytes of a 4-level radix table mapping `guestPages`.
    static func tableBytes(guestPages: UInt64) -> UInt64 {
        let leafTables = (guestPages + 511) / 512
        let upperTables = (leafTables + 511) / 512 + (leafTables + 262_143) / 262_144 + 1
        return (leafTables + upperTables) * UInt64(TablePageAllocator.pageBytes)
    }

    /// Physical memory of this machine.
    public static var physicalBytes: UInt64 {
        UInt64(max(0, sysconf(Int32(_SC_PHYS_PAGES)))) * UInt64(max(0, sysconf(Int32(_SC_PAGESIZE))))
    }

    /// The largest guest the model addresses: 2^34 pages (64 TiB), below the shadow MMU's
    /// alias region.
    public static let maximumGuestPages: UInt64 = 1 << 34

    /// Refuses the first cell whose guest is too large for the model or would not fit.
    public static func check(_ plan: SweepPlan, hostSide: Bool, frames: Bool = true) throws(InputError) {
        for cell in plan.cells {
            guard let descriptor = Backends.named(cell.backend) else { continue }
            try requireFits(
                guestPages: guestPages(of: cell), structure: descriptor.capabilities.structure,
                hostSide: hostSide, frames: frames, what: "cell \(cell.backend)/\(cell.memoryPerVCPU)/vcpus:\(cell.vcpus)")
        }
    }

    /// How many of `cells` may run at once, at most `jobs`: the largest *k* for which the *k*
    /// largest cells' estimates together stay within `limit` (by default 80% of physical memory,
    /// as `requireFits` allows one cell). Never below 1: whether a single cell fits is `check`'s
    /// question, answered before.
    ///
    /// The *k* largest is the worst case of any *k* cells in flight together, whatever order
    /// they are dealt in, so a sweep whose big cells would not fit side by side runs fewer at a
    /// time instead of being refused.
    public static func concurrentCells(
        _ cells: [SweepCell], jobs: Int, hostSide: Bool, frames: Bool = true, limit: UInt64 = fittingBytes
    ) -> Int {
        var sizes: [UInt64] = []
        for cell in cells {
            guard let descriptor = Backends.named(cell.backend) else { continue }
            let pages = guestPages(of: cell)
            // Beyond the model `bytes` would overflow; such a cell never runs beside another.
            sizes.append(pages > maximumGuestPages ? .max : bytes(
                guestPages: pages, structure: descriptor.capabilities.structure, hostSide: hostSide, frames: frames))
        }
        var total: UInt64 = 0
        var count = 0
        for size in sizes.sorted(by: >).prefix(max(1, jobs)) {
            let (sum, overflow) = total.addingReportingOverflow(size)
            guard !overflow, sum <= limit else { break }
            total = sum
            count += 1
        }
        return max(1, count)
    }

    /// The most a sweep's cells in flight may need together: 80% of physical memory.
    public static var fittingBytes: UInt64 { physicalBytes / 10 * 8 }

    /// The cell's guest pages over all its vCPUs, `.max` when that overflows.
    static func guestPages(of cell: SweepCell) -> UInt64 {
        let (pages, overflow) = cell.memoryPerVCPU.pages.multipliedReportingOverflow(by: UInt64(cell.vcpus))
        return overflow ? .max : pages
    }

    /// Refuses a guest larger than the model addresses, or whose estimate exceeds 80% of
    /// physical memory; `what` names it in the message.
    public static func requireFits(
        guestPages: UInt64, structure: TableStructure, hostSide: Bool = false, frames: Bool = true, what: String
    ) throws(InputError) {
        if guestPages > maximumGuestPages {
            throw InputError("\(what): a guest larger than 64T is beyond the model")
        }
        let needed = bytes(guestPages: guestPages, structure: structure, hostSide: hostSide, frames: frames)
        if needed > fittingBytes {
            let extra = hostSide ? (frames ? " and host frames (--costs raw needs none)" : " and the host side") : ""
            throw InputError(
                "\(what) needs about \(gib(needed)) GiB of page tables, bookkeeping\(extra); this machine has \(gib(physicalBytes)) GiB")
        }
    }

    private static func gib(_ bytes: UInt64) -> String {
        let tenths = (bytes * 10 + (1 << 29)) >> 30
        return "\(tenths / 10).\(tenths % 10)"
    }
}
