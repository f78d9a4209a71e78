import Results

extension DriverLabel {
    /// The `driver` column of a cell the aging driver ran in `mode`.
    init(_ mode: DriverMode) {
        switch mode {
        case .evictionOnly: self = .evictionOnly
        case .perPage: self = .perPage
        case .bitmap: self = .bitmap
        }
    }
}
