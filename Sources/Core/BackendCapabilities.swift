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
    /// The shared lines the architecture's fault handler writes besides the entries (the
    /// virtual engine's machine model charges them).
    public var kernelFaultPath: KernelFaultPath

    public init(format: EntryFormat, structure: TableStructure, agingLock: LockMode, bitmapAgingLock: LockMode?,
                faultLock: LockMode, clearMethod: ClearMethod, fast: Bool,
                kernelFaultPath: KernelFaultPath = .minimal) {
        self.format = format
        self.structure = structure
        self.agingLock = agingLock
        self.bitmapAgingLock = bitmapAgingLock
        self.faultLock = faultLock
        self.clearMethod = clearMethod
        self.fast = fast
        self.kernelFaultPath = kernelFaultPath
    }

    public var honoursBitmap: Bool { bitmapAgingLock != nil }
}
