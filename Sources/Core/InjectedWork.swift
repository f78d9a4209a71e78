#if AGINGBENCH_INJECT
import CPlatform
import Glibc

/// Work added on purpose, to prove that the performance gate and `agingbench ab` see a regression
/// of a known size: compiled in only by `-Xswiftc -DAGINGBENCH_INJECT` (the injection experiment,
/// `Scripts/injection-experiment.sh`), absent from every other build. The amounts come from the
/// environment, read once: `AGINGBENCH_INJECT_AGING` busy-loop iterations per aging walk call of
/// the radix engine (one notifier call, 64 pages in a bitmap pass: a lockless walk costs about 30
/// instructions a page, below what one loop iteration per page can resolve) and
/// `AGINGBENCH_INJECT_FAULT` iterations per fault.
public enum InjectedWork {
    public static let perWalk = amount("AGINGBENCH_INJECT_AGING")
    public static let perFault = amount("AGINGBENCH_INJECT_FAULT")

    private static func amount(_ name: String) -> UInt64 {
        getenv(name).flatMap { UInt64(String(cString: $0)) } ?? 0
    }

    @inline(never) public static func walk() {
        if perWalk > 0 { agingbench_busy_instructions(perWalk) }
    }

    @inline(never) public static func fault() {
        if perFault > 0 { agingbench_busy_instructions(perFault) }
    }
}
#endif
