@testable import Bench
import Testing

/// What a machine profile charges between two CPUs, where placement puts the agents, and what
/// every registered profile must hold.
@Suite struct MachineProfileTests {
    /// A profile with every class of pair: two sockets of two domains of two CPUs.
    static let small = MachineProfile(
        name: "small", summary: "2 sockets x 2 domains x 2 CPUs", sockets: 2, domainsPerSocket: 2, cpusPerDomain: 2,
        latencies: MachineProfile.Latencies(withinDomain: 10, acrossDomains: 40, acrossSockets: 100),
        sources: ["test"])

    @Test func aLineMoveCostsItsClassOfPair() {
        let host = 77.0
        for profile in [Self.small, .epyc9654] {
            guard let latencies = profile.latencies else {
                Issue.record("\(profile.name) has no figures")
                continue
            }
            let domain = profile.cpusPerDomain, socket = profile.domainsPerSocket * profile.cpusPerDomain
            #expect(profile.transferNanos(from: 0, to: 0, hostTransferNanos: host) == 0)
            #expect(profile.transferNanos(from: 0, to: domain - 1, hostTransferNanos: host) == latencies.withinDomain)
            #expect(profile.transferNanos(from: 0, to: domain, hostTransferNanos: host) == latencies.acrossDomains)
            #expect(profile.transferNanos(from: domain, to: 0, hostTransferNanos: host) == latencies.acrossDomains)
            #expect(profile.transferNanos(from: 0, to: socket, hostTransferNanos: host) == latencies.acrossSockets)
            #expect(profile.transferNanos(from: socket + domain, to: socket, hostTransferNanos: host) == latencies.acrossDomains)
        }
        #expect(MachineProfile.epyc9654.transferNanos(from: 0, to: 7, hostTransferNanos: host) == 27.1)
        #expect(MachineProfile.epyc9654.transferNanos(from: 7, to: 8, hostTransferNanos: host) == 99.3)
        #expect(MachineProfile.epyc9654.transferNanos(from: 95, to: 96, hostTransferNanos: host) == 191.6)
    }

    @Test func hostChargesTheCalibrationsTransferBetweenAnyTwoCPUs() {
        #expect(MachineProfile.host.transferNanos(from: 3, to: 3, hostTransferNanos: 77) == 0)
        #expect(MachineProfile.host.transferNanos(from: 0, to: 1, hostTransferNanos: 77) == 77)
        #expect(MachineProfile.host.transferNanos(from: 0, to: 200, hostTransferNanos: 77) == 77)
        #expect(MachineProfile.host.cpus == nil)
        #expect(MachineProfile.host.cpus(forAgents: 5, placement: .fill) == [0, 1, 2, 3, 4])
        #expect(MachineProfile.host.cpus(forAgents: 5, placement: .spread) == [0, 1, 2, 3, 4])
    }

    @Test func fillTakesOneSocketFirstAndSpreadAlternatesSockets() {
        #expect(Self.small.cpus(forAgents: 5, placement: .fill) == [0, 1, 2, 3, 4])
        #expect(Self.small.cpus(forAgents: 5, placement: .spread) == [0, 4, 1, 5, 2])
        // Past the profile's eight CPUs the order starts again.
        #expect(Self.small.cpus(forAgents: 10, placement: .fill) == [0, 1, 2, 3, 4, 5, 6, 7, 0, 1])
        #expect(Self.small.cpus(forAgents: 10, placement: .spread) == [0, 4, 1, 5, 2, 6, 3, 7, 0, 4])
        // One socket: both placements fill it in order.
        #expect(MachineProfile.altraQ80.cpus(forAgents: 3, placement: .spread) == [0, 1, 2])
        #expect(MachineProfile.altraQ80.cpus(forAgents: 82, placement: .fill).suffix(3) == [79, 0, 1])
    }

    @Test func everyPlacementUsesEveryCPUOnceBeforeReusingOne() {
        for profile in MachineProfiles.all {
            guard let total = profile.cpus else { continue }
            for placement in Placement.allCases {
                let cpus = profile.cpus(forAgents: total, placement: placement)
                #expect(Set(cpus).count == total && cpus.allSatisfy { (0..<total).contains($0) }, "\(profile.name) \(placement)")
            }
        }
    }

    @Test func theRegistryHasHostFirstAndUniqueNames() {
        let names = MachineProfiles.all.map(\.name)
        #expect(names.first == "host")
        #expect(Set(names).count == names.count)
        for name in ["xeon-8358-2s", "epyc-9654-2s", "altra-q80", "graviton2"] {
            #expect(names.contains(name))
        }
        for profile in MachineProfiles.all {
            #expect(MachineProfiles.named(profile.name) == profile)
        }
        #expect(MachineProfiles.named("nope") == nil)
        #expect(MachineProfiles.named("Host") == nil)
    }

    @Test(arguments: MachineProfiles.all)
    func everyProfileIsSourcedAndItsFiguresArePositive(_ profile: MachineProfile) {
        #expect(!profile.sources.isEmpty && profile.sources.allSatisfy { !$0.isEmpty })
        #expect(!profile.summary.isEmpty)
        #expect(profile.sockets >= 1 && profile.domainsPerSocket >= 1)
        guard let latencies = profile.latencies else {
            #expect(profile == .host, "only host takes its figures from the calibration")
            return
        }
        #expect(profile.cpusPerDomain >= 1)
        for figure in [latencies.withinDomain, latencies.acrossDomains, latencies.acrossSockets] {
            #expect(figure.isFinite && figure > 0)
        }
        // Farther never cheaper, where the class exists.
        #expect(latencies.withinDomain <= latencies.acrossDomains)
        #expect(latencies.acrossDomains <= latencies.acrossSockets)
        // A profile built from a published matrix cites it, its commit, and how it summarised it.
        #expect(profile.sources.contains { $0.contains("KCORES/core-to-core-latency-plus") && $0.contains("264ea0a1f68a") })
        #expect(profile.sources.contains { $0.contains("summary by class (median), not the full matrix") })
    }
}

extension MachineProfile: CustomTestStringConvertible {
    public var testDescription: String { name }
}
