/// The `engine` column: what produced a row's numbers.
///
/// Contract: raw values are the CSV text and never change within a schema version; a file
/// written before the column existed means `real`. `description` is the raw value.
public enum EngineLabel: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Threads on the machine's CPUs.
    case real
    /// Agents in virtual time, ties in scheduling order.
    case virtual
    /// Agents in virtual time, ties and costs perturbed by the seed.
    case virtualRandom = "virtual-random"
    /// The real engine's code under valgrind's callgrind: instruction counts, every time blank.
    case callgrind

    /// Whether the numbers are virtual time, which one seed fixes exactly (either schedule).
    public var isVirtualTime: Bool {
        switch self {
        case .virtual, .virtualRandom: true
        case .real, .callgrind: false
        }
    }

    public var description: String { rawValue }
}
