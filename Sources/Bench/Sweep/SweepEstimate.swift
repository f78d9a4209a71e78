import Core
import Results

/// A rough, up-front estimate of how long a sweep runs, so a long one says so before it starts.
///
/// Contract: counts page operations (a fault per page of populate, an access per page of each
/// round, an aging pass and the C reference's pass per page with `--aging-only`) and prices them:
/// a fault at the cost model's fault remainder plus `nanosecondsPerFaultWork`, an aged page at the
/// aging remainder plus `nanosecondsPerPageOperation`, anything else at
/// `nanosecondsPerPageOperation` (the bare model's rate on a release build), with vCPUs beyond the
/// CPUs taking turns; plus `cellOverheadSeconds` per cell. It is meant to tell minutes from hours,
/// not to predict: debug builds and busy machines are slower, and progress replaces it with
/// measured time once the first cell is done.
public enum SweepEstimate {
    /// Release-build cost of one bare page operation (access, reference pass, raw fault).
    public static let nanosecondsPerPageOperation = 50.0
    /// Release-build cost of a fault's own work with the host side (GUP step, zeroing, install).
    public static let nanosecondsPerFaultWork = 250.0
    /// Threads, page-table set-up and teardown per cell.
    public static let cellOverheadSeconds = 0.005
    /// Estimates above this are announced before the sweep starts.
    public static let longSeconds = 600.0

    /// What the virtual engine spends per fault and per access of every vCPU, all on one thread
    /// (a 112-vCPU × 1 GiB cell with 4 rounds took 98 s here).
    public static let virtualNanosPerFault = 1000.0
    public static let virtualNanosPerAccess = 500.0

    /// Estimated seconds to run `cells` with `settings`.
    public static func seconds(cells: [SweepCell], settings: WorkloadSettings) -> Double {
        if settings.engine == .virtual {
            let pages = cells.reduce(0.0) { $0 + Double($1.memoryPerVCPU.pages) * Double($1.vcpus) }
            let perPage = virtualNanosPerFault + Double(settings.rounds) * virtualNanosPerAccess
            return pages * perPage / 1e9 + Double(cells.count) * cellOverheadSeconds
        }
        let costs = settings.costs
        let fault = costs.faultRemainderNanos + (costs.hostSide ? nanosecondsPerFaultWork : nanosecondsPerPageOperation)
        let aged = costs.agingRemainderNanosPerPage + nanosecondsPerPageOperation
        let cpus = Double(max(1, OSThread.allowedCPUs))
        var nanoseconds = 0.0
        for cell in cells {
            let pagesPerVCPU = Double(cell.memoryPerVCPU.pages)
            let pages = pagesPerVCPU * Double(cell.vcpus)
            // vCPUs run in parallel up to the CPUs, then take turns.
            let turns = max(1, Double(cell.vcpus) / cpus)
            nanoseconds += pagesPerVCPU * fault * turns
            if settings.agingOnly {
                // Making pages young and the reference's pass, then the pass itself.
                nanoseconds += pages * Double(settings.agingOnlyPasses) * (2 * nanosecondsPerPageOperation + aged)
            } else {
                nanoseconds += pagesPerVCPU * Double(settings.rounds) * nanosecondsPerPageOperation * turns
            }
        }
        return nanoseconds / 1e9 + Double(cells.count) * cellOverheadSeconds
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
