import Backends
import Core
import Testing

/// Each seed backend follows its kernel's path: its declared choices, and the locks its calls
/// really take (counted per thread). A baseline that honoured the bitmap, or an x86-tdp that
/// took mmu_lock to age, fails here.
@Suite struct KernelPathTests {
    struct Path: Sendable, CustomTestStringConvertible {
        let backend: String
        let format: EntryFormat
        let agingLock: LockMode
        let bitmapAgingLock: LockMode?
        let faultLock: LockMode
        let clearMethod: ClearMethod
        let fast: Bool
        var testDescription: String { backend }
    }

    static let seed: [Path] = [
        Path(backend: "x86-tdp", format: .ept, agingLock: .none, bitmapAgingLock: LockMode.none, faultLock: .read, clearMethod: .atomicAnd, fast: true),
        Path(backend: "x86-shadow", format: .x86Legacy, agingLock: .write, bitmapAgingLock: .write, faultLock: .write, clearMethod: .atomicAnd, fast: false),
        Path(backend: "arm64-stage2", format: .arm64Stage2, agingLock: .read, bitmapAgingLock: .read, faultLock: .read, clearMethod: .compareExchangeRetry, fast: true),
        Path(backend: "baseline", format: .ept, agingLock: .write, bitmapAgingLock: nil, faultLock: .read, clearMethod: .atomicAnd, fast: false),
    ]

    /// (read, write) acquisitions one call in `mode` makes.
    static func acquisitions(_ mode: LockMode?) -> (UInt64, UInt64) {
        switch mode {
        case .read?: (1, 0)
        case .write?: (0, 1)
        default: (0, 0)
        }
    }

    static func taken(_ thread: HostThread, since before: LockStats) -> (UInt64, UInt64) {
        (thread.lockStats.read.acquisitions - before.read.acquisitions,
         thread.lockStats.write.acquisitions - before.write.acquisitions)
    }

    @Test(arguments: seed)
    func seedBackendFollowsItsKernelPath(_ path: Path) throws {
        let descriptor = try #require(Backends.named(path.backend))
        let capabilities = descriptor.capabilities
        #expect(capabilities.format == path.format)
        #expect(capabilities.agingLock == path.agingLock)
        #expect(capabilities.bitmapAgingLock == path.bitmapAgingLock)
        #expect(capabilities.faultLock == path.faultLock)
        #expect(capabilities.clearMethod == path.clearMethod)
        #expect(capabilities.fast == path.fast)

        let mmu = descriptor.make(MMUConfiguration(gfnCount: 128))
        let vcpu = mmu.makeThread(role: .vcpu)
        let ager = mmu.makeThread(role: .aging)
        defer { vcpu.retire(); ager.retire() }
        var before = vcpu.lockStats
        #expect(mmu.handleFault(1, write: false, thread: vcpu) == .installed)
        #expect(Self.taken(vcpu, since: before) == Self.acquisitions(path.faultLock))
        mmu.populate(GFNRange(start: 0, count: 64), thread: vcpu)

        let window = GFNRange(start: 0, count: 64)
        var bitmap = YoungBitmap()
        before = ager.lockStats
        let flags = mmu.testYoung(window, bitmap: &bitmap, thread: ager)
        #expect(Self.taken(ager, since: before) == Self.acquisitions(path.bitmapAgingLock))
        #expect(flags.contains(.bitmapUnreliable) == (path.bitmapAgingLock == nil))
        #expect(bitmap.isEmpty == (path.bitmapAgingLock == nil))
        #expect(flags.contains(.fast) == (path.fast && path.bitmapAgingLock != nil))

        before = ager.lockStats
        let single = mmu.clearYoung(GFNRange(start: 2, count: 1), thread: ager)
        #expect(single.contains(.young))
        #expect(Self.taken(ager, since: before) == Self.acquisitions(path.agingLock))
    }
}
