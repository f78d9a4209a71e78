/// A machine the virtual engine runs a cell on: its CPUs, how they are grouped, and what one
/// move of a contended cache line between two of them costs.
///
/// Contract: `transferNanos(from:to:)` is the one-way move of a line between two distinct CPUs
/// (a core-to-core compare-exchange ping-pong's round trip ÷ 2), from the profile's sources;
/// `host` alone has no figures of its own and stands for this machine, every pair at the
/// calibration's measured transfer. Operation costs (walks, faults, GUP) are this machine's on
/// every profile: a profile changes where the agents sit and what their shared lines cost.
public struct MachineProfile: Sendable, Hashable {
    /// One-way line moves between two CPUs, by how far apart they are, in nanoseconds.
    public struct Latencies: Sendable, Hashable {
        /// Two CPUs in one cache domain (a CCX, a cluster, or the whole socket where the chip has one).
        public var withinDomain: Double
        /// Two domains of one socket.
        public var acrossDomains: Double
        /// Two sockets.
        public var acrossSockets: Double

        public init(withinDomain: Double, acrossDomains: Double, acrossSockets: Double) {
            self.withinDomain = withinDomain
            self.acrossDomains = acrossDomains
            self.acrossSockets = acrossSockets
        }

        /// Every pair at `nanoseconds`.
        public static func uniform(_ nanoseconds: Double) -> Latencies {
            Latencies(withinDomain: nanoseconds, acrossDomains: nanoseconds, acrossSockets: nanoseconds)
        }
    }

    /// The name `--machine` takes.
    public var name: String
    /// What the machine is, in a line (CPU model, sockets, cores).
    public var summary: String
    public var sockets: Int
    /// Cache domains per socket (1 where the socket shares one last-level cache).
    public var domainsPerSocket: Int
    public var cpusPerDomain: Int
    /// nil for `host`: every pair moves a line in the calibration's measured transfer.
    public var latencies: Latencies?
    /// Where each figure comes from: a file and its commit, a vendor document, a measurement.
    public var sources: [String]

    public init(
        name: String, summary: String, sockets: Int, domainsPerSocket: Int, cpusPerDomain: Int,
        latencies: Latencies?, sources: [String]
    ) {
        self.name = name
        self.summary = summary
        self.sockets = sockets
        self.domainsPerSocket = domainsPerSocket
        self.cpusPerDomain = cpusPerDomain
        self.latencies = latencies
        self.sources = sources
    }

    /// The CPUs the profile has; nil for `host`, which gives every agent one of its own.
    public var cpus: Int? { latencies == nil ? nil : sockets * domainsPerSocket * cpusPerDomain }

    /// This machine: one domain, as many CPUs as agents, every line move the calibration's
    /// measured transfer (`EngineCosts.lineTransferNanos`).
    public static let host = MachineProfile(
        name: "host", summary: "this machine: every CPU pair at the calibration's measured line transfer",
        sockets: 1, domainsPerSocket: 1, cpusPerDomain: 0, latencies: nil,
        sources: ["agingbench calibrate: two pinned threads passing one line (EngineCostMeter.lineTransfer)"])

    /// The one-way move of a line from CPU `from` to CPU `to` (0 for the same CPU);
    /// `hostTransferNanos` is what `host` charges.
    public func transferNanos(from: Int, to: Int, hostTransferNanos: Double) -> Double {
        guard from != to else { return 0 }
        guard let latencies, cpusPerDomain > 0 else { return hostTransferNanos }
        let socketCPUs = domainsPerSocket * cpusPerDomain
        if from / socketCPUs != to / socketCPUs { return latencies.acrossSockets }
        return from / cpusPerDomain == to / cpusPerDomain ? latencies.withinDomain : latencies.acrossDomains
    }

    /// The CPUs `count` agents run on, agent by agent, under `placement`. CPUs are numbered
    /// socket-major, domain-major. Past the profile's CPUs the order wraps: two agents then share
    /// a CPU's distances to the others, not its time (every agent still runs on a CPU of its own).
    public func cpus(forAgents count: Int, placement: Placement) -> [Int] {
        guard let total = cpus, total > 0 else { return Array(0..<count) }
        let socketCPUs = total / sockets
        return (0..<count).map { agent in
            let slot = agent % total
            switch placement {
            case .fill: return slot
            case .spread: return (slot % sockets) * socketCPUs + slot / sockets
            }
        }
    }
}

/// Where a cell's agents sit on a machine profile's CPUs (`--placement`).
public enum Placement: String, Sendable, CaseIterable {
    /// Round-robin across sockets, as an unpinned guest's vCPU threads end up (the default).
    case spread
    /// Fill one socket's CPUs, domain by domain, before the next.
    case fill
}
