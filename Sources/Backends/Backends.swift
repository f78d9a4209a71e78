import Core

/// The registry: every backend the suite knows, in the order `agingbench list` shows them.
///
/// Adding a backend is one folder in `Sources/Backends` plus one line here; the conformance suite
/// and the runner pick it up from this list.
public enum Backends {
    public static let all: [BackendDescriptor] = [
        X86TDP.descriptor,
        X86Shadow.descriptor,
        Arm64Stage2.descriptor,
        Baseline.descriptor,
        RISCVGStage.descriptor,
        X86TDPNoBitmap.descriptor,
        X86ShadowRmapLock.descriptor,
        Arm64Stage2WriteLock.descriptor,
        X86TDPv3.descriptor.knownRacy("a plain-store clear can undo a concurrent zap"),
    ]

    /// The registered backend called `name`, if any.
    public static func named(_ name: String) -> BackendDescriptor? {
        all.first { $0.name == name }
    }
}
