extension MachineProfile {
    /// One socket of a dual Ampere Altra Q80-30 (80 Neoverse N1 cores), NUMA on: the 80 CPUs its
    /// published matrix measures, in 40 pairs.
    ///
    /// From the matrix: CPUs 2k and 2k+1 move a line in 68–97 ns, every other pair in 120–211 ns
    /// (nothing between), so the domains are those pairs; no socket-sized block shows (the two
    /// halves of the numbering: 155.4 ns within, 159.8 ns across), so the 80 CPUs are one
    /// socket's 80 cores and the second socket is not in the file. Figures are the median of each
    /// class (`Scripts/machine-latencies.py`). No across-socket figure was measured:
    /// `acrossSockets` repeats `acrossDomains` and is never charged, the profile having one socket.
    public static let altraQ80 = MachineProfile(
        name: "altra-q80",
        summary: "Ampere Altra Q80-30, one socket of a dual machine: 80 Neoverse N1 cores in pairs",
        sockets: 1, domainsPerSocket: 40, cpusPerDomain: 2,
        latencies: Latencies(withinDomain: 83.4, acrossDomains: 157.6, acrossSockets: 157.6),
        sources: [
            MachineProfile.coreToCoreSource("Dual Ampere Altra Processor Q80-30 CPU 3.0GHz by-zeroping.csv"),
            MachineProfile.summarySource,
        ])
}
