extension CompareMetric {
    /// Every metric `compare` judges, in the order reports list them. Columns without a direction
    /// (accesses, faults, passes, young pages, evictions: they describe the workload or follow the
    /// aging policy) and columns this version does not know are not judged.
    public static let catalog: [CompareMetric] = [
        .column("pass_vs_limit", .lowerIsBetter, unit: "×", gates: true,
                summary: "an --aging-only pass over the C reference's pass over the same guest, timed side by side",
                when: { ($0.number("limit_pass_s") ?? 0) > 0 }),
        // Not in the gate: under load from other processes a write-locked per-page backend slows
        // far more than a lockless bitmap one, so this ratio moves 2-3x with the machine's load
        // (the A/A record in docs/ci-gate.md).
        CompareMetric("pass_avg_vs_reference", .lowerIsBetter, unit: "×",
                      summary: "an --aging-only pass over the reference backend's pass in the same run and repetition") { row, runs, reference in
            guard row.aging == .only, row["backend"] != reference,
                  let pass = row.number("pass_avg_s"),
                  let other = runs.partner(of: row, backend: reference)?.number("pass_avg_s") else { return nil }
            return ratio(pass, other)
        },
        CompareMetric("populate_on_vs_off", .lowerIsBetter, unit: "×", gates: true,
                      summary: "populate under aging over populate without, same backend, run and repetition") { row, runs, _ in
            guard row.aging == .on, let on = row.number("populate_s"),
                  let off = runs.partner(of: row, aging: .off)?.number("populate_s") else { return nil }
            return ratio(on, off)
        },
        CompareMetric("populate_vs_reference", .lowerIsBetter, unit: "×", gates: true,
                      summary: "populate over the reference backend's populate in the same run, repetition and aging setting") { row, runs, reference in
            guard row.aging == .on || row.aging == .off, row["backend"] != reference,
                  let populate = row.number("populate_s"),
                  let other = runs.partner(of: row, backend: reference)?.number("populate_s") else { return nil }
            return ratio(populate, other)
        },
        .column("instructions_per_aged_page", .lowerIsBetter, unit: "instructions", gates: true, exact: true,
                summary: "instructions of the aging passes per present page visited (callgrind, run --count instructions)",
                when: { ($0.number("instructions_per_aged_page") ?? 0) > 0 }),
        .column("instructions_per_notifier_call", .lowerIsBetter, unit: "instructions", gates: true, exact: true,
                summary: "instructions of the aging passes per test_young/clear_young call (callgrind)",
                when: { ($0.number("instructions_per_notifier_call") ?? 0) > 0 }),
        .column("instructions_per_fault", .lowerIsBetter, unit: "instructions", gates: true, exact: true,
                summary: "instructions of the populate per fault (callgrind)",
                when: { ($0.number("instructions_per_fault") ?? 0) > 0 }),
        CompareMetric("notifier_calls_per_pass", .lowerIsBetter, unit: "calls/pass", gates: true, exact: true,
                      summary: "test_young/clear_young calls per --aging-only pass (an exact count)") { row, _, _ in
            perPass(row, "notifier_calls")
        },
        CompareMetric("lock_acquisitions_per_pass", .lowerIsBetter, unit: "acquisitions/pass", gates: true, exact: true,
                      summary: "mmu_lock acquisitions per --aging-only pass, populate's included (an exact count)") { row, _, _ in
            perPass(row, "lock_acquisitions")
        },
        .column("refaults", .lowerIsBetter, unit: "faults", summary: "faults on pages evicted earlier (how many passes ran while the vCPUs worked decides it: timing, not an exact count, with real threads)"),
        .column("non_a_bit_changes", .lowerIsBetter, unit: "mappings", gates: true, summary: "data loss: must stay 0"),
        .column("stale_mappings", .lowerIsBetter, unit: "mappings", gates: true, summary: "undone zaps: must stay 0"),
        .column("stale_accesses", .lowerIsBetter, unit: "accesses", gates: true, summary: "walks through undone zaps: must stay 0"),
        .column("use_after_free", .lowerIsBetter, unit: "reads", gates: true, summary: "freed table pages read: must stay 0"),
        .column("populate_s", .lowerIsBetter, unit: "s", summary: "seconds to fault all memory in"),
        .column("vcpu_wall_s", .lowerIsBetter, unit: "s", summary: "seconds of the access phase",
                when: { $0.aging != .only }),
        .column("pass_avg_s", .lowerIsBetter, unit: "s", summary: "mean aging pass",
                when: { ($0.number("aging_passes") ?? 0) > 0 }),
        .column("pages_aged_per_s", .higherIsBetter, unit: "pages/s", summary: "guest pages per second of pass",
                when: { ($0.number("aging_passes") ?? 0) > 0 }),
        .column("fault_p50_ns", .lowerIsBetter, unit: "ns", summary: "median fault latency"),
        .column("fault_p99_ns", .lowerIsBetter, unit: "ns", summary: "99th percentile fault latency"),
        .column("fault_p999_ns", .lowerIsBetter, unit: "ns", summary: "99.9th percentile fault latency"),
        .column("requests_per_second", .higherIsBetter, unit: "requests/s", summary: "requests served per second of the access phase (run --requests)",
                when: { ($0.number("requests") ?? 0) > 0 }),
        .column("request_p99_ns", .lowerIsBetter, unit: "ns", summary: "99th percentile request latency (run --requests)",
                when: { ($0.number("requests") ?? 0) > 0 }),
        .column("request_p999_ns", .lowerIsBetter, unit: "ns", summary: "99.9th percentile request latency (run --requests)",
                when: { ($0.number("requests") ?? 0) > 0 }),
        .column("vcpu_lock_contended", .lowerIsBetter, unit: "acquisitions", summary: "vCPU acquisitions of mmu_lock that waited"),
        .column("vcpu_lock_wait_ns", .lowerIsBetter, unit: "ns", summary: "vCPU wait for mmu_lock"),
        .column("aging_lock_wait_ns", .lowerIsBetter, unit: "ns", summary: "aging's wait for mmu_lock"),
        .column("aging_lock_hold_ns", .lowerIsBetter, unit: "ns", summary: "aging's hold of mmu_lock"),
        .column("fault_retries", .lowerIsBetter, unit: "faults", summary: "faults retried after an invalidation"),
        .column("pt_bytes", .lowerIsBetter, unit: "bytes", summary: "page-table bytes after populate"),
        .column("pt_bytes_jemalloc", .lowerIsBetter, unit: "bytes", summary: "jemalloc's page-table bytes after populate"),
    ]

    /// The metric called `name`, if any.
    public static func named(_ name: String) -> CompareMetric? {
        catalog.first { $0.name == name }
    }

    /// The metrics in the default gate.
    public static var defaultGate: [String] {
        catalog.filter(\.gatesByDefault).map(\.name)
    }

    private static func ratio(_ numerator: Double, _ denominator: Double) -> Double? {
        denominator > 0 && numerator.isFinite ? numerator / denominator : nil
    }

    /// A count per pass of an --aging-only row: there every pass covers all of populated memory,
    /// so the count per pass is exact; under populate it would measure how far populate had got.
    private static func perPass(_ row: ResultRow, _ column: String) -> Double? {
        guard row.aging == .only, let passes = row.number("aging_passes"), passes > 0,
              let count = row.number(column) else { return nil }
        return count / passes
    }
}
