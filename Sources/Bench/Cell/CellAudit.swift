import Core

/// What a cell's end state says about the backend's correctness, checked once for both engines
/// after every agent has stopped.
///
/// Contract: `identityViolations` counts leaves whose bits other than Accessed changed (the
/// `non_a_bit_changes` column); `staleMappings` counts secondary mappings whose host page is not
/// mapped at the end (0 without a host side); `staleAccesses` the vCPUs' walks that reached such
/// a page during the run; `useAfterFreeReads` the MMU's reads of freed table pages.
struct CellAudit {
    var identityViolations = 0
    var staleMappings = 0
    var staleAccesses: UInt64 = 0
    var useAfterFreeReads = 0

    init() {}

    /// Every guest's MMU audited over its own gfns.
    init<MMU: SecondaryMMU>(_ setup: CellSetup<MMU>, staleAccesses: UInt64) {
        let host = setup.host
        for (index, mmu) in setup.mmus.enumerated() {
            let own = GFNRange(start: UInt64(index) * setup.pagesPerGuest, count: setup.pagesPerGuest)
            let auditor = mmu.makeThread(role: .aging)
            identityViolations += mmu.identityViolations(in: own, thread: auditor)
            if let host {
                mmu.forEachMapping(in: own, thread: auditor) { gfn, _ in
                    if !host.memory.isPresent(gfn) { staleMappings += 1 }
                }
            }
            auditor.retire()
            useAfterFreeReads += mmu.useAfterFreeReads
        }
        self.staleAccesses = staleAccesses
    }
}

/// A cell's page-table bytes, sampled once every vCPU has populated (before any work or
/// `--aging-only` pass), in both engines.
struct TableBytes {
    var secondary = 0
    var jemalloc = 0
    var host = 0

    init() {}

    init<MMU: SecondaryMMU>(mmus: [MMU], host: HostSide?) {
        secondary = mmus.reduce(0) { $0 + $1.pageTableBytes }
        jemalloc = mmus.reduce(0) { $0 + $1.jemallocTableBytes }
        self.host = host?.memory.tableBytes ?? 0
    }
}
