/// One registered backend: its name, what it is, and how to build it.
///
/// Contract: `make` returns a fresh, empty MMU whose `capabilities` equal `capabilities(for:)`
/// of the same configuration; `variants` lists the configurations the conformance suite runs
/// (at least the default). A descriptor with a `knownRace` models a kernel bug on purpose: the
/// conformance suite must find its lost update instead of passing it, and `list` says so.
public struct BackendDescriptor: Sendable, CustomStringConvertible {
    /// The name used on the command line and in results (`x86-tdp`, …).
    public let name: String
    /// One line: what the backend models.
    public let summary: String
    /// Whether the backend has the x86 A/D-bits-off mode (`MMUConfiguration.accessTracking`).
    public let supportsAccessTracking: Bool
    /// The lost update this backend is known to make, as the registry marks it (`knownRacy`);
    /// nil for a backend that must pass every invariant.
    public private(set) var knownRace: String?
    private let capabilitiesFor: @Sendable (MMUConfiguration) -> BackendCapabilities
    private let factory: @Sendable (MMUConfiguration) -> any SecondaryMMU

    public init(
        name: String, summary: String, supportsAccessTracking: Bool = false,
        capabilities: @escaping @Sendable (MMUConfiguration) -> BackendCapabilities,
        make: @escaping @Sendable (MMUConfiguration) -> any SecondaryMMU
    ) {
        self.name = name
        self.summary = summary
        self.supportsAccessTracking = supportsAccessTracking
        capabilitiesFor = capabilities
        factory = make
    }

    public func capabilities(for configuration: MMUConfiguration) -> BackendCapabilities {
        capabilitiesFor(configuration)
    }

    /// Capabilities in the default configuration.
    public var capabilities: BackendCapabilities { capabilitiesFor(MMUConfiguration(gfnCount: 0)) }

    public func make(_ configuration: MMUConfiguration) -> any SecondaryMMU { factory(configuration) }

    /// The configurations the conformance suite runs for a guest of `gfnCount` pages: the
    /// default, plus access tracking where supported.
    public func variants(gfnCount: UInt64) -> [MMUConfiguration] {
        let standard = MMUConfiguration(gfnCount: gfnCount)
        guard supportsAccessTracking else { return [standard] }
        return [standard, MMUConfiguration(gfnCount: gfnCount, accessTracking: true)]
    }

    public var description: String { name }

    /// This descriptor marked as modelling a known race: `lostUpdate` says what it loses. The
    /// conformance suite then asserts that it finds the loss rather than that it is absent.
    public func knownRacy(_ lostUpdate: String) -> BackendDescriptor {
        var marked = self
        marked.knownRace = lostUpdate
        return marked
    }
}
