/// What each operation of the model costs on this machine, in nanoseconds: the virtual engine
/// advances an agent's clock by these and nothing else.
///
/// Contract: every figure is measured by `EngineCostMeter` running the model's own code on one
/// thread (`agingbench calibrate` writes them beside the two remainders); none is tuned. The
/// remainders themselves stay in `Calibration` and reach the engine through `CostModel`.
public struct EngineCosts: Codable, Sendable, Hashable {
    /// Guest memory the figures were measured with (the calibration's).
    public var memoryBytes: UInt64
    /// `mmu_lock` taken and dropped by one thread with nobody else near it (read and write, mean).
    public var lockPairNanos: Double
    /// One cache line moved from one CPU to another (a lock word another agent touched last).
    public var lineTransferNanos: Double
    /// A TLB lookup that hits.
    public var tlbLookupNanos: Double
    /// A vCPU's exit and re-entry around a fault (read-side section, `mmu_invalidate_seq` read).
    public var exitEntryNanos: Double
    /// The GUP step on a first touch (take and zero a frame, add the folio, install the host PTE).
    public var gupFirstTouchNanos: Double
    /// The GUP step on a present host page (mark it accessed).
    public var gupPresentNanos: Double
    /// The aging driver's work on one look-around window with no present page (the host table
    /// walk, the TLB ledger's takes).
    public var hostWindowNanos: Double
    /// The host side of aging per present page (walk, test and clear of the host Accessed bit).
    public var hostScanNanosPerPage: Double
    /// Moving one folio to the youngest generation.
    public var promoteNanosPerPage: Double
    /// The host's unmap per present page (clear the PTE, mark the folio evicted).
    public var hostUnmapNanosPerPage: Double
    /// What the real engine's fault path costs per fault beyond the operations above, measured
    /// as the calibration's populate (x86-tdp, one vCPU, no remainders: `Calibration.modelFaultNanos`)
    /// less x86-tdp's operations: its timing and latency histogram, and the cache misses of a
    /// vCPU that populates, which loops over one operation do not see.
    public var faultOverheadNanos: Double
    /// Likewise per present page of an aging pass: the calibration's pass with no aging
    /// remainder beside a populating vCPU (`modelPassSeconds / modelPagesPerPass`, x86-tdp,
    /// per-page) less the host scan and x86-tdp's one-page call: the lines the vCPU's faults
    /// took away from the aging CPU's cache.
    public var agingOverheadNanosPerPage: Double
    /// Per backend (and `name/ad-off` for the A/D-off mode): its own operations.
    public var backends: [String: BackendCosts]

    /// One backend's operations, each with the lock it takes (if any) held uncontended.
    public struct BackendCosts: Codable, Sendable, Hashable {
        /// The hardware page walk of an access that does not fault.
        public var accessNanos: Double
        /// `handleFault` on a page not yet mapped: fault lock, walk, install (table pages amortized).
        public var faultNanos: Double
        /// An aging notifier call's fixed cost, and its cost per page of the range it walks.
        public var callNanos: Double
        public var leafNanos: Double
        /// A zap (`zap`, under the write lock) per page of its range.
        public var zapNanosPerPage: Double

        public init(accessNanos: Double, faultNanos: Double, callNanos: Double, leafNanos: Double, zapNanosPerPage: Double) {
            self.accessNanos = accessNanos
            self.faultNanos = faultNanos
            self.callNanos = callNanos
            self.leafNanos = leafNanos
            self.zapNanosPerPage = zapNanosPerPage
        }

        /// A notifier call over `pages` pages.
        @inline(__always)
        public func call(pages: UInt64) -> Double { callNanos + leafNanos * Double(pages) }
    }

    public init(
        memoryBytes: UInt64, lockPairNanos: Double, lineTransferNanos: Double, tlbLookupNanos: Double,
        exitEntryNanos: Double, gupFirstTouchNanos: Double, gupPresentNanos: Double, hostWindowNanos: Double,
        hostScanNanosPerPage: Double, promoteNanosPerPage: Double, hostUnmapNanosPerPage: Double, faultOverheadNanos: Double = 0,
        agingOverheadNanosPerPage: Double = 0, backends: [String: BackendCosts]
    ) {
        self.memoryBytes = memoryBytes
        self.lockPairNanos = lockPairNanos
        self.lineTransferNanos = lineTransferNanos
        self.tlbLookupNanos = tlbLookupNanos
        self.exitEntryNanos = exitEntryNanos
        self.gupFirstTouchNanos = gupFirstTouchNanos
        self.gupPresentNanos = gupPresentNanos
        self.hostWindowNanos = hostWindowNanos
        self.hostScanNanosPerPage = hostScanNanosPerPage
        self.promoteNanosPerPage = promoteNanosPerPage
        self.hostUnmapNanosPerPage = hostUnmapNanosPerPage
        self.faultOverheadNanos = faultOverheadNanos
        self.agingOverheadNanosPerPage = agingOverheadNanosPerPage
        self.backends = backends
    }

    /// Sets the two overheads from what the real engine measured while calibrating (see
    /// `faultOverheadNanos`); needs x86-tdp's own costs.
    mutating func setOverheads(realFaultNanos: Double, realAgedPageNanos: Double) {
        guard let tdp = backends[Calibrator.backend] else { return }
        let measuredFault = tlbLookupNanos + 2 * tdp.accessNanos + exitEntryNanos + gupFirstTouchNanos + tdp.faultNanos
        faultOverheadNanos = max(0, realFaultNanos - measuredFault)
        agingOverheadNanosPerPage = max(0, realAgedPageNanos - hostScanNanosPerPage - tdp.call(pages: 1))
    }

    /// The key of a backend's costs: its name, with `/ad-off` for the A/D-off mode.
    public static func key(backend: String, accessTracking: Bool) -> String {
        accessTracking ? backend + "/ad-off" : backend
    }

    /// Every figure finite and not negative.
    var isValid: Bool {
        let machine = [lockPairNanos, lineTransferNanos, tlbLookupNanos, exitEntryNanos, gupFirstTouchNanos,
                       gupPresentNanos, hostWindowNanos, hostScanNanosPerPage, promoteNanosPerPage, hostUnmapNanosPerPage,
                       faultOverheadNanos, agingOverheadNanosPerPage]
        let own = backends.values.flatMap { [$0.accessNanos, $0.faultNanos, $0.callNanos, $0.leafNanos, $0.zapNanosPerPage] }
        return (machine + own).allSatisfy { $0.isFinite && $0 >= 0 }
    }
}
