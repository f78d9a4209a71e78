import Backends
import Core
import Results

extension Calibration {
    /// The virtual engine's costs for `configurations`; those this calibration lacks (a file
    /// made before the engine, or a backend registered since) are measured now at the
    /// calibration's size and written back to `path`, so every later run uses the same figures.
    ///
    /// - Parameters:
    ///   - configurations: the backends a sweep runs, each with its A/D-off flag.
    ///   - path: the calibration's file, rewritten when costs were added.
    ///   - progress: told, in one line without a line break, which costs are about to be measured (it takes a while).
    mutating func engineCosts(
        for configurations: [(descriptor: BackendDescriptor, accessTracking: Bool)], savingTo path: String,
        progress: (String) -> Void
    ) throws(InputError) -> EngineCosts {
        // The overheads come from x86-tdp's costs (the backend the calibration ran).
        let first = engine == nil && !configurations.contains { $0.descriptor.name == Calibrator.backend && !$0.accessTracking }
            ? Backends.named(Calibrator.backend).map { [($0, false)] } ?? [] : []
        let missing = (first + configurations).filter { configuration in
            engine?.backends[EngineCosts.key(
                backend: configuration.descriptor.name, accessTracking: configuration.accessTracking)] == nil
        }
        if let engine, missing.isEmpty { return engine }
        let names = missing.map { EngineCosts.key(backend: $0.descriptor.name, accessTracking: $0.accessTracking) }
        progress("agingbench: measuring the virtual engine's costs for \(names.joined(separator: ", ")), adding them to \(path)")
        let measured = try EngineCostMeter(memory: ByteSize(uncheckedBytes: memoryBytes)).measure(backends: missing)
        var costs = engine ?? measured
        for (key, backendCosts) in measured.backends { costs.backends[key] = backendCosts }
        if engine == nil {
            costs.setOverheads(
                realFaultNanos: modelFaultNanos,
                realAgedPageNanos: modelPassSeconds / max(1, modelPagesPerPass) * 1e9)
        }
        engine = costs
        try AtomicFileWriter.checkWritable(path: path)
        try save(to: path)
        return costs
    }
}
