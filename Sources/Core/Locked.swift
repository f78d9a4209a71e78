#if canImport(Glibc)
import Glibc
#endif

/// A value behind a pthread mutex, for state that threads share off the hot paths (retired
/// tables, quarantined pages, what a test's threads report).
///
/// Contract: `withLock` runs `body` with the value while no other `withLock` on this instance
/// runs, and everything one `withLock` did happens before the next one begins.
///
/// Why not the standard library's `Mutex`: on Linux a contended `Mutex` hands the lock over
/// inside the kernel (a priority-inheritance futex), where ThreadSanitizer sees no
/// synchronization, so it reported an access race between two threads' `withLock` bodies. A
/// pthread mutex is one ThreadSanitizer understands, so its reports stay about the model.
public final class Locked<Value>: @unchecked Sendable {
    // Safety: `value` is only touched inside `withLock`, under `mutex`. Both live at fixed
    // addresses of their own: a pthread mutex must not move, and with the value in a stored
    // `var`, ThreadSanitizer reported `Locked<Void>`'s access to it as racing with another
    // thread's read of the object's start (a zero-sized property has no storage of its own).
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let value: UnsafeMutablePointer<Value>

    public init(_ value: Value) {
        self.value = .allocate(capacity: 1)
        self.value.initialize(to: value)
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
        value.deinitialize(count: 1)
        value.deallocate()
    }

    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value.pointee)
    }
}
