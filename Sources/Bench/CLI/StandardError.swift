#if canImport(Glibc)
import Glibc
#endif

/// Unbuffered writes to file descriptor 2 (C's `stderr` global is not concurrency-safe in Swift 6).
enum StandardError {
    static func write(_ text: String) {
        var copy = text
        copy.withUTF8 { bytes in _ = Glibc.write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
    }
}
