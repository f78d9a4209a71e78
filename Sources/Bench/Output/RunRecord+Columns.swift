extension RunRecord {
    /// Every column in file order with the property that holds it: the single source of both the
    /// header and the rows, so the two cannot drift apart.
    public static let columnTable: [Column] = [
        Column("schema", .int(\.schema)),
        Column("timestamp", .string(\.timestamp)),
        Column("commit", .string(\.commit)),
        Column("host", .string(\.host)),
        Column("cpu", .string(\.cpu)),
        Column("cores", .int(\.cores)),
        Column("build", .string(\.build)),
        Column("backend", .string(\.backend)),
        Column("variant", .string(\.variant)),
        Column("memory_per_vcpu_bytes", .uint(\.memoryPerVCPUBytes)),
        Column("vcpus", .int(\.vcpus)),
        Column("aging", .string(\.aging)),
        Column("pattern", .string(\.pattern)),
        Column("write_percent", .int(\.writePercent)),
        Column("seed", .uint(\.seed)),
        Column("repetition", .int(\.repetition)),
        Column("populate_s", .double(\.populateSeconds)),
        Column("vcpu_wall_s", .double(\.vcpuWallSeconds)),
        Column("accesses", .uint(\.accesses)),
        Column("faults", .uint(\.faults)),
        Column("fault_p50_ns", .uint(\.faultP50Nanos)),
        Column("fault_p99_ns", .uint(\.faultP99Nanos)),
        Column("fault_p999_ns", .uint(\.faultP999Nanos)),
        Column("fault_max_ns", .uint(\.faultMaxNanos)),
        Column("aging_passes", .int(\.agingPasses)),
        Column("pass_avg_s", .double(\.passAverageSeconds)),
        Column("pages_aged_per_s", .double(\.pagesAgedPerSecond)),
        Column("limit_pass_s", .double(\.limitPassSeconds)),
        Column("pass_vs_limit", .double(\.passVsLimit)),
        Column("notifier_calls", .uint(\.notifierCalls)),
        Column("young_pages", .uint(\.youngPages)),
        Column("lock_acquisitions", .uint(\.lockAcquisitions)),
        Column("vcpu_lock_contended", .uint(\.vcpuLockContended)),
        Column("vcpu_lock_wait_ns", .uint(\.vcpuLockWaitNanos)),
        Column("aging_lock_wait_ns", .uint(\.agingLockWaitNanos)),
        Column("aging_lock_hold_ns", .uint(\.agingLockHoldNanos)),
        Column("evictions", .uint(\.evictions)),
        Column("refaults", .uint(\.refaults)),
        Column("pt_bytes", .uint(\.ptBytes)),
        Column("pt_bytes_jemalloc", .uint(\.ptBytesJemalloc)),
        Column("non_a_bit_changes", .uint(\.nonABitChanges)),
        Column("use_after_free", .uint(\.useAfterFree)),
    ]

    /// The CSV column names, in file order.
    public static var columns: [String] { columnTable.map(\.name) }

    /// This record's values, in column order.
    public var values: [Value] { Self.columnTable.map { $0.value(of: self) } }
}
