import Results

extension EngineLabel {
    /// The `engine` column of a cell `engine` ran, the virtual one under `schedule`.
    init(_ engine: Engine, schedule: Schedule) {
        switch (engine, schedule) {
        case (.real, _): self = .real
        case (.virtual, .deterministic): self = .virtual
        case (.virtual, .random): self = .virtualRandom
        }
    }
}
