import Foundation
import Core
import Testing

/// The directories `makeScratchDirectory()` made during one test.
///
/// Shared by the test's body and whatever it calls on the same task, hence the lock.
final class ScratchRegistry: Sendable {
    @TaskLocal static var current: ScratchRegistry?

    private let directories = Locked<[URL]>([])

    func add(_ url: URL) {
        directories.withLock { $0.append(url) }
    }

    func removeAll() {
        for url in directories.withLock({ $0 }) {
            try? FileManager.default.removeItem(at: url)
        }
    }
}

/// A trait that removes every scratch directory a test made once it ends, pass or fail, so a
/// `swift test` run leaves nothing in the temporary directory (`.ci/run` checks it).
struct ScratchCleanup: TestTrait, SuiteTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // A recursive suite trait is also asked to scope the suite itself; only test cases make files.
        guard testCase != nil else {
            try await function()
            return
        }
        let registry = ScratchRegistry()
        defer { registry.removeAll() }
        try await ScratchRegistry.$current.withValue(registry) { try await function() }
    }
}

extension Trait where Self == ScratchCleanup {
    /// Removes the test's scratch directories when it ends.
    static var scratchCleanup: ScratchCleanup { ScratchCleanup() }
}
