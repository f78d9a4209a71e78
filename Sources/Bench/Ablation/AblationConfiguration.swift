import Backends
import Core
import Results

/// One point of the lock-mode × bitmap grid: a registered backend's format, structure, fault lock
/// and clear method, with the aging lock and bitmap support replaced.
///
/// Contract: aging takes `lock` both per page and, when `bitmap`, in the bitmap hooks; nothing
/// else of the base backend changes. `variant` names the point in the CSV's `variant` column
/// (`ablation:<lock>/bitmap-<on|off>`) and `init?(variant:)` reads it back.
public struct AblationConfiguration: Sendable, Hashable {
    public let base: String
    public let lock: LockMode
    public let bitmap: Bool

    public init(base: String, lock: LockMode, bitmap: Bool) {
        self.base = base
        self.lock = lock
        self.bitmap = bitmap
    }

    /// The point's `variant`: `ablation:<lock>/bitmap-<on|off>`.
    public var variant: VariantLabel { .ablation("\(lock.rawValue)/bitmap-\(bitmap ? "on" : "off")") }

    /// A short label for tables and charts: `x86-tdp none +bitmap`.
    public var label: String { "\(base) \(lock.rawValue) \(bitmap ? "+bitmap" : "-bitmap")" }

    /// The configuration a results row names, or nil for a row that is not an ablation cell.
    public init?(backend: String, variant: VariantLabel) {
        guard case .ablation(let point) = variant else { return nil }
        let parts = point.split(separator: "/")
        guard parts.count == 2, let lock = LockMode(rawValue: String(parts[0])) else { return nil }
        switch parts[1] {
        case "bitmap-on": bitmap = true
        case "bitmap-off": bitmap = false
        default: return nil
        }
        self.base = backend
        self.lock = lock
    }

    /// The base backend's capabilities with this point's aging lock and bitmap.
    func capabilities() -> BackendCapabilities? {
        guard var capabilities = Backends.named(base)?.capabilities else { return nil }
        capabilities.agingLock = lock
        capabilities.bitmapAgingLock = bitmap ? lock : nil
        // The series reports YOUNG_FAST when aging cannot make a fault wait.
        capabilities.fast = !lock.conflicts(with: capabilities.faultLock)
        return capabilities
    }
}
