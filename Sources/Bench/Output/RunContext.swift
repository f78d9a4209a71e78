/// Where and how a set of runs was made: the metadata that JSON puts in its `context` object.
///
/// Contract: plain values with no behaviour; `detect(build:)` fills it from the running machine,
/// and tests or replays build it by hand. The same values are copied into every `RunRecord`, so a
/// CSV row never depends on a context being kept alongside it.
public struct RunContext: Sendable, Hashable {
    /// Short git commit of the suite, "-dirty" appended when tracked files differ, or "unknown".
    public var commit: String
    /// Host name.
    public var host: String
    /// CPU model name, or "unknown".
    public var cpuModel: String
    /// Online CPU count.
    public var cores: Int
    /// "release" or "debug".
    public var build: String
    /// ISO 8601 UTC time the sweep started.
    public var timestamp: String
    /// Path the binary was started as.
    public var executable: String

    /// Creates a context from known values.
    public init(commit: String, host: String, cpuModel: String, cores: Int, build: String, timestamp: String, executable: String) {
        self.commit = commit
        self.host = host
        self.cpuModel = cpuModel
        self.cores = cores
        self.build = build
        self.timestamp = timestamp
        self.executable = executable
    }
}
