import Foundation
import Results

/// One host's calibration: the two remainders that make one vCPU with `memoryBytes` of guest
/// reproduce two published single-vCPU work figures, and what was measured on the way.
///
/// Contract: written as JSON by `agingbench calibrate` (or by `run` on a host with none yet),
/// read by `run`, which records `id` and both remainders in every row. `schema` versions the
/// file's fields; a file of another schema is refused with a message naming the file.
public struct Calibration: Codable, Sendable, Hashable {
    public static let schemaVersion = 1
    /// The published figures (v4 cover letter, x86 TDP MMU, THP off, 1 vCPU, 1 GiB).
    public static let publishedPopulateSeconds = 0.8788
    public static let publishedPassSeconds = 0.00731

    public var schema = Self.schemaVersion
    /// `host@created`, recorded in every row that used it.
    public var id: String
    public var host: String
    public var cpu: String
    /// ISO 8601 UTC time it was made.
    public var created: String
    /// Guest memory of the calibrating vCPU, in bytes.
    public var memoryBytes: UInt64
    /// The figures reproduced: populate without aging, and the average lockless per-page aging
    /// pass while the vCPU populates.
    public var targetPopulateSeconds: Double
    public var targetPassSeconds: Double
    /// The model's own work, before any remainder: per fault, and per pass with its present pages.
    public var modelFaultNanos: Double
    public var modelPassSeconds: Double
    public var modelPagesPerPass: Double
    /// The two remainders.
    public var faultRemainderNanos: Double
    public var agingRemainderNanosPerPage: Double
    /// The check after setting them: populate without aging, and the pass, both medians.
    public var checkedPopulateSeconds: Double
    public var checkedPassSeconds: Double
    /// What each operation costs, for the virtual engine; nil in a file made before it (filled
    /// in by the first virtual run, see `engineCosts(for:savingTo:progress:)`).
    public var engine: EngineCosts?

    /// The cost model a run with this calibration uses.
    public var costModel: CostModel {
        CostModel(
            hostSide: true, faultRemainderNanos: faultRemainderNanos,
            agingRemainderNanosPerPage: agingRemainderNanosPerPage, source: id)
    }

    /// Where `run` looks for this host's calibration by default. A debug build's work costs
    /// several times a release build's, so its calibration lives apart and never stands in for one.
    public static func defaultPath(host: String, build: String) -> String {
        let safe = String(host.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
        return "results/calibration-\(safe.isEmpty ? "host" : safe)\(build == "release" ? "" : "-" + build).json"
    }

    /// Reads a calibration file.
    /// - Throws: `InputError` naming the file when it is unreadable, malformed or of another schema.
    public static func load(from path: String) throws(InputError) -> Calibration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("cannot read calibration '\(path)'")
        }
        let calibration: Calibration
        do {
            calibration = try JSONDecoder().decode(Calibration.self, from: data)
        } catch {
            throw InputError("calibration '\(path)' is not a calibration file (run `agingbench calibrate`)")
        }
        guard calibration.schema == schemaVersion else {
            throw InputError("calibration '\(path)' has schema \(calibration.schema), this suite reads \(schemaVersion): run `agingbench calibrate`")
        }
        guard calibration.faultRemainderNanos.isFinite, calibration.faultRemainderNanos >= 0,
            calibration.agingRemainderNanosPerPage.isFinite, calibration.agingRemainderNanosPerPage >= 0,
            calibration.engine?.isValid ?? true
        else {
            throw InputError("calibration '\(path)' holds a negative or non-finite cost")
        }
        return calibration
    }

    /// Writes the file atomically; `createParent` makes a missing directory (the default `results/`).
    public func save(to path: String, createParent: Bool = false) throws(InputError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let text: String
        do {
            text = String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
        } catch {
            throw InputError("cannot encode the calibration: \(error)")
        }
        try AtomicFileWriter.write(text, to: path, createParent: createParent)
    }
}
