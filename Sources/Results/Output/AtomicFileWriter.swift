import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes result files so that a reader never sees a half-written file and nothing but a regular
/// file is ever replaced, and checks up front that writing will work.
///
/// Contract:
/// - A symlink at the path is followed (up to 40 links) and its final target is written, so the
///   link stays and points at the new contents; a dangling link creates its target.
/// - The final target must be a regular file or not exist. A directory, device, FIFO or socket is
///   refused, never replaced: `rename(2)` would silently turn `/dev/null` into a file.
/// - `write` puts the text in a temporary file `.<name>.tmp.<pid>.<n>` in the target's directory,
///   gives it the replaced file's mode and owner, flushes it to disk, then `rename(2)`s it over the
///   target, which POSIX makes atomic within one file system (hence the same directory). On failure
///   the temporary file is removed and the target is left as it was.
/// - The target's directory must exist, unless `createParent` is set (the CLI sets it only for its
///   default `results/`, so a typo elsewhere is an error rather than a new directory tree).
/// - `checkWritable` is meant to run before a sweep, so a bad `--output` costs seconds rather than
///   the sweep's results.
/// Every failure is an `InputError` of the form "cannot write results to '<path>': <reason>".
public enum AtomicFileWriter {
    /// Distinguishes temporary files of concurrent writes from one process.
    private static let sequence = Atomic<Int>(0)

    /// Atomically replaces (or creates) the regular file at `path`, or its symlink's target, with `text`.
    ///
    /// - Parameters:
    ///   - createParent: create missing parent directories instead of refusing.
    /// - Throws: `InputError` when the path is not a regular file, its directory is missing or
    ///   cannot be written, or writing fails.
    public static func write(_ text: String, to path: String, createParent: Bool = false) throws(InputError) {
        let target = try Target(path, createParent: createParent)
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
        if let existing = target.existing {
            // Replacing a file should not change who may read it; best effort, as a non-root user
            // cannot give a file away.
            _ = fchmod(temporary.descriptor, existing.st_mode & 0o7777)
            _ = fchown(temporary.descriptor, existing.st_uid, existing.st_gid)
        }
        let closeFailure = close(temporary.descriptor) == 0 ? nil : errno
        if let code = failure ?? closeFailure {
            unlink(temporary.path)
            throw target.error(code)
        }
        // Something may have appeared at the path since it was checked; a rename would replace it.
        do throws(InputError) {
            try target.requireStillReplaceable()
        } catch {
            unlink(temporary.path)
            throw error
        }
        if rename(temporary.path, target.path) != 0 {
            let code = errno
            unlink(temporary.path)
            throw target.error(code)
        }
    }

    /// Verifies that results can later be written to `path`.
    ///
    /// Proves writability by creating and deleting the same kind of temporary file `write` uses,
    /// because permission bits alone miss read-only mounts, ACLs and full quotas.
    ///
    /// - Parameters:
    ///   - createParent: create missing parent directories (they are kept) instead of refusing.
    /// - Throws: `InputError` for the cases `write` refuses.
    public static func checkWritable(path: String, createParent: Bool = false) throws(InputError) {
        let target = try Target(path, createParent: createParent)
        let temporary = try target.createTemporary()
        close(temporary.descriptor)
        unlink(temporary.path)
    }

    /// A destination path, its symlinks followed, split into the pieces the steps above need.
    private struct Target {
        /// The path as the caller gave it, for messages.
        let requested: String
        /// The file that will be replaced or created.
        let path: String
        let directory: String
        let name: String
        /// What is at `path` now, if anything (always a regular file).
        let existing: stat?

        init(_ requested: String, createParent: Bool) throws(InputError) {
            self.requested = requested
            func fail(_ reason: String) -> InputError {
                InputError("cannot write results to '\(requested)': \(reason)")
            }
            guard !requested.isEmpty else { throw InputError("cannot write results to '': the path is empty") }
            var current = requested
            var info = stat()
            var found: stat?
            var hops = 0
            while true {
                if lstat(current, &info) != 0 {
                    let code = errno
                    guard code == ENOENT else { throw fail(String(cString: strerror(code))) }
                    found = nil
                    break
                }
                guard (info.st_mode & S_IFMT) == S_IFLNK else {
                    found = info
                    break
                }
                hops += 1
                guard hops <= 40, let link = Self.readLink(current) else {
                    throw fail(hops > 40 ? "too many levels of symbolic links" : "cannot read the symbolic link")
                }
                current = link.hasPrefix("/") ? link : Self.split(current).directory + "/" + link
            }
            if let found, let kind = Self.kindName(found.st_mode) {
                throw fail("it is \(kind); results replace only a regular file")
            }
            path = current
            existing = found
            (directory, name) = Self.split(current)
            if name.isEmpty || name == "." || name == ".." {
                throw fail("the path names a directory; results replace only a regular file")
            }
            var parent = stat()
            if stat(directory, &parent) != 0 {
                let code = errno
                guard code == ENOENT else { throw fail(String(cString: strerror(code))) }
                guard createParent else { throw fail("directory '\(directory)' does not exist") }
                if let code = Self.makeDirectories(directory) { throw fail(String(cString: strerror(code))) }
            } else if (parent.st_mode & S_IFMT) != S_IFDIR {
                throw fail("'\(directory)' is not a directory")
            }
        }

        func error(_ code: Int32) -> InputError {
            InputError("cannot write results to '\(requested)': \(String(cString: strerror(code)))")
        }

        func requireStillReplaceable() throws(InputError) {
            var info = stat()
            if lstat(path, &info) == 0, let kind = Self.kindName(info.st_mode) ?? ((info.st_mode & S_IFMT) == S_IFLNK ? "a symbolic link" : nil) {
                throw InputError("cannot write results to '\(requested)': it became \(kind) during the run; left untouched")
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

        /// What a non-regular, non-link file is, for the refusal message; nil for a regular file.
        static func kindName(_ mode: mode_t) -> String? {
            switch mode & S_IFMT {
            case S_IFREG, S_IFLNK: nil
            case S_IFDIR: "a directory"
            case S_IFCHR: "a character device"
            case S_IFBLK: "a block device"
            case S_IFIFO: "a FIFO"
            case S_IFSOCK: "a socket"
            default: "not a regular file"
            }
        }

        static func split(_ path: String) -> (directory: String, name: String) {
            guard let slash = path.lastIndex(of: "/") else { return (".", path) }
            let parent = String(path[..<slash])
            return (parent.isEmpty ? "/" : parent, String(path[path.index(after: slash)...]))
        }

        static func readLink(_ path: String) -> String? {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(path, &buffer, buffer.count - 1)
            guard count > 0 else { return nil }
            return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        /// `mkdir -p`; returns the errno of the first failure, nil when the directory exists afterwards.
        static func makeDirectories(_ directory: String) -> Int32? {
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
