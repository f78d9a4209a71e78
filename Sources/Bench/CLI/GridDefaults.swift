/// What one command's shared grid options (`GridOptions`) mean when left out.
protocol GridDefaults {
    /// The vCPU counts, as a user would type them.
    static var vcpus: String { get }
    /// The repetitions of the grid.
    static var repetitions: Int { get }
}
