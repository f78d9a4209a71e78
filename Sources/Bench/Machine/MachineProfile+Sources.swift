extension MachineProfile {
    /// The commit of KCORES/core-to-core-latency-plus the matrices in `machines/core-to-core/` were
    /// copied from.
    static let coreToCoreCommit = "264ea0a1f68a"

    /// The citation of one published core-to-core matrix: file, repository and commit.
    static func coreToCoreSource(_ file: String) -> String {
        "core-to-core matrix '\(file)', KCORES/core-to-core-latency-plus results/ at \(coreToCoreCommit) "
            + "(MIT; copy in machines/core-to-core/)"
    }

    /// How every matrix-based profile turns its matrix into three figures, and why.
    static let summarySource = "summary by class (median), not the full matrix: placement needs only the "
        + "domain and socket structure, and single pairs carry measurement noise (Scripts/machine-latencies.py)"
}
