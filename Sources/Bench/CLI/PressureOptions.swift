import ArgumentParser
import Core
import Results

/// `--host-memory`, `--overcommit`, `--swap` and `--vms`: the host's memory budget below the
/// guests' footprint, where evicted pages go, and how many guests share the host.
///
/// Contract: without `--host-memory` or `--overcommit` there is no budget and the aging thread
/// passes back to back as the selftest's does; `--swap` needs a budget (it would be ignored), and
/// `--evict-after` is another eviction policy, refused beside one. Every budget must lie below
/// every cell's footprint (memory per vCPU × vCPUs), and every vCPU count must split evenly among
/// the VMs. Each failure is one line naming the bad value.
struct PressureOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Host memory the guests may use, below their footprint (K/M/G/T suffix): kswapd reclaims in MGLRU order at the kernel's watermarks, evictions invalidate the secondary MMU and refaults pay --swap's swap-in.")
    var hostMemory: String?
    @Option(parsing: .unconditional, help: "Host memory as the guests' footprint divided by this ratio, above 1 (1.5: the guests have 1.5x the host's memory); instead of --host-memory.")
    var overcommit: Double?
    @Option(parsing: .unconditional, help: "Where evicted pages go, with --host-memory or --overcommit: zram (LZ4; the default), optane or nvme.")
    var swap: SwapDevice?
    @Option(parsing: .unconditional, help: "Guests sharing the host (default 1): each cell's vCPUs split evenly among them, each with its own secondary MMU and mmu_lock, one memory and one aging thread for all.")
    var vms: Int?

    static let maximumVMs = 256

    /// Sets the budget, the swap device and the guests in `settings`, checked against every
    /// cell of the grid (`memorySizes` × `vcpuCounts`).
    func apply(
        memorySizes: [ByteSize], vcpuCounts: [Int], aging: [Bool], preset: SweepPreset? = nil, hostSide: Bool,
        to settings: inout WorkloadSettings
    ) throws(InputError) {
        if let vms {
            guard (1...Self.maximumVMs).contains(vms) else {
                throw InputError("--vms \(vms) is out of range: expected 1 to \(Self.maximumVMs)")
            }
            if let uneven = vcpuCounts.first(where: { $0 % vms != 0 }) {
                throw InputError("--vms \(vms) does not split \(uneven) vCPUs evenly: give vCPU counts that are multiples of it")
            }
            settings.vms = vms
        }
        let limit = try checkedLimit() ?? preset?.hostMemory
        if swap != nil && limit == nil {
            throw InputError("--swap says where evicted pages go; without --host-memory or --overcommit nothing is evicted (add one)")
        }
        guard let limit else { return }
        guard hostSide else { throw InputError("--host-memory and --overcommit limit the host side; --costs raw has none") }
        // The same check every cell's run makes (`CellRunner.budget`), up front for the grid.
        for size in memorySizes {
            for vcpus in vcpuCounts { _ = try CellRunner.budget(limit, guestPages: size.pages * UInt64(vcpus)) }
        }
        if aging.contains(false) {
            throw InputError("under --host-memory or --overcommit the aging thread is kswapd; --aging off would leave nothing to reclaim (use --aging on)")
        }
        if settings.agingOnly {
            throw InputError("--aging-only times passes over memory that fits; --host-memory and --overcommit need the vCPU phase (drop one)")
        }
        if settings.evictAfter > 0 {
            throw InputError("--evict-after is an eviction policy of its own; under --host-memory or --overcommit kswapd evicts (drop --evict-after)")
        }
        settings.hostMemory = limit
        settings.swap = swap ?? settings.swap
    }

    private func checkedLimit() throws(InputError) -> HostMemoryLimit? {
        switch (hostMemory, overcommit) {
        case (nil, nil): return nil
        case (.some, .some): throw InputError("--host-memory and --overcommit both set the host's memory: give one")
        case (.some(let text), nil): return .bytes(try ByteSize(parsing: text).bytes)
        case (nil, .some(let ratio)):
            guard ratio.isFinite, ratio > 1, ratio <= 1000 else {
                throw InputError("invalid --overcommit '\(ratio)': expected a ratio above 1 (the guests' footprint over the host's memory), at most 1000")
            }
            return .overcommit(ratio)
        }
    }
}

extension SwapDevice: ExpressibleByArgument {}
