extension MachineProfile {
    /// Two Intel Xeon Platinum 8358 (Ice Lake-SP, 32 cores each), 64 CPUs without SMT siblings.
    ///
    /// From its published core-to-core matrix: CPUs 0–31 are one socket and 32–63 the other (no
    /// pair between 60.0 and 96.0 ns splits them there); a socket is one mesh with one L3 and no
    /// faster group inside it, so one domain per socket. Figures are the median of each class of
    /// pairs (`Scripts/machine-latencies.py`); `acrossDomains` repeats `withinDomain` and is never
    /// charged, the sockets having one domain each.
    public static let xeon8358 = MachineProfile(
        name: "xeon-8358-2s",
        summary: "2 x Intel Xeon Platinum 8358 (Ice Lake-SP), 32 cores per socket, one L3 per socket",
        sockets: 2, domainsPerSocket: 1, cpusPerDomain: 32,
        latencies: Latencies(withinDomain: 51.1, acrossDomains: 51.1, acrossSockets: 110.9),
        sources: [
            MachineProfile.coreToCoreSource("Dual Intel Xeon Platinum 8358 CPU 2.60GHz by-leavelet.csv"),
            MachineProfile.summarySource,
        ])
}
