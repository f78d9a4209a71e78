/// Where an access stands in a request (`RequestWorkload`): the first access of a request
/// `starts` it, the last `ends` it, and a one-access request does both.
///
/// Contract: outside request workloads, and in populate, every access has the empty edge. A
/// vCPU's step carries `starts` only on the first attempt of the request's first access and
/// `ends` only on the attempt that completes its last access (not on one that faulted), so an
/// engine times a request from when its first access was issued to when its last completed.
struct RequestEdge: OptionSet, Sendable, Hashable {
    let rawValue: UInt8

    static let starts = RequestEdge(rawValue: 1 << 0)
    static let ends = RequestEdge(rawValue: 1 << 1)
}
