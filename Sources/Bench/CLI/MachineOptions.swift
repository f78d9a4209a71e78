import ArgumentParser
import Results

/// `--machine` and `--placement`: the machine profile the virtual engine's agents sit on, and how.
///
/// Contract: both stay nil when not given, so a run without them keeps `WorkloadSettings`' defaults
/// (`host`, spread). A machine name is checked against `MachineProfiles`; a profile other than
/// `host`, and any `--placement`, need the virtual engine: real threads run on this machine's CPUs,
/// wherever a profile would put them, so the option would be ignored and is refused instead.
struct MachineOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Virtual engine: the machine profile the agents sit on and whose cache-line moves they pay (default host; `agingbench machines` lists them).")
    var machine: String?
    @Option(parsing: .unconditional, help: "Virtual engine: spread (agents round-robin across the profile's sockets; the default) or fill (one socket's CPUs, domain by domain, before the next).")
    var placement: Placement?

    /// Sets `settings.machine` and `settings.placement` from the options, refusing a name no
    /// profile has and what the real engine cannot honour.
    ///
    /// - Parameters:
    ///   - engine: the engine the run uses (`--engine`, or the preset's).
    func apply(engine: Engine, to settings: inout WorkloadSettings) throws(InputError) {
        if let machine {
            guard let profile = MachineProfiles.named(machine) else {
                throw InputError("unknown machine '\(machine)' (known: \(MachineProfiles.all.map(\.name).joined(separator: ", ")))")
            }
            if engine == .real && profile != .host {
                throw InputError("--machine \(machine) places the virtual engine's agents; --engine real runs threads on this machine's CPUs (add --engine virtual, or --machine host)")
            }
            settings.machine = profile
        }
        if let placement {
            guard engine == .virtual else {
                throw InputError("--placement places the virtual engine's agents; --engine real runs threads where the OS puts them (add --engine virtual)")
            }
            settings.placement = placement
        }
    }
}
