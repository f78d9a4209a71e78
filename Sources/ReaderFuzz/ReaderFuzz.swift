import Results
import Foundation

// Every reader of a results file, fed the same bytes: each must return or throw `InputError`,
// never trap; compare and history run on whatever the comparison reader accepts. What the CSV reader accepts must also survive a write and a second read unchanged,
// or `--resume` would rewrite a file into something it then reads differently.
func exerciseReaders(_ bytes: UnsafeRawBufferPointer) {
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? CSVWriter.parse(text)
    if let records = try? CSVWriter.records(text, what: "input") {
        let written = CSVWriter.document(records)
        guard let again = try? CSVWriter.records(written, what: "rewritten input"), CSVWriter.document(again) == written else {
            fatalError("CSV records do not survive a write and a read")
        }
    }
    _ = try? GoogleBenchmarkJSON.read(text, what: "input")
    _ = try? IncompleteMarker.readSidecar(text, what: "input")
    // What `merge` (and `compare`) read: either format, told apart by content; merged with itself
    // it must be refused (every cell twice) unless it has no rows.
    if let file = try? ResultsFile.read(Data(bytes), what: "input") {
        let inputs = [(path: "a", file: file), (path: "b", file: file)]
        if (try? ResultsFile.merge(inputs)) != nil && !file.records.isEmpty {
            fatalError("a file merged with itself was accepted")
        }
    }
    // compare's reader, and compare itself on what it accepts (derived ratios, the tests, the reports).
    if let file = try? ResultTable.parse(Array(bytes), name: "input") {
        let report = Comparer.compare(base: file, new: file, settings: CompareSettings())
        _ = report.markdown()
        _ = report.json()
        _ = HistoryFile.entries(from: file, commit: "fuzz", settings: CompareSettings())
    }
}

#if FUZZING
/// libFuzzer's per-input callback.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    exerciseReaders(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// libFuzzer's driver (`int LLVMFuzzerRunDriver(int *, char ***, int (*)(const uint8_t *, size_t))`),
/// declared by hand: it has no header a Swift module can import.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's `main` to `<module>_main` (so tests can link executables);
/// built for fuzzing this target has no Swift entry point, so that name starts libFuzzer.
@_cdecl("ReaderFuzz_main")
public func readerFuzzMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}
#else
/// Without the fuzzer: replays files (the seed corpus, a crash artifact) through the same readers.
@main
enum ReaderReplay {
    static func main() {
        var replayed = 0
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("ReaderFuzz: cannot read \(path)\n".utf8))
                exit(2)
            }
            data.withUnsafeBytes(exerciseReaders)
            replayed += 1
        }
        print("ReaderFuzz: \(replayed) input(s) replayed, no failure")
    }
}
#endif
