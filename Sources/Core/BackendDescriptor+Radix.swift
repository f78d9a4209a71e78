extension BackendDescriptor {
    /// A backend that is the shared `RadixMMU` engine with its own capabilities: all a radix
    /// backend's folder has to state is what it chooses.
    public static func radix(
        name: String, summary: String, supportsAccessTracking: Bool = false,
        capabilities: @escaping @Sendable (MMUConfiguration) -> BackendCapabilities
    ) -> BackendDescriptor {
        BackendDescriptor(
            name: name, summary: summary, supportsAccessTracking: supportsAccessTracking,
            capabilities: capabilities,
            make: { RadixMMU(capabilities: capabilities($0), gfnCount: $0.gfnCount, name: name) })
    }
}
