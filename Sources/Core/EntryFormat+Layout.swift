extension EntryFormat {
    /// The bits `agingbench list` explains, read from the masks themselves, so a format a backend
    /// folder defines is described without anyone writing the description:
    /// "present 0-2, writable 1, accessed 8, dirty 9, mapped 11".
    public var layoutDescription: String {
        var parts = ["present \(Self.bitList(hardwarePresentMask))", "writable \(Self.bitList(writableMask))"]
        parts.append(accessedMask == 0 ? "no accessed bit (aging parks the entry)" : "accessed \(Self.bitList(accessedMask))")
        if dirtyMask != 0 { parts.append("dirty \(Self.bitList(dirtyMask))") }
        if mappedMask != hardwarePresentMask { parts.append("mapped \(Self.bitList(mappedMask))") }
        if pfnShift != 12 { parts.append("pfn from \(pfnShift)") }
        return parts.joined(separator: ", ")
    }

    /// The set bits of `mask` as positions and ranges: 0b111 → "0-2", 1 << 8 | 1 << 10 → "8, 10".
    static func bitList(_ mask: UInt64) -> String {
        let bits = (0..<64).filter { mask & (1 << UInt64($0)) != 0 }
        var ranges: [String] = []
        var index = 0
        while index < bits.count {
            var end = index
            while end + 1 < bits.count && bits[end + 1] == bits[end] + 1 { end += 1 }
            ranges.append(end == index ? "\(bits[index])" : "\(bits[index])-\(bits[end])")
            index = end + 1
        }
        return ranges.isEmpty ? "none" : ranges.joined(separator: ", ")
    }
}
