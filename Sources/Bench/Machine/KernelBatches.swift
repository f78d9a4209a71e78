/// The host kernel's batch sizes on a first touch's path, each counted from the kernel source:
/// how many first-touch faults share one acquisition of a host lock or one write of a shared
/// counter (per CPU, since every batch is a per-CPU cache).
///
/// Contract: constants only; the virtual engine charges a refill or a charge on the first fault
/// of each batch (`isBatchStart`: the cache is empty) and the LRU drain on the last
/// (`isBatchEnd`: the batch is full).
enum KernelBatches {
    /// `zone->lock` once per per-CPU pageset refill: `zone_batchsize()` (mm/page_alloc.c) gives
    /// 63 for a zone of 1 GiB or more (the refill may grow, `nr_pcp_alloc`; not modelled).
    static let pageAllocatorRefill = 63
    /// The LRU lock once per drained `folio_batch` of `folio_add_lru` (mm/swap.c; PAGEVEC_SIZE
    /// 31 in include/linux/pagevec.h since Linux 6.x, 15 before).
    static let lruAdd = 31
    /// The memcg's `page_counter` once per `MEMCG_CHARGE_BATCH` (include/linux/memcontrol.h: 64)
    /// pages charged from the per-CPU stock (mm/memcontrol.c `try_charge_memcg`, `consume_stock`).
    static let memcgCharge = 64

    /// Whether the `count`th event (from 0) of a per-CPU batch of `size` takes the shared step.
    @inline(__always)
    static func isBatchStart(_ count: UInt64, size: Int) -> Bool { count % UInt64(size) == 0 }

    /// Whether the `count`th event (from 0) fills its batch of `size`.
    @inline(__always)
    static func isBatchEnd(_ count: UInt64, size: Int) -> Bool { count % UInt64(size) == UInt64(size) - 1 }
}
