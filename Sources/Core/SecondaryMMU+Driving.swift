/// What a vCPU's access attempt did (`SecondaryMMU.attemptAccess`).
public enum AccessAttempt: Sendable, Hashable {
    /// The TLB held a translation good for it: no walk, no Accessed bit set.
    case tlbHit
    /// The hardware walked the table and found the entry (and filled the TLB).
    case walked
    /// The walk found no usable entry: the vCPU takes a fault.
    case missed
}

/// A fault's first half as it left it for the second: the invalidation sequence it read and
/// what the GUP step found (nil without a host side).
public struct FaultEntry: Sendable {
    public let sequence: UInt64
    public let hostResult: HostMemory.FaultResult?

    @inlinable public init(sequence: UInt64, hostResult: HostMemory.FaultResult?) {
        self.sequence = sequence
        self.hostResult = hostResult
    }

    /// Whether the GUP step found no frame within the host's budget (nothing was done).
    @inlinable public var stalled: Bool { hostResult == .stalled }
}

/// One access's faults so far, and those that made no progress an invalidation explains
/// (`SecondaryMMU.faultsWithoutProgressLimit`). A fresh value per access.
public struct FaultProgress: Sendable {
    public var faults = 0
    public var faultsWithoutProgress = 0

    @inlinable public init() {}
}

/// The two loops every caller of a secondary MMU runs: a vCPU's access with its fault, and
/// MGLRU's look-around over one window. The runner and the tests share them.
extension SecondaryMMU {
    /// A vCPU's access to `gfn`, called in guest mode (inside the thread's read-side section,
    /// and inside `tlb`'s guest mode when there is one).
    ///
    /// With a TLB the vCPU first answers any pending shootdown (the flush IPI lands between two
    /// accesses), then looks the translation up: a hit neither walks nor sets Accessed. On a
    /// miss, or without a TLB, the hardware walks the table. When the translation is missing
    /// the vCPU takes the fault as KVM does: it exits guest mode, reads `mmu_invalidate_seq`,
    /// runs the GUP step outside `mmu_lock` (`host.memory.faultIn`, then the fault's calibrated
    /// remainder), calls `handleFault` (the fault lock, the invalidation check, walk and
    /// install), re-enters and retries the access. The walk that succeeds fills the TLB.
    ///
    /// The composition of `attemptAccess`, `enterFault` and `completeFault`, the steps the
    /// virtual engine runs one event at a time: both engines take the same path.
    /// - Parameters:
    ///   - gfn: the guest page accessed.
    ///   - write: whether the access writes (sets Dirty, and faults on a read-only entry).
    ///   - thread: the vCPU's thread, inside its read-side section.
    ///   - tlb: the vCPU's TLB (its `port`); nil walks on every access (`--tlb-entries 0`).
    ///   - host: the primary MMU and remainders; nil for the bare secondary MMU (`--costs raw`).
    ///   - onFault: called after each fault with its duration in ticks (`Ticks`) and what its
    ///     GUP step found (nil without a host side).
    ///
    /// An access retries after a fault only as long as the backend keeps its contract: a fault
    /// that installed, found or restored the entry, or that asked for a retry no invalidation
    /// explains, must let the next access through. After `faultsWithoutProgressLimit` such
    /// faults for one access the backend is wrong, and the process stops with a message naming
    /// it instead of spinning for ever; retries an invalidation explains are not counted.
    /// - Returns: the faults taken (0 when the access hit the TLB or the walk succeeded).
    @inlinable @discardableResult
    public func accessFaulting(
        _ gfn: UInt64, write: Bool, thread: HostThread, tlb: TLB.Port? = nil, host: HostSide? = nil,
        onFault: (_ ticks: UInt64, _ result: HostMemory.FaultResult?) -> Void = { _, _ in }
    ) -> Int {
        var progress = FaultProgress()
        while attemptAccess(gfn, write: write, thread: thread, tlb: tlb) == .missed {
            let start = Ticks.now()
            let entry = enterFault(gfn, write: write, thread: thread, tlb: tlb, host: host)
            if entry.stalled {
                abandonFault(thread: thread, tlb: tlb)
                OSThread.yield()
                continue
            }
            _ = completeFault(gfn, write: write, entry: entry, thread: thread, tlb: tlb, progress: &progress)
            onFault(Ticks.now() &- start, entry.hostResult)
        }
        return progress.faults
    }

    /// The guest's access as the hardware makes it, in guest mode: pending shootdowns answered,
    /// the TLB looked up, and on a miss the walk; a walk that succeeds fills the TLB. A retry
    /// after a fault comes here again, as the guest re-executes the faulting instruction.
    @inlinable @inline(__always)
    public func attemptAccess(_ gfn: UInt64, write: Bool, thread: HostThread, tlb: TLB.Port?) -> AccessAttempt {
        if let tlb {
            tlb.answerPending()
            if tlb.lookup(gfn, write: write) { return .tlbHit }
        }
        guard access(gfn, write: write, thread: thread) else { return .missed }
        tlb?.fill(gfn, write: write)
        return .walked
    }

    /// The fault's first half, outside `mmu_lock`: the vCPU exits guest mode, reads
    /// `mmu_invalidate_seq`, and runs the GUP step and the fault's calibrated remainder.
    @inlinable @inline(__always)
    public func enterFault(
        _ gfn: UInt64, write: Bool, thread: HostThread, tlb: TLB.Port?, host: HostSide?
    ) -> FaultEntry {
        thread.exitReadSide()
        tlb?.exitGuest()
        let sequence = invalidation.snapshot()
        var result: HostMemory.FaultResult?
        if let host {
            result = host.memory.faultIn(gfn, write: write)
            if result != .stalled { host.spendFaultRemainder() }
            if let result, result.isRefault { host.spendSwapIn() }
        }
        return FaultEntry(sequence: sequence, hostResult: result)
    }

    /// A fault whose GUP step stalled (`FaultEntry.stalled`): back into guest mode with nothing
    /// installed; the access retries once reclaim has freed memory.
    @inlinable @inline(__always)
    public func abandonFault(thread: HostThread, tlb: TLB.Port?) {
        thread.enterReadSide()
        tlb?.enterGuest()
    }

    /// The fault's second half: `handleFault` (the fault lock, the invalidation check, walk and
    /// install), then the vCPU re-enters guest mode. Stops the process through `progress` when
    /// the backend keeps refusing what it installed.
    @inlinable @inline(__always)
    public func completeFault(
        _ gfn: UInt64, write: Bool, entry: FaultEntry, thread: HostThread, tlb: TLB.Port?, progress: inout FaultProgress
    ) -> FaultOutcome {
        let outcome = handleFault(gfn, write: write, sequence: entry.sequence, thread: thread)
        thread.enterReadSide()
        tlb?.enterGuest()
        progress.faults += 1
        if outcome != .retry || !invalidation.mustRetry(since: entry.sequence) {
            progress.faultsWithoutProgress += 1
            if progress.faultsWithoutProgress == Self.faultsWithoutProgressLimit {
                accessNeverSucceeds(gfn, write: write, lastOutcome: outcome, faults: progress.faults)
            }
        }
        return outcome
    }

    /// Faults that leave nothing for the next access to wait for (installed, spurious, restored,
    /// or an unexplained retry) after which `accessFaulting` declares the backend broken. A
    /// correct backend needs one; aging that parks the entry between the fault and the access
    /// can cost a few more.
    public static var faultsWithoutProgressLimit: Int { 1000 }

    /// Stops the process: this MMU's `access` keeps refusing what its `handleFault` answered.
    @usableFromInline
    func accessNeverSucceeds(_ gfn: UInt64, write: Bool, lastOutcome: FaultOutcome, faults: Int) -> Never {
        fatalError("""
            backend \(name): \(write ? "write" : "read") access to gfn \(gfn) still fails after \(faults) faults \
            (the last one \(lastOutcome)): access() refuses the entry handleFault leaves \
            (check the entry format's masks and access's present/writable test)
            """)
    }

    /// The young pages of `range` (at most 64) without clearing them: one bitmap `testYoung`,
    /// or one `testYoung` per page when the bitmap is not honoured.
    /// - Returns: the young pages and the notifier calls made.
    @inlinable
    public func testWindow(_ range: GFNRange, thread: HostThread) -> (young: YoungBitmap, notifierCalls: Int) {
        var young = YoungBitmap()
        guard testYoung(range, bitmap: &young, thread: thread).contains(.bitmapUnreliable) else { return (young, 1) }
        let calls = eachPage(range, clearing: false, recordingInto: &young, thread: thread)
        return (young, 1 + calls)
    }

    /// One look-around window as MGLRU ages it (at most 64 pages): a bitmap `testYoung`, then
    /// a bitmap `clearYoung` of the young pages; when the bitmap is not honoured, one
    /// `clearYoung` per page (the pre-series path).
    /// - Returns: the pages that were young and the notifier calls made.
    @inlinable
    public func ageWindow(_ range: GFNRange, thread: HostThread) -> (young: YoungBitmap, notifierCalls: Int) {
        var young = YoungBitmap()
        if testYoung(range, bitmap: &young, thread: thread).contains(.bitmapUnreliable) {
            let calls = eachPage(range, clearing: true, recordingInto: &young, thread: thread)
            return (young, 1 + calls)
        }
        if young.isEmpty { return (young, 1) }
        _ = clearYoung(range, bitmap: young, thread: thread)
        return (young, 2)
    }
}
