import Results

/// A named grid for `run --preset`: the values of the grid options a user did not give.
///
/// Contract: a preset fills only options left out; it runs the virtual engine (its grids go
/// beyond this machine's cores) with one repetition (the engine is deterministic).
public enum SweepPreset: String, Sendable, CaseIterable {
    /// The default sweep's virtual series: vCPU counts up to the paper's 112 on small guests.
    case virtualSeries = "virtual-series"
    /// The published grid: 1 GiB per vCPU, 1–112 vCPUs, the x86 TDP MMU with and without the
    /// bitmap and the pre-series baseline.
    case paper
    /// Guests under memory pressure (docs/pressure.md): memcached-like requests at 1.5×
    /// overcommit, 8, 32 and 64 vCPUs, the write-locked and the lockless backends, aging on
    /// (kswapd).
    case pressure

    public var backends: String {
        switch self {
        case .virtualSeries: "x86-tdp,x86-tdp-nobitmap,baseline,arm64-stage2"
        case .paper: "x86-tdp,x86-tdp-nobitmap,baseline"
        case .pressure: "baseline,x86-tdp,x86-tdp-nobitmap,arm64-stage2,arm64-stage2-wrlock"
        }
    }

    public var memory: String {
        switch self {
        case .virtualSeries: "8M"
        case .paper: "1G"
        case .pressure: "256M"
        }
    }

    public var vcpus: String {
        switch self {
        case .virtualSeries, .paper: "1,2,4,8,16,32,64,112"
        case .pressure: "8,32,64"
        }
    }

    /// `--aging`, when the preset sets it: under pressure the aging thread is kswapd, always on.
    public var aging: String? { self == .pressure ? "on" : nil }

    /// `--requests`, when the preset sets it.
    public var requests: RequestWorkload? { self == .pressure ? .keyValue : nil }

    /// `--overcommit`, when the preset sets it: the guests have 1.5× the host's memory, the
    /// overcommit of the series' 64-microVM result.
    public var hostMemory: HostMemoryLimit? { self == .pressure ? .overcommit(1.5) : nil }

    /// Where the results go when `--output` is not given: on a machine profile other than
    /// `host` the file name carries the profile's, so one profile's run never replaces another's.
    public func output(_ format: OutputFormat, machine: MachineProfile = .host) -> String {
        let stem = switch self {
        case .virtualSeries: "results/latest-virtual"
        case .paper: "results/paper"
        case .pressure: "results/pressure"
        }
        let suffix = machine == .host ? "" : "-\(machine.name)"
        return "\(stem)\(suffix).\(format.fileExtension)"
    }
}
