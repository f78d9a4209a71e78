import Foundation
import Results

/// What `--resume` takes from an existing output: its finished cells, keyed by their index in the
/// sweep, after checking that the file belongs to this sweep.
///
/// Contract: the file must exist and be a results file in `--format`'s format. Its recorded sweep
/// identity (the CSV sidecar mark, or a JSON file's `context.sweep`) must equal this run's; a file
/// without one (a complete CSV, or JSON from before identities were recorded) is checked row by
/// row instead. Either way every row must be a cell of this sweep and shard, at most once, made by
/// the same commit and build, with the same workload. Any mismatch is refused with one line naming
/// it, since mixing cells of two sweeps in one file would make them look comparable.
enum ResumeState {
    /// The finished cells of the results file at `path`, written in `format` by an earlier run
    /// of the sweep `plan` with `settings`, whose identity must be `identity`.
    static func load(
        path: String, format: OutputFormat, plan: SweepPlan, settings: WorkloadSettings,
        identity: SweepIdentity, context: RunContext
    ) throws(InputError) -> [Int: RunRecord] {
        let what = "cannot resume '\(path)'"
        guard FileManager.default.fileExists(atPath: path) else {
            throw InputError("\(what): no such file (run without --resume to start the sweep)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("\(what): the file cannot be read")
        }
        let text = String(decoding: data, as: UTF8.self)
        let records: [RunRecord]
        var recorded: SweepIdentity?
        switch format {
        case .csv:
            records = try CSVWriter.records(text, what: what)
            let sidecar = IncompleteMarker.sidecarPath(for: path)
            if FileManager.default.fileExists(atPath: sidecar) {
                guard let mark = FileManager.default.contents(atPath: sidecar) else {
                    throw InputError("\(what): its mark '\(sidecar)' cannot be read")
                }
                recorded = try IncompleteMarker.readSidecar(String(decoding: mark, as: UTF8.self), what: "\(what): mark '\(sidecar)'").1
            }
        case .json:
            let contents = try GoogleBenchmarkJSON.read(text, what: what)
            records = contents.records
            recorded = contents.sweep
        case .markdown:
            throw InputError("\(what): a Markdown summary cannot be resumed")
        }
        if let recorded, let difference = identity.mismatch(with: recorded) {
            throw InputError("\(what): not the same sweep: \(difference)")
        }
        return try cells(
            of: records, plan: plan, settings: settings, context: context, checkWorkload: format == .csv, what: what)
    }

    /// Maps each record to its cell index, refusing rows that are not cells of this sweep.
    static func cells(
        of records: [RunRecord], plan: SweepPlan, settings: WorkloadSettings, context: RunContext, checkWorkload: Bool,
        what: String
    ) throws(InputError) -> [Int: RunRecord] {
        let variant: VariantLabel = settings.accessTracking ? .accessTrackingOff : .standard
        func key(backend: String, variant: VariantLabel, bytes: UInt64, vcpus: Int, aging: AgingLabel, repetition: Int) -> String {
            "\(backend)(\(variant))/\(bytes)/vcpus:\(vcpus)/aging:\(aging)/rep:\(repetition)"
        }
        var indexOf: [String: Int] = [:]
        for cell in plan.cells {
            indexOf[key(backend: cell.backend, variant: variant, bytes: cell.memoryPerVCPU.bytes, vcpus: cell.vcpus,
                        aging: cell.agingLabel(agingOnly: settings.agingOnly), repetition: cell.repetition)] = cell.index
        }
        var found: [Int: RunRecord] = [:]
        for (number, record) in records.enumerated() {
            let name = key(backend: record.backend, variant: record.variant, bytes: record.memoryPerVCPUBytes,
                           vcpus: record.vcpus, aging: record.aging, repetition: record.repetition)
            let row = "row \(number + 1) (\(name))"
            let checks: [(String, String, String)] = [
                ("commit", record.commit, context.commit),
                ("build", record.build, context.build),
                ("schema", String(record.schema), String(RunRecord.schemaVersion)),
            ] + (checkWorkload ? [
                ("pattern", record.pattern, settings.pattern.rawValue),
                ("seed", String(record.seed), String(settings.seed)),
                ("write-percent", String(record.writePercent), String(settings.writePercent)),
                ("requests", record.requestWorkload, settings.requests?.rawValue ?? ""),
            ] : [])
            for (field, old, new) in checks where old != new {
                throw InputError("\(what): not the same sweep: \(row) has \(field) \(old.isEmpty ? "''" : old), this run has \(new)")
            }
            guard let index = indexOf[name] else {
                throw InputError("\(what): not the same sweep: \(row) is not a cell of this sweep\(plan.shard == .whole ? "" : " and shard")")
            }
            guard found.updateValue(record, forKey: index) == nil else {
                throw InputError("\(what): \(row) appears more than once")
            }
        }
        return found
    }
}
