import CPlatform
import Results
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM turned into a request that a sweep checks between cells.
///
/// Contract: while `install()` is in force the handlers do nothing but record the first signal
/// (an atomic store, async-signal-safe); `requested` reads it. The cells in progress are not
/// stopped: the measurement code has no cancellation point, so it finishes and is kept. A second
/// signal takes the default action and ends the process at once, leaving the results file as it
/// was before the run. `restore()` puts the previous handlers back.
public enum Interruption {
    /// Starts recording SIGINT and SIGTERM, clearing any earlier record.
    public static func install() {
        _ = agingbench_interrupt_install()
    }

    /// Puts back the handlers that were in place before `install()`.
    public static func restore() {
        agingbench_interrupt_restore()
    }

    /// The signal received since `install()`, or nil.
    public static var requested: Int32? {
        let signal = agingbench_interrupt_signal()
        return signal == 0 ? nil : signal
    }

    /// The documented exit status for an interrupted sweep: 128 + the signal, as shells report it.
    public static func exitStatus(for signal: Int32) -> ExitStatus {
        signal == SIGTERM ? .terminated : .interrupted
    }

    /// The signal's conventional name.
    public static func name(of signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(signal)"
        }
    }
}
