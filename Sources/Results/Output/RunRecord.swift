/// One row of results: the metadata and measurements of a single sweep cell run.
///
/// Contract: the stored properties are exactly the CSV columns of schema version 9, each with the
/// value a row has before a runner fills it (zero, empty; `schema` the current version, the
/// labels those of the default sweep's reference row: default variant, aging on, bitmap driver,
/// calibrated costs, real engine), and `RunRecord.columnTable` lists them once, in file order, with their column names:
/// the one list the CSV writer, the readers and the documentation's column table follow. A
/// record is built empty (`RunRecord.empty`) and filled property by property, so adding a
/// column is one property and one table line. Column names and order never change within a schema version;
/// adding, removing, renaming or reordering a column bumps `schemaVersion`, so any file can be
/// read by looking at its `schema` column. Every row repeats the machine, build and commit
/// metadata so files stay meaningful after they are concatenated across shards and hosts.
public struct RunRecord: Sendable, Hashable {
    /// The current column set's version, written into every row.
    public static let schemaVersion = 9

    /// `schema`: Version of the column set; see `RunRecord.schemaVersion`.
    public var schema: Int = RunRecord.schemaVersion
    /// `timestamp`: When the run finished, ISO 8601 in UTC.
    public var timestamp: String = ""
    /// `commit`: Short git commit of the suite's own source tree (not of the directory it ran in), with "-dirty" when tracked files had changes.
    public var commit: String = ""
    /// `host`: Host name of the machine.
    public var host: String = ""
    /// `cpu`: CPU model name, or "unknown".
    public var cpu: String = ""
    /// `cores`: Online CPU count.
    public var cores: Int = 0
    /// `build`: "release" or "debug".
    public var build: String = ""
    /// `kernel`: Host kernel release (`uname -r`).
    public var kernel: String = ""
    /// `thp`: Transparent huge pages setting of the host (`always`, `madvise`, `never`).
    public var thp: String = ""
    /// `toolchain`: Swift compiler the suite was built with.
    public var toolchain: String = ""
    /// `command`: The command line that produced the row.
    public var command: String = ""
    /// `backend`: Registered backend name.
    public var backend: String = ""
    /// `variant`: Backend option set: "default", or "ad-off" (x86 with A/D bits off, `--ad-off`).
    public var variant: VariantLabel = .standard
    /// `memory_per_vcpu_bytes`: Guest memory owned by each vCPU, in bytes.
    public var memoryPerVCPUBytes: UInt64 = 0
    /// `vcpus`: Number of vCPU threads.
    public var vcpus: Int = 0
    /// `aging`: "on", "off" or "only".
    public var aging: AgingLabel = .on
    /// `pattern`: Access pattern name.
    public var pattern: String = ""
    /// `write_percent`: Share of accesses that write, 0 to 100.
    public var writePercent: Int = 0
    /// `seed`: Seed of the access pattern.
    public var seed: UInt64 = 0
    /// `repetition`: 0-based repetition number.
    public var repetition: Int = 0
    /// `driver`: How aging asked the secondary MMU: "eviction-only", "per-page" or "bitmap".
    public var driver: DriverLabel = .bitmap
    /// `costs`: "calibrated" (host side and remainders), "host-only" (host side, no remainders) or "raw" (bare secondary MMU).
    public var costs: CostsLabel = .calibrated
    /// `calibration`: Id of the calibration the remainders (and, with the virtual engine, every operation's cost) came from ("" without one).
    public var calibration: String = ""
    /// `engine`: "real" (threads on the machine's CPUs), "virtual" (agents in virtual time, ties in scheduling order), "virtual-random" (ties and costs perturbed by the seed; virtual times are in the same columns) or "callgrind" (the real engine's code under valgrind's callgrind, `run --count instructions`: instruction counts, every time blank).
    public var engine: EngineLabel = .real
    /// `machine`: Machine profile the virtual engine's agents sat on (`run --machine`; `agingbench machines` lists them): "host" (this machine, every line move at the calibration's measured transfer) in every real-engine row and in rows of schemas before 8.
    public var machine: String = "host"
    /// `placement`: Where the virtual engine put its agents on the machine's CPUs (`run --placement`): "spread" (round-robin across sockets) or "fill" (one socket, domain by domain, first); blank for the real engine (the OS places its threads) and in rows of schemas before 8.
    public var placement: String = ""
    /// `fault_remainder_ns`: Calibrated nanoseconds spent per fault outside every lock.
    public var faultRemainderNanos: Double = 0
    /// `age_remainder_ns`: Calibrated nanoseconds spent per present page an aging pass visits, outside every lock.
    public var ageRemainderNanos: Double = 0
    /// `runnable_threads`: vCPU threads plus the aging thread when it runs beside them.
    public var runnableThreads: Int = 0
    /// `oversubscribed`: 1 when `runnable_threads` exceeds the CPUs the process may use (the scheduler then shares CPUs and lock holders can be preempted), else 0.
    public var oversubscribed: Int = 0
    /// `tlb_entries`: Entries of each vCPU's TLB (`--tlb-entries`); 0: no TLB, every access walks.
    public var tlbEntries: Int = 0
    /// `flush_on_age`: 1 when every aging clear flushed the cleared pages' translations (`--flush-on-age`).
    public var flushOnAge: Int = 0
    /// `populate_s`: Seconds the vCPUs took to fault their memory in (under aging when aging is on).
    public var populateSeconds: Double = 0
    /// `vcpu_wall_s`: Wall-clock seconds of the measured vCPU phase (after populate); 0 with `--aging-only`.
    public var vcpuWallSeconds: Double = 0
    /// `vcpu_cpu_s`: CPU seconds the vCPU threads used (populate and the measured phase), summed over vCPUs.
    public var vcpuCPUSeconds: Double = 0
    /// `accesses`: Guest accesses by all vCPUs, populate included.
    public var accesses: UInt64 = 0
    /// `faults`: Page faults the vCPUs took, populate included.
    public var faults: UInt64 = 0
    /// `fault_p50_ns`: Median fault latency in nanoseconds.
    public var faultP50Nanos: UInt64 = 0
    /// `fault_p99_ns`: 99th percentile fault latency in nanoseconds.
    public var faultP99Nanos: UInt64 = 0
    /// `fault_p999_ns`: 99.9th percentile fault latency in nanoseconds.
    public var faultP999Nanos: UInt64 = 0
    /// `fault_max_ns`: Longest fault in nanoseconds.
    public var faultMaxNanos: UInt64 = 0
    /// `aging_passes`: Completed aging passes over all memory.
    public var agingPasses: Int = 0
    /// `pass_avg_s`: Mean aging pass duration in seconds.
    public var passAverageSeconds: Double = 0
    /// `pages_aged_per_s`: Pages examined by aging per second of pass time.
    public var pagesAgedPerSecond: Double = 0
    /// `limit_pass_s`: Mean pass of the C reference over the same guest, timed beside the
    /// backend's passes (`--aging-only` rows; 0 elsewhere).
    public var limitPassSeconds: Double = 0
    /// `pass_vs_limit`: `pass_avg_s / limit_pass_s` (`--aging-only` rows; 0 elsewhere).
    public var passVsLimit: Double = 0
    /// `notifier_calls`: test_young and clear_young calls made by aging (timed passes only with `--aging-only`).
    public var notifierCalls: UInt64 = 0
    /// `young_pages`: Pages found young by aging, summed over passes.
    public var youngPages: UInt64 = 0
    /// `pages_aged`: Present pages the aging passes visited, summed over passes (every gfn with `costs` raw).
    public var pagesAged: UInt64 = 0
    /// `lock_acquisitions`: Acquisitions of the model's mmu_lock, both sides.
    public var lockAcquisitions: UInt64 = 0
    /// `instructions_per_fault`: Instructions of the populate per fault, counted by callgrind (`run --count instructions`, `engine` callgrind); 0 in every other row.
    public var instructionsPerFault: Double = 0
    /// `instructions_per_aged_page`: Instructions of the timed aging passes per present page they visited, counted by callgrind; 0 in every other row.
    public var instructionsPerAgedPage: Double = 0
    /// `instructions_per_notifier_call`: Instructions of the timed aging passes per test_young/clear_young call, counted by callgrind; 0 in every other row.
    public var instructionsPerNotifierCall: Double = 0
    /// `vcpu_lock_contended`: vCPU acquisitions of mmu_lock that had to wait.
    public var vcpuLockContended: UInt64 = 0
    /// `vcpu_lock_wait_ns`: Total nanoseconds vCPUs waited for mmu_lock.
    public var vcpuLockWaitNanos: UInt64 = 0
    /// `aging_lock_wait_ns`: Total nanoseconds aging waited for mmu_lock.
    public var agingLockWaitNanos: UInt64 = 0
    /// `aging_lock_hold_ns`: Total nanoseconds the aging thread held mmu_lock, either side.
    public var agingLockHoldNanos: UInt64 = 0
    /// `host_lock_wait_ns`: Virtual engine: total nanoseconds vCPUs spent getting the host's locks and shared counters (mmap_lock's count, zone and LRU locks, memcg counter, kvm->stat.pages): queueing and line moves; 0 on real threads.
    public var hostLockWaitNanos: UInt64 = 0
    /// `zone_lock_acquisitions`: Virtual engine: per-CPU pageset refills under the zone lock (one per 63 first touches per vCPU); 0 on real threads.
    public var zoneLockAcquisitions: UInt64 = 0
    /// `lru_lock_acquisitions`: Virtual engine: folio batches drained under the LRU lock (one per 31 first touches per vCPU); 0 on real threads.
    public var lruLockAcquisitions: UInt64 = 0
    /// `memcg_charges`: Virtual engine: charges of the memcg's page counter (one per 64 first touches per vCPU); 0 on real threads.
    public var memcgCharges: UInt64 = 0
    /// `line_moves`: Virtual engine: cache-line moves between CPUs, every shared line; 0 on real threads.
    public var lineMoves: UInt64 = 0
    /// `engine_events`: Virtual engine: the events it ran for the cell (its speed: these per second of wall time); 0 on real threads.
    public var engineEvents: UInt64 = 0
    /// `evictions`: Pages evicted (zapped) because they stayed old.
    public var evictions: UInt64 = 0
    /// `refaults`: Faults on pages evicted earlier.
    public var refaults: UInt64 = 0
    /// `fault_retries`: Faults that found an invalidation had run since their GUP step and retried (`mmu_invalidate_seq`).
    public var faultRetries: UInt64 = 0
    /// `tlb_hits`: vCPU accesses served by their TLB (no walk, no Accessed bit set), populate included.
    public var tlbHits: UInt64 = 0
    /// `tlb_misses`: vCPU accesses that walked the table and filled their TLB (0 without a TLB).
    public var tlbMisses: UInt64 = 0
    /// `shootdowns`: TLB shootdowns issued by aging (evictions' zaps, flushing clears), each waiting for every vCPU.
    public var shootdowns: UInt64 = 0
    /// `shootdown_wait_ns`: Total nanoseconds aging waited for the vCPUs' answers to its shootdowns.
    public var shootdownWaitNanos: UInt64 = 0
    /// `false_old`: Pages an aging pass reported old while a vCPU had used them through its TLB since the previous pass, summed over passes.
    public var falseOld: UInt64 = 0
    /// `false_old_refaults`: Refaults of pages evicted while falsely old.
    public var falseOldRefaults: UInt64 = 0
    /// `pt_bytes`: Page-table bytes the model counts right after populate (table pages, plus the rmap for an rmap backend).
    public var ptBytes: UInt64 = 0
    /// `pt_bytes_jemalloc`: Bytes jemalloc reports allocated in the MMU's table-page arena right after populate (table pages only; 0 under ASan).
    public var ptBytesJemalloc: UInt64 = 0
    /// `host_pt_bytes`: Bytes of the host (primary MMU) page table mapping guest memory, right after populate; 0 with `costs` raw.
    public var hostPTBytes: UInt64 = 0
    /// `folio_bytes`: Bytes of folio records (64 per guest page); 0 with `costs` raw.
    public var folioBytes: UInt64 = 0
    /// `non_a_bit_changes`: Mappings at the end of the run whose bits, Accessed and Dirty aside (parking undone), differ from what the fault path installed; must be 0.
    public var nonABitChanges: UInt64 = 0
    /// `stale_mappings`: Secondary mappings at the end of the run whose host page is not mapped (a zap undone: the guest reaches a page the host gave back); must be 0. Always 0 with `costs` raw.
    public var staleMappings: UInt64 = 0
    /// `stale_accesses`: Walks during the run that found a mapping of a page the host had unmapped (a zap undone, even if a later zap removed the mapping again); must be 0. Always 0 with `costs` raw.
    public var staleAccesses: UInt64 = 0
    /// `use_after_free`: Reads of freed (poisoned) table pages; must be 0. Checked in debug builds only: always 0 in release.
    public var useAfterFree: UInt64 = 0
    /// `request_workload`: The requests the vCPUs served in the measured phase (`run --requests`): "kv" (memcached-like gets and sets) or "chase" (multichase-like dependent loads); blank for the selftest's rounds by `pattern`, and in rows of schemas before 9.
    public var requestWorkload: String = ""
    /// `requests`: Requests completed by all vCPUs; 0 without a request workload.
    public var requests: UInt64 = 0
    /// `requests_per_second`: `requests` over the measured phase's wall time (`vcpu_wall_s`); 0 without requests.
    public var requestsPerSecond: Double = 0
    /// `request_p50_ns`: Median request latency in nanoseconds (HdrHistogram, per vCPU, merged), from its first access issued to its last completed; 0 without requests.
    public var requestP50Nanos: UInt64 = 0
    /// `request_p90_ns`: 90th percentile request latency in nanoseconds; 0 without requests.
    public var requestP90Nanos: UInt64 = 0
    /// `request_p99_ns`: 99th percentile request latency in nanoseconds; 0 without requests.
    public var requestP99Nanos: UInt64 = 0
    /// `request_p999_ns`: 99.9th percentile request latency in nanoseconds; 0 without requests.
    public var requestP999Nanos: UInt64 = 0
    /// `request_p9999_ns`: 99.99th percentile request latency in nanoseconds; 0 without requests.
    public var requestP9999Nanos: UInt64 = 0
    /// `request_max_ns`: Longest request in nanoseconds; 0 without requests.
    public var requestMaxNanos: UInt64 = 0
    /// `vms`: Guests the cell's vCPUs were split among (`run --vms`), each with its own secondary MMU and mmu_lock; 1 in rows of schemas before 9.
    public var vms: Int = 1
    /// `host_memory_pages`: The host's memory budget in 4 KiB pages (`run --host-memory`, `--overcommit`); 0: no budget (every row of schemas before 9).
    public var hostMemoryPages: UInt64 = 0
    /// `swap`: Where evicted pages went under a budget (`run --swap`): "zram", "optane" or "nvme"; blank without a budget.
    public var swap: String = ""
    /// `peak_resident_pages`: The most guest pages resident at once under a budget (never above the budget less its min watermark); 0 without one.
    public var peakResidentPages: UInt64 = 0
    /// `allocation_stalls`: Faults that found no frame within the budget and waited for kswapd; 0 without one.
    public var allocationStalls: UInt64 = 0
    /// `allocation_stall_ns`: Virtual engine: total nanoseconds faults waited for a frame; 0 on real threads and without a budget.
    public var allocationStallNanos: UInt64 = 0
    /// `victims_checked`: Pages reclaim took from the oldest generation and checked for a reference (`folio_referenced`: `clear_young` on the host PTE and the secondary MMU) before evicting, with the eviction-only driver's checks.
    public var victimsChecked: UInt64 = 0
    /// `victims_referenced`: Of those, pages found young and kept (moved to the youngest generation).
    public var victimsReferenced: UInt64 = 0
    /// `aging_lock_acquisitions`: Acquisitions of mmu_lock by the aging thread (and kswapd's evictions: a zap and invalidate_range_end each), either side.
    public var agingLockAcquisitions: UInt64 = 0
}

extension RunRecord {
    /// A row with every column at its default, for other modules to fill: the initialisers Swift
    /// synthesises from the defaults (`init()` and the memberwise one) are internal, and
    /// declaring a public `init()` would remove the memberwise one tests build rows with.
    public static var empty: RunRecord { RunRecord() }
}
