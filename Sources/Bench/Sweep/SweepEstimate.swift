/// A rough, up-front estimate of how long a sweep runs, so a long one says so before it starts.
///
/// Contract: counts page operations (a fault or access per page of populate and of each round, an
/// aging pass and the C reference's pass per page with `--aging-only`) and prices them at
/// `nanosecondsPerPageOperation`, the rate of the default sweep in the README's reference run on a
/// release build, plus `cellOverheadSeconds` per cell. It is meant to tell minutes from hours, not
/// to predict: debug builds and busy machines are slower, and progress replaces it with measured
/// time once the first cell is done.
public enum SweepEstimate {
    /// Release-build cost of one page operation in the README's reference sweep (about 450 M in 24 s).
    public static let nanosecondsPerPageOperation = 50.0
    /// Threads, page-table set-up and teardown per cell.
    public static let cellOverheadSeconds = 0.005
    /// Estimates above this are announced before the sweep starts.
    public static let longSeconds = 600.0

    /// Estimated seconds to run `cells` with `settings`.
    public static func seconds(cells: [SweepCell], settings: WorkloadSettings) -> Double {
        var operations = 0.0
        for cell in cells {
            let pages = Double(cell.memoryPerVCPU.pages) * Double(cell.vcpus)
            operations += pages
            if settings.agingOnly {
                // Making pages young, the pass itself and the reference's pass.
                operations += pages * 3 * Double(settings.agingOnlyPasses)
            } else {
                operations += pages * Double(settings.rounds)
            }
        }
        return operations * nanosecondsPerPageOperation / 1e9 + Double(cells.count) * cellOverheadSeconds
    }

    /// "45s", "12m 5s", "3h 20m", "4d 2h".
    public static func describe(seconds: Double) -> String {
        guard seconds.isFinite, seconds < 1e12 else { return "forever" }
        let total = Int(seconds.rounded())
        switch total {
        case ..<60: return "\(total)s"
        case ..<3600: return "\(total / 60)m \(total % 60)s"
        case ..<86400: return "\(total / 3600)h \(total % 3600 / 60)m"
        default: return "\(total / 86400)d \(total % 86400 / 3600)h"
        }
    }
}
