import Core
import Results

/// What a cell's faults and aging passes cost beyond the bare secondary MMU: the host side
/// (`HostMemory`) and the two calibrated remainders.
///
/// Contract: `raw` has no host side and no remainders (`--costs raw`); any other model has the
/// host side, and its remainders come from one calibration, named by `source`. No other number
/// in the model is tuned.
public struct CostModel: Sendable, Hashable {
    /// Whether the primary MMU's memory and work are modelled.
    public var hostSide: Bool
    /// Nanoseconds per fault spent outside every lock (the kernel's work the model lacks).
    public var faultRemainderNanos: Double
    /// Nanoseconds per present page an aging pass visits, spent outside every lock.
    public var agingRemainderNanosPerPage: Double
    /// Where the remainders came from: "raw", "host-only" (measuring, no remainders) or the id of
    /// the calibration (`Calibration.id`).
    public var source: String

    public init(hostSide: Bool, faultRemainderNanos: Double, agingRemainderNanosPerPage: Double, source: String) {
        self.hostSide = hostSide
        self.faultRemainderNanos = faultRemainderNanos
        self.agingRemainderNanosPerPage = agingRemainderNanosPerPage
        self.source = source
    }

    /// The bare secondary MMU.
    public static let raw = CostModel(hostSide: false, faultRemainderNanos: 0, agingRemainderNanosPerPage: 0, source: "raw")

    /// The host side with no remainders: the model's own work, as calibration measures it.
    public static let hostOnly = CostModel(hostSide: true, faultRemainderNanos: 0, agingRemainderNanosPerPage: 0, source: "host-only")

    /// The `costs` column.
    public var label: CostsLabel {
        hostSide ? (source == Self.hostOnly.source ? .hostOnly : .calibrated) : .raw
    }
}
