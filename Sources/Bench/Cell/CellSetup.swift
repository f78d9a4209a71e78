import Core

/// One cell's world, set up once for either engine: the MMU, the host side, the vCPUs' TLBs,
/// the driver mode, and the agents made from them.
///
/// Contract: the MMU is fresh and empty; the host side is the engine's (`CellEngine.makeHostSide`)
/// or nil for the bare secondary MMU; every agent an engine runs comes from here.
struct CellSetup<MMU: SecondaryMMU> {
    let cell: SweepCell
    let mmu: MMU
    let host: HostSide?
    let settings: WorkloadSettings
    let mode: DriverMode
    let remote: RemoteTLBs?
    let pagesPerVCPU: UInt64
    let guestPages: UInt64

    init(cell: SweepCell, mmu: MMU, host: HostSide?, settings: WorkloadSettings) {
        self.cell = cell
        self.mmu = mmu
        self.host = host
        self.settings = settings
        mode = settings.driver ?? DriverMode.kernelDefault(for: mmu.capabilities)
        pagesPerVCPU = cell.memoryPerVCPU.bytes / GuestMemory.pageBytes
        guestPages = pagesPerVCPU * UInt64(cell.vcpus)
        remote = settings.tlbEntries > 0
            ? RemoteTLBs(vcpus: cell.vcpus, entries: settings.tlbEntries, gfnCount: guestPages) : nil
    }

    /// Whether the aging thread runs beside the vCPUs (with `--aging-only` it runs after them).
    var agingRunsAlongside: Bool { cell.aging && !settings.agingOnly }

    /// The vCPUs plus the aging thread when it runs beside them.
    var runnableThreads: Int { cell.vcpus + (agingRunsAlongside ? 1 : 0) }

    /// Whether aging's clears flush the vCPUs' TLBs.
    var flushesOnAge: Bool { settings.flushOnAge && remote != nil }

    /// Whether the host can unmap a page while it is mapped: aging evicts, or the VMM unmaps.
    var hostUnmaps: Bool { host != nil && (settings.evictAfter > 0 || settings.unmapEveryNanos > 0) }

    func makeVCPU(_ index: Int) -> VCPU<MMU> {
        VCPU(mmu: mmu, index: index, pages: pagesPerVCPU, settings: settings, repetition: cell.repetition,
             host: host, tlb: remote?.tlb(index), checksStaleAccesses: hostUnmaps)
    }

    func makeAgingDriver() -> AgingDriver<MMU> {
        AgingDriver(
            mmu: mmu, thread: mmu.makeThread(role: .aging), guestPages: guestPages,
            windowPages: settings.windowPages, evictAfter: settings.evictAfter, mode: mode, host: host,
            remote: remote, flushOnAge: flushesOnAge)
    }

    /// The VMM's unmapping agent, when `--unmap-every` asks for one and there is a host side.
    func makeUnmapper() -> Unmapper<MMU>? {
        guard settings.unmapEveryNanos > 0, let host else { return nil }
        return Unmapper(mmu: mmu, host: host, remote: remote, guestPages: guestPages, interval: settings.unmapEveryNanos)
    }
}
