import CReference
import Core

/// The C reference pass (`CReference`) over a guest of the same size and format as a backend's:
/// the hardware's limit for an aging pass, timed in the same process right beside it.
///
/// Contract: `markYoung(stride:)` then `timedPass(.windowed)` mirror what the runner does to the
/// backend (mark every `stride`-th page young through the hardware path, then one pass).
final class ReferenceLimit {
    private let reference: OpaquePointer

    /// Nil when the tree does not fit in memory.
    init?(pages: UInt64, format: EntryFormat) {
        let template = format.makeLeaf(pfn: 0, writable: true, dirty: false) & ~format.accessedMask
        guard let reference = agingbench_reference_create(pages, template, format.accessedMask, format.pfnShift) else { return nil }
        self.reference = reference
    }

    deinit { agingbench_reference_destroy(reference) }

    func markYoung(stride: UInt64) { agingbench_reference_mark_young(reference, stride) }

    /// How a reference pass walks the tree.
    enum Kind: String, CaseIterable {
        /// The runner's bitmap protocol in C: per window, a test walk then a clear walk.
        case windowed
        /// One loop over every leaf that tests and clears: the plain hardware limit.
        case plain
        /// One loop over every leaf that only tests.
        case testOnly = "test-only"
    }

    /// One pass; returns its duration in ticks and the young leaves it found.
    func timedPass(_ kind: Kind, window: Int = 64) -> (ticks: UInt64, young: UInt64) {
        let start = Ticks.now()
        let young: UInt64
        switch kind {
        case .windowed: young = agingbench_reference_windowed_pass(reference, UInt64(window))
        case .plain: young = agingbench_reference_pass(reference, 1)
        case .testOnly: young = agingbench_reference_pass(reference, 0)
        }
        return (Ticks.now() &- start, young)
    }

    var tableBytes: UInt64 { agingbench_reference_table_bytes(reference) }
}
