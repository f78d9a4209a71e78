/// How a backend's page table is organised.
public enum TableStructure: String, Sendable, Hashable {
    /// A radix tree walked by gfn (TDP MMU, arm64 stage-2).
    case radix
    /// Shadow pages found through an rmap from gfn to the entries that map it.
    case rmap
}
