extension MachineProfile {
    /// AWS Graviton2 (64 Neoverse N1 cores, one socket, one mesh), as a c6gd.metal instance.
    ///
    /// From its published core-to-core matrix: every pair moves a line in 30–58 ns with no faster
    /// group (CPUs 2k and 2k+1, a median of 42.0 ns, overlap the rest), so one domain of 64 CPUs.
    /// The figure is the median of every pair (`Scripts/machine-latencies.py`); `acrossDomains`
    /// and `acrossSockets` repeat it and are never charged.
    public static let graviton2 = MachineProfile(
        name: "graviton2",
        summary: "AWS Graviton2 (c6gd.metal): 64 Neoverse N1 cores, one socket, one mesh",
        sockets: 1, domainsPerSocket: 1, cpusPerDomain: 64,
        latencies: .uniform(47.2),
        sources: [
            MachineProfile.coreToCoreSource("AWS Graviton2 from-AWS-c6gd.metal by-nviennot.csv"),
            MachineProfile.summarySource,
        ])
}
