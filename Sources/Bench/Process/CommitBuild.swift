import Foundation
import Results

/// A release build of one commit of the repository in the current directory, for `ab --base`.
///
/// Contract: the build lives in a worktree and build cache under `.build-ab` of the repository's
/// top level, which are kept, so the next build of a nearby commit is incremental; the checkout
/// the user works in is never touched. Every failure is an `InputError` naming the step.
enum CommitBuild {
    /// Builds `commit` in release mode; returns the path of its `agingbench`.
    static func release(commit: String) throws(InputError) -> String {
        let (status, top) = Subprocess.capture("/usr/bin/env", ["git", "rev-parse", "--show-toplevel"])
        guard status == 0, let root = top.split(separator: "\n").first.map(String.init) else {
            throw InputError("--base needs a git repository: run ab inside the project's checkout")
        }
        let cache = "\(root)/.build-ab", source = "\(cache)/src"
        let (resolved, sha) = Subprocess.capture("/usr/bin/env", ["git", "-C", root, "rev-parse", "--verify", "\(commit)^{commit}"])
        guard resolved == 0, let id = sha.split(separator: "\n").first.map(String.init) else {
            throw InputError("--base '\(commit)' is not a commit of \(root)")
        }
        let steps: [[String]] = FileManager.default.fileExists(atPath: "\(source)/.git")
            ? [["git", "-C", source, "checkout", "--quiet", "--detach", "--force", id]]
            : [["git", "-C", root, "worktree", "add", "--quiet", "--detach", "--force", source, id]]
        for step in steps + [["swift", "build", "-c", "release", "--package-path", source, "--scratch-path", "\(cache)/build"]] {
            let (status, errors) = Subprocess.run("/usr/bin/env", step)
            guard status == 0 else {
                throw InputError("building --base \(commit): `\(step.joined(separator: " "))` failed (exit \(status)): \(Subprocess.lastLine(errors))")
            }
        }
        return "\(cache)/build/release/agingbench"
    }
}
