/// Every vCPU TLB of one guest, and the shootdown that flushes a range on all of them:
/// `kvm_flush_remote_tlbs_range` with its IPIs and their wait.
///
/// Contract: `shootDown` returns only when no vCPU can use a translation of the range that
/// existed when it was called: each vCPU in guest mode has answered (flushed the range at its
/// next access), and each outside guest mode will flush before it re-enters. The wait is the
/// mechanism's own: the poster spins (then yields) until every answer is in; nothing is charged
/// that did not happen. Made before the vCPU threads start; the TLB of vCPU *i* is `tlb(i)`.
public final class RemoteTLBs: @unchecked Sendable {
    // Safety: immutable after init; the TLBs are thread-safe on their posting side.

    public let tlbs: [TLB]
    /// The ledger the TLBs record their hits in.
    public let ledger: AccessLedger

    public init(vcpus: Int, entries: Int = TLB.defaultEntries, ways: Int = TLB.defaultWays, gfnCount: UInt64) {
        precondition(gfnCount <= TLB.gfnLimit(entries: entries, ways: ways), "the TLB's tags cannot tell these gfns apart")
        let ledger = AccessLedger(gfnCount: gfnCount)
        self.ledger = ledger
        tlbs = (0..<vcpus).map { _ in TLB(entries: entries, ways: ways, ledger: ledger) }
    }

    public func tlb(_ vcpu: Int) -> TLB { tlbs[vcpu] }

    /// Shoots `range` down on every vCPU and waits for every answer; the shootdown and its
    /// wait are counted in `thread.events`.
    public func shootDown(_ range: GFNRange, thread: HostThread) {
        let start = Ticks.now()
        // Post to all first, as the IPIs go out together, then collect the answers.
        var tickets = [UInt64](repeating: 0, count: tlbs.count)
        for (index, tlb) in tlbs.enumerated() { tickets[index] = tlb.post(range) }
        for (index, tlb) in tlbs.enumerated() {
            var backoff = SpinBackoff()
            while !tlb.isAnswered(tickets[index]) { backoff.pause() }
        }
        thread.events.shootdowns &+= 1
        thread.events.shootdownWaitTicks &+= Ticks.now() &- start
    }
}
