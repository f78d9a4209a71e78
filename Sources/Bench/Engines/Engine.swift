/// Which engine runs a cell.
public enum Engine: String, Sendable, CaseIterable {
    /// Real threads, atomics and locks on the machine's CPUs (`CellRunner`).
    case real
    /// Agents on one thread in virtual time (`VirtualEngine`), with costs from the calibration.
    case virtual
}
