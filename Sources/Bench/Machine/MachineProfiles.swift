/// The machine profiles `run --machine` names and `agingbench machines` lists.
///
/// Contract: `all` is the single explicit list, `host` first, one line per profile, names unique;
/// adding a machine is one file in `Profiles/` and one line here.
public enum MachineProfiles {
    public static let all: [MachineProfile] = [
        .host,
        .xeon8358,
        .epyc9654,
        .altraQ80,
        .graviton2,
    ]

    /// The profile called `name`, or nil when none is.
    public static func named(_ name: String) -> MachineProfile? {
        all.first { $0.name == name }
    }
}
