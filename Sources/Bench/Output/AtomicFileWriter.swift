import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes result files so that a reader never sees a half-written file, and checks up front that
/// writing will work.
///
/// Contract: `write` puts the text in a temporary file `.<name>.tmp.<pid>.<n>` in the target's
/// directory, flushes it to disk, then `rename(2)`s it over the target, which POSIX makes atomic
/// within one file system (hence the same directory). Missing parent directories are created. On
/// failure the temporary file is removed and the target is left as it was. `checkWritable` is
/// meant to run before a sweep, so that a typo in `--output` costs seconds rather than the whole
/// sweep's results. Every failure is an `InputError` of the form
/// "cannot write results to '<path>': <reason>".
public enum AtomicFileWriter {
    /// Distinguishes temporary files of concurrent writes from one process.
    private static let sequence = Atomic<Int>(0)

    /// Atomically replaces (or creates) the file at `path` with `text`.
    ///
    /// - Throws: `InputError` when the directory cannot be created or written, or `path` is a directory.
    public static func write(_ text: String, to path: String) throws(InputError) {
        let target = Target(path)
        try target.makeParent()
        try target.rejectDirectory()
        let temporary = try target.createTemporary()
        let bytes = Array(text.utf8)
        let failure: Int32? = bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(temporary.descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            // Without fsync a crash right after rename can leave an empty file under the final name.
            return fsync(temporary.descriptor) == 0 ? nil : errno
        }
        let closeFailure = close(temporary.descriptor) == 0 ? nil : errno
        if let code = failure ?? closeFailure {
            unlink(temporary.path)
            throw target.error(code)
        }
        if rename(temporary.path, path) != 0 {
            let code = errno
            unlink(temporary.path)
            throw target.error(code)
        }
    }

    /// Verifies that results can later be written to `path`, creating its parent directory if needed.
    ///
    /// Proves writability by creating and deleting the same kind of temporary file `write` uses,
    /// because permission bits alone miss read-only mounts, ACLs and full quotas.
    ///
    /// - Throws: `InputError` when `path` is a directory or its directory cannot be created or written.
    public static func checkWritable(path: String) throws(InputError) {
        let target = Target(path)
        try target.makeParent()
        try target.rejectDirectory()
        let temporary = try target.createTemporary()
        close(temporary.descriptor)
        unlink(temporary.path)
    }

    /// A destination path split into the pieces the steps above need.
    private struct Target {
        let path: String
        let directory: String
        let name: String

        init(_ path: String) {
            self.path = path
            if let slash = path.lastIndex(of: "/") {
                let parent = String(path[..<slash])
                directory = parent.isEmpty ? "/" : parent
                name = String(path[path.index(after: slash)...])
            } else {
                directory = "."
                name = path
            }
        }

        func error(_ code: Int32) -> InputError {
            error(String(cString: strerror(code)))
        }

        func error(_ reason: String) -> InputError {
            InputError("cannot write results to '\(path)': \(reason)")
        }

        func makeParent() throws(InputError) {
            if name.isEmpty || name == "." || name == ".." {
                throw error("Is a directory")
            }
            if let code = makeDirectories(directory) {
                throw error(code)
            }
        }

        func rejectDirectory() throws(InputError) {
            var info = stat()
            if stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
                throw error(EISDIR)
            }
        }

        func createTemporary() throws(InputError) -> (path: String, descriptor: Int32) {
            // O_EXCL so a leftover file of a crashed run, or a planted symlink, is never written through.
            while true {
                let n = AtomicFileWriter.sequence.wrappingAdd(1, ordering: .relaxed).oldValue
                let temporary = "\(directory)/.\(name).tmp.\(getpid()).\(n)"
                let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
                if descriptor >= 0 { return (temporary, descriptor) }
                let code = errno
                if code != EEXIST && code != EINTR { throw error(code) }
            }
        }

        /// `mkdir -p`; returns the errno of the first failure, nil when the directory exists afterwards.
        private func makeDirectories(_ directory: String) -> Int32? {
            var info = stat()
            if stat(directory, &info) == 0 {
                return (info.st_mode & S_IFMT) == S_IFDIR ? nil : ENOTDIR
            }
            if let slash = directory.lastIndex(of: "/"), slash != directory.startIndex {
                if let code = makeDirectories(String(directory[..<slash])) { return code }
            }
            // EEXIST: another process created it between our stat and mkdir, which is fine.
            if mkdir(directory, 0o777) != 0 && errno != EEXIST { return errno }
            return nil
        }
    }
}

/// The POSIX `write`, which `AtomicFileWriter.write` shadows inside the type.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
