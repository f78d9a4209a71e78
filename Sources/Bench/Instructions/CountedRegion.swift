import CPlatform
import Foundation

/// The parts of a cell whose instructions `run --count instructions` counts: one at a time, chosen
/// by the child process's environment (`AGINGBENCH_COUNT`), so callgrind's totals are that part's.
///
/// Contract: `measure(_:_:)` runs its body exactly once. For the phase the environment selects it
/// runs it inside `agingbench_counted_region`, the function callgrind toggles collection on;
/// otherwise directly, at the cost of one comparison, so a normal run is unchanged.
public enum CountedRegion: String, Sendable, CaseIterable {
    /// Every fault of the populate (one vCPU thread).
    case populate
    /// The timed aging passes of an `--aging-only` cell, without the marking between them.
    case aging

    /// The environment variable the parent sets in each counting child.
    public static let environmentVariable = "AGINGBENCH_COUNT"

    /// The phase this process counts, if any.
    static let selected: CountedRegion? = ProcessInfo.processInfo.environment[environmentVariable].flatMap(CountedRegion.init)

    /// Runs `body`, inside the counted region when this process counts `phase`.
    static func measure(_ phase: CountedRegion, _ body: () -> Void) {
        guard selected == phase else { return body() }
        call(agingbench_counted_region, body)
    }

    /// Runs `body`, which belongs to the harness and not to the model (recording a fault's
    /// latency: its work depends on the latency), outside the count when this process counts
    /// `phase`. Call it only inside that phase's `measure`: callgrind toggles, so outside a counted
    /// region it would switch counting on.
    @inline(__always)
    static func excluding(from phase: CountedRegion, _ body: () -> Void) {
        guard selected == phase else { return body() }
        call(agingbench_uncounted_region, body)
    }

    /// Calls `body` through `region`, a C function callgrind knows by name.
    private static func call(_ region: (@convention(c) (UnsafeMutableRawPointer?) -> Void, UnsafeMutableRawPointer?) -> Void,
                             _ body: () -> Void) {
        withoutActuallyEscaping(body) { escapable in
            let box = Box(escapable)
            withExtendedLifetime(box) {
                region({ context in
                    guard let context else { return }
                    Unmanaged<Box>.fromOpaque(context).takeUnretainedValue().body()
                }, Unmanaged.passUnretained(box).toOpaque())
            }
        }
    }

    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
}
