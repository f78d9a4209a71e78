/// The `variant` column: which option set of a backend ran.
///
/// Contract: the raw value is the CSV text: "default", "ad-off", or "ablation:" followed by the
/// ablation grid's own name for its point (Bench's `AblationConfiguration` writes and reads that
/// part); any other text is not a variant. `description` is the raw value.
public enum VariantLabel: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    /// The backend as registered.
    case standard
    /// x86 with Accessed/Dirty bits off (`--ad-off`): aging write-protects instead.
    case accessTrackingOff
    /// One point of the ablation grid, named after the prefix.
    case ablation(String)

    private static let ablationPrefix = "ablation:"

    public init?(rawValue: String) {
        switch rawValue {
        case "default": self = .standard
        case "ad-off": self = .accessTrackingOff
        default:
            guard rawValue.hasPrefix(Self.ablationPrefix) else { return nil }
            self = .ablation(String(rawValue.dropFirst(Self.ablationPrefix.count)))
        }
    }

    public var rawValue: String {
        switch self {
        case .standard: "default"
        case .accessTrackingOff: "ad-off"
        case .ablation(let point): Self.ablationPrefix + point
        }
    }

    public var description: String { rawValue }
}
