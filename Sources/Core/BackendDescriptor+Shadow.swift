extension BackendDescriptor {
    /// A backend that is the shared `ShadowMMU` engine (shadow paging, rmap) with its own
    /// capabilities: all an rmap backend's folder has to state is what it chooses.
    public static func shadow(
        name: String, summary: String,
        capabilities: @escaping @Sendable (MMUConfiguration) -> BackendCapabilities
    ) -> BackendDescriptor {
        BackendDescriptor(
            name: name, summary: summary, capabilities: capabilities,
            make: { ShadowMMU(capabilities: capabilities($0), gfnCount: $0.gfnCount, name: name) })
    }
}
