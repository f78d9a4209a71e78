/// How a backend's page table is organised.
public enum TableStructure: String, Sendable, Hashable {
    /// A radix tree walked by gfn (TDP MMU, arm64 stage-2).
    case radix
    /// Shadow pages found through an rmap from gfn to the entries that map it.
    case rmap
}

/// How an aging walk clears the Accessed bit.
public enum ClearMethod: String, Sendable, Hashable {
    /// Atomic AND (x86's `clear_bit` / `tdp_mmu_clear_spte_bits`).
    case atomicAnd = "atomic-and"
    /// Compare-exchange, retried when the entry changed underneath (arm64's -EAGAIN).
    case compareExchangeRetry = "cmpxchg-retry"
    /// Compare-exchange whose failure is ignored (x86 access tracking: "most likely young").
    case compareExchangeIgnoreFailure = "cmpxchg-ignore"
}

/// The orthogonal choices a backend is made of; shown by `agingbench list`.
public struct BackendCapabilities: Sendable, Hashable {
    public var format: EntryFormat
    public var structure: TableStructure
    /// Lock of non-bitmap aging calls.
    public var agingLock: LockMode
    /// Lock of bitmap aging calls (taken by `prepareBitmapAge`); nil: the bitmap is not honoured.
    public var bitmapAgingLock: LockMode?
    /// Lock of the fault path.
    public var faultLock: LockMode
    public var clearMethod: ClearMethod
    /// Whether aging calls report `AgeFlags.fast` (MMU_NOTIFIER_YOUNG_FAST).
    public var fast: Bool

    public init(format: EntryFormat, structure: TableStructure, agingLock: LockMode, bitmapAgingLock: LockMode?,
                faultLock: LockMode, clearMethod: ClearMethod, fast: Bool) {
        self.format = format
        self.structure = structure
        self.agingLock = agingLock
        self.bitmapAgingLock = bitmapAgingLock
        self.faultLock = faultLock
        self.clearMethod = clearMethod
        self.fast = fast
    }

    public var honoursBitmap: Bool { bitmapAgingLock != nil }
}

/// What a backend is asked to build.
public struct MMUConfiguration: Sendable, Hashable {
    /// Guest pages: gfns `0..<gfnCount`.
    public var gfnCount: UInt64
    /// x86: run with A/D bits off (access tracking). Ignored by backends without that mode.
    public var accessTracking: Bool

    public init(gfnCount: UInt64, accessTracking: Bool = false) {
        self.gfnCount = gfnCount
        self.accessTracking = accessTracking
    }
}

/// One registered backend: its name, what it is, and how to build it.
///
/// Contract: `make` returns a fresh, empty MMU whose `capabilities` equal `capabilities(for:)`
/// of the same configuration; `variants` lists the configurations the conformance suite runs
/// (at least the default).
public struct BackendDescriptor: Sendable, CustomStringConvertible {
    /// The name used on the command line and in results (`x86-tdp`, …).
    public let name: String
    /// One line: what the backend models.
    public let summary: String
    /// Whether the backend has the x86 A/D-bits-off mode (`MMUConfiguration.accessTracking`).
    public let supportsAccessTracking: Bool
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
}
