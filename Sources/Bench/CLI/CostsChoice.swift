import ArgumentParser

/// The values of `--costs`: what a cell's faults and aging passes cost beyond the bare secondary
/// MMU (`CostModel`).
enum CostsChoice: String, CaseIterable, ExpressibleByArgument {
    /// The host side plus this host's calibrated remainders (read once the calibration is loaded).
    case calibrated
    /// The host side and no remainders: the model's own work.
    case hostOnly = "host-only"
    /// The bare secondary MMU.
    case raw

    /// The cost model before any calibration is read: a calibrated run starts from the host side
    /// alone and takes its remainders from the calibration.
    var uncalibratedModel: CostModel {
        self == .raw ? .raw : .hostOnly
    }
}
