import Core

/// A radix backend seen through a probe: every call goes to `inner`; `beforeFault` runs when a
/// fault reaches the secondary MMU (after its GUP step), `afterFault` with its outcome;
/// `declared`, when set, is what the probe says its capabilities are (a backend that lies).
final class ProbeMMU: SecondaryMMU, @unchecked Sendable {
    // Safety: the probes are set before the MMU is shared and never changed.
    let inner: RadixMMU
    var beforeFault: (UInt64) -> Void = { _ in }
    var afterFault: (UInt64, FaultOutcome) -> Void = { _, _ in }
    var declared: BackendCapabilities?

    init(_ inner: RadixMMU) { self.inner = inner }

    var capabilities: BackendCapabilities { declared ?? inner.capabilities }
    var gfnCount: UInt64 { inner.gfnCount }
    var invalidation: InvalidationSequence { inner.invalidation }
    func makeThread(role: HostThread.Role) -> HostThread { inner.makeThread(role: role) }
    func access(_ gfn: UInt64, write: Bool, thread: HostThread) -> Bool { inner.access(gfn, write: write, thread: thread) }
    func handleFault(_ gfn: UInt64, write: Bool, sequence: UInt64, thread: HostThread) -> FaultOutcome {
        beforeFault(gfn)
        let outcome = inner.handleFault(gfn, write: write, sequence: sequence, thread: thread)
        afterFault(gfn, outcome)
        return outcome
    }
    func zap(_ range: GFNRange, thread: HostThread) -> Int { inner.zap(range, thread: thread) }
    func prepareBitmapAge(thread: HostThread) -> Bool { inner.prepareBitmapAge(thread: thread) }
    func finishBitmapAge(thread: HostThread) { inner.finishBitmapAge(thread: thread) }
    func testAge(_ range: GFNRange, bitmap: inout YoungBitmap, thread: HostThread) -> Bool {
        inner.testAge(range, bitmap: &bitmap, thread: thread)
    }
    func clearAge(_ range: GFNRange, bitmap: YoungBitmap, thread: HostThread) -> Bool {
        inner.clearAge(range, bitmap: bitmap, thread: thread)
    }
    func testAge(_ range: GFNRange, thread: HostThread) -> Bool { inner.testAge(range, thread: thread) }
    func clearAge(_ range: GFNRange, thread: HostThread) -> Bool { inner.clearAge(range, thread: thread) }
    func forEachMapping(in range: GFNRange, thread: HostThread, _ body: (UInt64, UInt64) -> Void) {
        inner.forEachMapping(in: range, thread: thread, body)
    }
    var pageTableBytes: Int { inner.pageTableBytes }
    var jemallocTableBytes: Int { inner.jemallocTableBytes }
    var useAfterFreeReads: Int { inner.useAfterFreeReads }
}
