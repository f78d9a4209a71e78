/// Where and how a set of runs was made: the metadata that JSON puts in its `context` object.
///
/// Contract: plain values with no behaviour; `detect(build:)` fills it from the running machine,
/// and tests or replays build it by hand. The same values are copied into every `RunRecord`, so a
/// CSV row never depends on a context being kept alongside it.
public struct RunContext: Sendable, Hashable {
    /// Short git commit of the suite's own source tree (not of the directory it runs in), "-dirty"
    /// appended when tracked files differ, or "unknown" when the sources are not a git checkout.
    public var commit: String
    /// Host name.
    public var host: String
    /// CPU model name, or "unknown".
    public var cpuModel: String
    /// Online CPU count.
    public var cores: Int
    /// "release" or "debug".
    public var build: String
    /// ISO 8601 UTC time: when the run started while it runs, when it ended once its results are written.
    public var timestamp: String
    /// Path the binary was started as.
    public var executable: String
    /// Host kernel release (`uname -r`), or "unknown".
    public var kernel: String
    /// Transparent huge pages setting (the selected value in
    /// /sys/kernel/mm/transparent_hugepage/enabled), or "unknown".
    public var thp: String
    /// The Swift compiler the suite was built with, e.g. "swift-6.3".
    public var toolchain: String
    /// The command line, arguments joined by spaces (each quoted when it needs it).
    public var commandLine: String
    /// Level, size and type of each CPU cache, as the OS tells (empty when it does not).
    public var caches: [CacheInfo]
    /// The CPU clock in MHz where the OS tells, else 0.
    public var megahertz: Double

    /// One CPU cache, as Google Benchmark's context lists it.
    public struct CacheInfo: Sendable, Hashable {
        public var type: String
        public var level: Int
        public var size: Int
        public var sharing: Int
        public init(type: String, level: Int, size: Int, sharing: Int) {
            self.type = type
            self.level = level
            self.size = size
            self.sharing = sharing
        }
    }

    /// Creates a context from known values.
    public init(
        commit: String, host: String, cpuModel: String, cores: Int, build: String, timestamp: String, executable: String,
        kernel: String = "unknown", thp: String = "unknown", toolchain: String = RunContext.compiler,
        commandLine: String = "", caches: [CacheInfo] = [], megahertz: Double = 0
    ) {
        self.commit = commit
        self.host = host
        self.cpuModel = cpuModel
        self.cores = cores
        self.build = build
        self.timestamp = timestamp
        self.executable = executable
        self.kernel = kernel
        self.thp = thp
        self.toolchain = toolchain
        self.commandLine = commandLine
        self.caches = caches
        self.megahertz = megahertz
    }

    /// The compiler this suite was built with, as the compiler itself knows it.
    public static var compiler: String {
        #if compiler(>=6.5)
        return "swift-6.5+"
        #elseif compiler(>=6.4)
        return "swift-6.4"
        #elseif compiler(>=6.3)
        return "swift-6.3"
        #elseif compiler(>=6.2)
        return "swift-6.2"
        #elseif compiler(>=6.1)
        return "swift-6.1"
        #else
        return "swift-6.0"
        #endif
    }
}
