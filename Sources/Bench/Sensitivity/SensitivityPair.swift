import Backends
import Core
import Results

/// The two backends `agingbench sensitivity` sets against each other: one whose aging takes
/// `mmu_lock` for write, and one whose aging takes no `mmu_lock` at all.
///
/// Contract: the lock is the one the backend's kernel driver takes (`DriverMode.kernelDefault`:
/// the bitmap lock where the bitmap is honoured, else the per-page lock), since that is what the
/// cells run. The first must take it for write and the second must not take `mmu_lock` (lockless
/// or per-rmap); anything else would make the ratios answer another question than "where does
/// write-locked aging fall over".
public struct SensitivityPair: Sendable {
    public static let defaultOption = "baseline,x86-tdp"

    public let writeLocked: BackendDescriptor
    public let lockless: BackendDescriptor

    /// The pair `--backends` names (`writeLocked,lockless`), checked.
    ///
    /// - Throws: `InputError` for anything but two distinct registered backends of the right locks.
    public init(option: String) throws(InputError) {
        let names = RunCommand.list(option)
        guard names.count == 2 else {
            throw InputError("invalid --backends '\(option)': expected a pair writeLocked,lockless (e.g. \(Self.defaultOption))")
        }
        var descriptors: [BackendDescriptor] = []
        for name in names {
            guard let descriptor = Backends.named(name) else {
                throw InputError("unknown backend '\(name)' (known: \(Backends.all.map(\.name).joined(separator: ", ")))")
            }
            descriptors.append(descriptor)
        }
        let (first, second) = (descriptors[0], descriptors[1])
        let firstLock = Self.agingLock(first), secondLock = Self.agingLock(second)
        guard firstLock == .write else {
            throw InputError("--backends: '\(first.name)' ages under \(firstLock.meaning); the first of the pair must take mmu_lock for write (e.g. baseline)")
        }
        guard secondLock == .none || secondLock == .perRmap else {
            throw InputError("--backends: '\(second.name)' ages under \(secondLock.meaning); the second of the pair must not take mmu_lock (e.g. x86-tdp)")
        }
        writeLocked = first
        lockless = second
    }

    /// The lock the backend's kernel driver takes for an aging call.
    static func agingLock(_ descriptor: BackendDescriptor) -> LockMode {
        let capabilities = descriptor.capabilities
        return switch DriverMode.kernelDefault(for: capabilities) {
        case .bitmap: capabilities.bitmapAgingLock ?? capabilities.agingLock
        case .perPage, .evictionOnly: capabilities.agingLock
        }
    }
}
