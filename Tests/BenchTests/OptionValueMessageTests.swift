import Foundation
import Testing

/// A bad value of an option whose values are an enum is refused by the argument parser: as a user
/// runs the binary, that must still be one clear line on stderr and exit status 2, and the line
/// must say as much as the hand-written messages it replaced did (the bad value and every valid
/// one), plus which option it was.
@Suite(.scratchCleanup) struct OptionValueMessageTests {
    /// Each option with an enum's values: the command line before it, and its valid values.
    static let options: [(command: [String], option: String, valid: [String])] = [
        (["run"], "--driver", ["default", "eviction-only", "per-page", "bitmap"]),
        (["run"], "--costs", ["calibrated", "host-only", "raw"]),
        (["run"], "--engine", ["real", "virtual"]),
        (["run", "--engine", "virtual"], "--schedule", ["deterministic", "random"]),
        (["run", "--engine", "virtual"], "--placement", ["spread", "fill"]),
        (["run"], "--pattern", ["uniform", "sequential", "hotcold"]),
        (["run"], "--requests", ["kv", "chase"]),
        (["run"], "--format", ["csv", "json", "markdown"]),
        (["ablation", "--arch", "x86"], "--costs", ["calibrated", "host-only", "raw"]),
    ]

    @Test(arguments: 0..<options.count, ["sometimes", "", "-x"])
    func aBadValueIsOneLineNamingTheOptionTheValueAndTheChoices(_ index: Int, _ bad: String) throws {
        let (command, option, valid) = Self.options[index]
        let output = makeScratchDirectory().appendingPathComponent("never.csv").path
        let (status, errors) = try runBinary(command + ["--output", output, option, bad])
        #expect(status == 2)
        let lines = errors.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1, "one line, got: \(errors)")
        let line = String(lines.first ?? "")
        #expect(line.hasPrefix("agingbench: error: "))
        #expect(line.contains("'\(bad)'"), "the bad value is named: \(line)")
        #expect(line.contains(option), "the option is named: \(line)")
        for value in valid {
            #expect(line.contains("'\(value)'"), "the valid value \(value) is listed: \(line)")
        }
        #expect(!errors.contains("Fatal error") && !errors.contains("Usage:") && !errors.contains("USAGE:"))
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
