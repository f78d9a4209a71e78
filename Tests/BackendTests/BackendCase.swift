import Backends
import Core
import Testing

/// One registered backend in one of its configurations: what the conformance suite runs over.
/// Built from the registry, so a backend added there is tested with no new test code.
struct BackendCase: Sendable, CustomTestStringConvertible {
    let descriptor: BackendDescriptor
    let configuration: MMUConfiguration

    var testDescription: String {
        descriptor.name + (configuration.accessTracking ? " (A/D bits off)" : "")
    }

    static func all(gfnCount: UInt64) -> [BackendCase] {
        Backends.all.flatMap { descriptor in
            descriptor.variants(gfnCount: gfnCount).map { BackendCase(descriptor: descriptor, configuration: $0) }
        }
    }

    func make() -> any SecondaryMMU { descriptor.make(configuration) }
}

extension SecondaryMMU {
    /// Faults every gfn of `range` in (writes on every third page).
    func populate(_ range: GFNRange, thread: HostThread) {
        thread.enterReadSide()
        for gfn in range.start..<range.end { accessFaulting(gfn, write: gfn % 3 == 0, thread: thread) }
        thread.exitReadSide()
    }

    /// Young pages of `range`, window by window, without clearing.
    func youngPages(in range: GFNRange, thread: HostThread) -> Set<UInt64> {
        var young = Set<UInt64>()
        for start in stride(from: range.start, to: range.end, by: 64) {
            let window = GFNRange(start: start, end: min(start + 64, range.end))
            young.formUnion(testWindow(window, thread: thread).young.gfns(in: window))
        }
        return young
    }

    /// Ages all of `range`, window by window.
    func ageAll(_ range: GFNRange, thread: HostThread) {
        for start in stride(from: range.start, to: range.end, by: 64) {
            _ = ageWindow(GFNRange(start: start, end: min(start + 64, range.end)), thread: thread)
        }
    }

    /// Every mapping of `range`: gfn → its entries.
    func mappings(in range: GFNRange, thread: HostThread) -> [UInt64: [UInt64]] {
        var result: [UInt64: [UInt64]] = [:]
        forEachMapping(in: range, thread: thread) { gfn, entry in result[gfn, default: []].append(entry) }
        return result
    }
}

extension Trait where Self == TimeLimitTrait {
    /// Per test of the conformance suites: a wrong backend must fail, not hang the run. Generous
    /// because ThreadSanitizer runs these tests 5–20× slower on a shared 2-core machine.
    static var conformanceTimeLimit: Self { .timeLimit(.minutes(3)) }
}
