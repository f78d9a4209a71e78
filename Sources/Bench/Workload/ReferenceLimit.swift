import CReference
import Core

/// The C reference pass (`CReference`) over a guest of the same size and format as a backend's:
/// the hardware's limit for an aging pass, timed in the same process right beside it.
///
/// Contract: `markYoung(stride:)` then `timedPass(clear:)` mirror what the runner does to the
/// backend (mark every `stride`-th page young through the hardware path, then one pass).
final class ReferenceLimit {
    private let reference: OpaquePointer

    /// Nil when the tree does not fit in memory.
    init?(pages: UInt64, format: EntryFormat) {
        let template = format.makeLeaf(pfn: 0, writable: true, dirty: false) & ~format.accessedMask
        guard let reference = agingbench_reference_create(pages, template, format.accessedMask) else { return nil }
        self.reference = reference
    }

    deinit { agingbench_reference_destroy(reference) }

    func markYoung(stride: UInt64) { agingbench_reference_mark_young(reference, stride) }

    /// One pass; returns its duration in ticks and the young leaves it found.
    func timedPass(clear: Bool) -> (ticks: UInt64, young: UInt64) {
        let start = Ticks.now()
        let young = agingbench_reference_pass(reference, clear ? 1 : 0)
        return (Ticks.now() &- start, young)
    }

    var tableBytes: UInt64 { agingbench_reference_table_bytes(reference) }
}
