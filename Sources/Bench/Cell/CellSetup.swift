import Core

/// One cell's world, set up once for either engine: the MMU, the host side, the vCPUs' TLBs,
/// the driver mode, and the agents made from them.
///
/// Contract: the MMUs are fresh and empty, one per guest (`--vms`): guest *k* owns the vCPUs
/// [k × `vcpusPerGuest`, (k + 1) × `vcpusPerGuest`) and their gfns; the host side is the
/// engine's (`CellEngine.makeHostSide`), shared by every guest, or nil for the bare secondary
/// MMU; every agent an engine runs comes from here.
struct CellSetup<MMU: SecondaryMMU> {
    let cell: SweepCell
    let mmus: [MMU]
    let host: HostSide?
    let settings: WorkloadSettings
    let mode: DriverMode
    let remote: RemoteTLBs?
    let pagesPerVCPU: UInt64
    let guestPages: UInt64

    init(cell: SweepCell, mmu: MMU, host: HostSide?, settings: WorkloadSettings, others: [MMU] = []) {
        precondition(cell.vcpus % (1 + others.count) == 0, "every guest has the same number of vCPUs")
        self.cell = cell
        mmus = [mmu] + others
        self.host = host
        self.settings = settings
        mode = settings.driver ?? DriverMode.kernelDefault(for: mmu.capabilities)
        pagesPerVCPU = cell.memoryPerVCPU.bytes / GuestMemory.pageBytes
        guestPages = pagesPerVCPU * UInt64(cell.vcpus)
        remote = settings.tlbEntries > 0
            ? RemoteTLBs(vcpus: cell.vcpus, entries: settings.tlbEntries, gfnCount: guestPages) : nil
    }

    /// The first guest's MMU (the only one with one guest).
    var mmu: MMU { mmus[0] }
    var vcpusPerGuest: Int { cell.vcpus / mmus.count }
    var pagesPerGuest: UInt64 { pagesPerVCPU * UInt64(vcpusPerGuest) }

    /// The guest vCPU `index` belongs to, and the guest that owns `gfn`.
    func guest(ofVCPU index: Int) -> Int { index / vcpusPerGuest }
    func guest(ofGFN gfn: UInt64) -> Int { pagesPerGuest == 0 ? 0 : min(Int(gfn / pagesPerGuest), mmus.count - 1) }

    /// Whether the aging thread runs beside the vCPUs (with `--aging-only` it runs after them).
    var agingRunsAlongside: Bool { cell.aging && !settings.agingOnly }

    /// The vCPUs plus the aging thread when it runs beside them.
    var runnableThreads: Int { cell.vcpus + (agingRunsAlongside ? 1 : 0) }

    /// Whether aging's clears flush the vCPUs' TLBs.
    var flushesOnAge: Bool { settings.flushOnAge && remote != nil }

    /// Whether the host can unmap a page while it is mapped: aging evicts, or the VMM unmaps.
    var hostUnmaps: Bool {
        host != nil && (settings.evictAfter > 0 || settings.unmapEveryNanos > 0 || host?.memory.budget != nil)
    }

    func makeVCPU(_ index: Int) -> VCPU<MMU> {
        VCPU(mmu: mmus[guest(ofVCPU: index)], index: index, pages: pagesPerVCPU, settings: settings, repetition: cell.repetition,
             host: host, tlb: remote?.tlb(index), checksStaleAccesses: hostUnmaps)
    }

    func makeAgingDriver() -> AgingDriver<MMU> {
        AgingDriver(
            mmu: mmu, thread: mmu.makeThread(role: .aging), guestPages: guestPages,
            windowPages: settings.windowPages, evictAfter: settings.evictAfter, mode: mode, host: host,
            remote: remote, flushOnAge: flushesOnAge, others: Array(mmus.dropFirst()))
    }

    /// The VMM's unmapping agent, when `--unmap-every` asks for one and there is a host side.
    func makeUnmapper() -> Unmapper<MMU>? {
        guard settings.unmapEveryNanos > 0, let host else { return nil }
        return Unmapper(mmus: mmus, host: host, remote: remote, guestPages: guestPages, interval: settings.unmapEveryNanos)
    }
}
