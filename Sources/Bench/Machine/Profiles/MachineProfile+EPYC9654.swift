extension MachineProfile {
    /// Two AMD EPYC 9654 (Genoa, 96 cores each), 192 CPUs without SMT siblings, twelve CCXs of
    /// eight cores (one L3 each) per socket.
    ///
    /// From its published core-to-core matrix: CPUs 0–95 are one socket and 96–191 the other (no
    /// pair between 153.6 and 182.8 ns), and every run of eight CPUs from 0 is a CCX (no pair
    /// between 33.9 and 85.2 ns). Figures are the median of each class of pairs
    /// (`Scripts/machine-latencies.py`); across CCXs, groups of three CCXs are a little closer
    /// (about 85–89 ns against 90–109), which the summary folds into one figure.
    public static let epyc9654 = MachineProfile(
        name: "epyc-9654-2s",
        summary: "2 x AMD EPYC 9654 (Genoa), 96 cores per socket in 12 CCXs of 8 cores sharing an L3",
        sockets: 2, domainsPerSocket: 12, cpusPerDomain: 8,
        latencies: Latencies(withinDomain: 27.1, acrossDomains: 99.3, acrossSockets: 191.6),
        sources: [
            MachineProfile.coreToCoreSource("Dual AMD EPYC 9654 96-Core Processor by-leavelet.csv"),
            MachineProfile.summarySource,
        ])
}
