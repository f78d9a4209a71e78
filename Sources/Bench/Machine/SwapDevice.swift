/// Where an evicted page goes, and what that costs a 4 KiB page each way (`--swap`).
///
/// Contract: `swapInNanos` is paid by the refaulting vCPU in its GUP step (`do_swap_page`, under
/// `mmap_lock` read); `swapOutNanos` by reclaim per evicted page. Every figure is a published
/// measurement (docs/pressure.md gives the sources).
public enum SwapDevice: String, Sendable, CaseIterable, CustomStringConvertible {
    /// zram with LZ4: a page is compressed when it is evicted and decompressed when it refaults,
    /// synchronously, on the CPU. LZ4's README (github.com/lz4/lz4, Core i7-9700K, one core):
    /// 780 MB/s compression, 4970 MB/s decompression.
    case zram
    /// An Optane SSD (what the series' authors swapped to): the refault waits for one 4 KiB
    /// random read at queue depth 1, 8.9 µs mean on the P4800X (AnandTech's review, 2017);
    /// writeback is asynchronous, so reclaim pays no device time per page.
    case optane
    /// A NAND NVMe SSD: one 4 KiB random read at queue depth 1, 77.9 µs mean on the Intel
    /// P3700 (the same AnandTech review); writeback asynchronous as above.
    case nvme

    public var description: String { rawValue }

    /// Nanoseconds a refault waits for its page.
    public var swapInNanos: Double {
        switch self {
        case .zram: 4096 / 4970e6 * 1e9
        case .optane: 8_900
        case .nvme: 77_900
        }
    }

    /// Nanoseconds reclaim spends per evicted page.
    public var swapOutNanos: Double {
        switch self {
        case .zram: 4096 / 780e6 * 1e9
        case .optane, .nvme: 0
        }
    }
}
