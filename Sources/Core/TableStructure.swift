/// How a backend's page table is organised.
public enum TableStructure: String, Sendable, Hashable, CaseIterable {
    /// A radix tree walked by gfn (TDP MMU, arm64 stage-2).
    case radix
    /// Shadow pages found through an rmap from gfn to the entries that map it.
    case rmap

    /// What the structure is, for `agingbench list`'s legend.
    public var meaning: String {
        switch self {
        case .radix: "a 4-level tree walked by gfn"
        case .rmap: "shadow pages found through an rmap"
        }
    }
}
