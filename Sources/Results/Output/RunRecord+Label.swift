extension RunRecord {
    /// The backend as shown in summaries and benchmark names: `backend(variant)` unless the variant
    /// is "default" or empty, so two variants of one backend never collapse into one row.
    public var backendLabel: String {
        BackendLabel.render(backend: backend, variant: variant.rawValue)
    }
}
