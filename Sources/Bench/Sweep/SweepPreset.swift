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

    public var backends: String {
        switch self {
        case .virtualSeries: "x86-tdp,x86-tdp-nobitmap,baseline,arm64-stage2"
        case .paper: "x86-tdp,x86-tdp-nobitmap,baseline"
        }
    }

    public var memory: String {
        switch self {
        case .virtualSeries: "8M"
        case .paper: "1G"
        }
    }

    public var vcpus: String { "1,2,4,8,16,32,64,112" }

    /// Where the results go when `--output` is not given: on a machine profile other than
    /// `host` the file name carries the profile's, so one profile's run never replaces another's.
    public func output(_ format: OutputFormat, machine: MachineProfile = .host) -> String {
        let stem = switch self {
        case .virtualSeries: "results/latest-virtual"
        case .paper: "results/paper"
        }
        let suffix = machine == .host ? "" : "-\(machine.name)"
        return "\(stem)\(suffix).\(format.fileExtension)"
    }
}
