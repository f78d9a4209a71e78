import Core
import Results
#if canImport(Glibc)
import Glibc
#endif

/// Worker threads that run a sweep's cells handed to them one at a time: `SweepRunner`'s
/// parallel path.
///
/// Contract: `start(_:)` queues one cell, by its position in the runner's list, for the next idle
/// worker; `next()` blocks until a worker has finished a cell and returns that cell's position and
/// outcome, in the order cells finish; `finish()`, called once, lets the workers exit after every
/// queued cell is done and joins them. Each worker runs `body` for one position at a time and
/// touches nothing else of the pool's outside the lock, so what cells share is only what `body`
/// shares. Only the thread that made the pool may call its methods.
final class CellWorkers: @unchecked Sendable {
    // Safety: `state` is only read or written with `mutex` held, and the conditions are waited on
    // with it held. pthread primitives, not `Mutex` or `DispatchSemaphore`: ThreadSanitizer sees
    // their hand-offs (see Core's `Locked`), so a report under it is about the cells, not the pool.
    // `threads` is touched only by the thread that made the pool.

    /// What running one cell gave: its row (nil when it had none to give), or why it could not run.
    typealias Outcome = Result<RunRecord?, InputError>

    private struct State {
        /// Positions queued and not yet taken, oldest first.
        var queued: [Int] = []
        /// Cells finished and not yet returned by `next()`, oldest first.
        var finished: [(position: Int, outcome: Outcome)] = []
        /// No more cells will be queued: idle workers exit.
        var closed = false
    }

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let cellQueued: UnsafeMutablePointer<pthread_cond_t>
    private let cellFinished: UnsafeMutablePointer<pthread_cond_t>
    private let state: UnsafeMutablePointer<State>
    private var threads: [OSThread] = []

    /// Starts `count` workers, each running `body` for every position it takes.
    init(count: Int, body: @escaping @Sendable (Int) -> Outcome) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
        cellQueued = .allocate(capacity: 1)
        cellQueued.initialize(to: pthread_cond_t())
        precondition(pthread_cond_init(cellQueued, nil) == 0, "pthread_cond_init failed")
        cellFinished = .allocate(capacity: 1)
        cellFinished.initialize(to: pthread_cond_t())
        precondition(pthread_cond_init(cellFinished, nil) == 0, "pthread_cond_init failed")
        state = .allocate(capacity: 1)
        state.initialize(to: State())
        threads = (0..<max(1, count)).map { _ in OSThread { [self] in work(body) } }
    }

    deinit {
        pthread_cond_destroy(cellFinished)
        cellFinished.deinitialize(count: 1)
        cellFinished.deallocate()
        pthread_cond_destroy(cellQueued)
        cellQueued.deinitialize(count: 1)
        cellQueued.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Queues the cell at `position` for the next idle worker.
    func start(_ position: Int) {
        pthread_mutex_lock(mutex)
        precondition(!state.pointee.closed, "CellWorkers.start after finish()")
        state.pointee.queued.append(position)
        pthread_cond_signal(cellQueued)
        pthread_mutex_unlock(mutex)
    }

    /// Waits for the next cell to finish; call only while a started cell has not been returned.
    func next() -> (position: Int, outcome: Outcome) {
        pthread_mutex_lock(mutex)
        while state.pointee.finished.isEmpty {
            pthread_cond_wait(cellFinished, mutex)
        }
        let first = state.pointee.finished.removeFirst()
        pthread_mutex_unlock(mutex)
        return first
    }

    /// Lets the workers exit once every queued cell is done, and waits for them.
    func finish() {
        pthread_mutex_lock(mutex)
        state.pointee.closed = true
        pthread_cond_broadcast(cellQueued)
        pthread_mutex_unlock(mutex)
        threads.forEach { $0.join() }
        threads = []
    }

    /// One worker: takes queued positions until the pool is closed and nothing is left.
    private func work(_ body: @Sendable (Int) -> Outcome) {
        while true {
            pthread_mutex_lock(mutex)
            while state.pointee.queued.isEmpty && !state.pointee.closed {
                pthread_cond_wait(cellQueued, mutex)
            }
            guard !state.pointee.queued.isEmpty else {
                pthread_mutex_unlock(mutex)
                return
            }
            let position = state.pointee.queued.removeFirst()
            pthread_mutex_unlock(mutex)

            let outcome = body(position)

            pthread_mutex_lock(mutex)
            state.pointee.finished.append((position, outcome))
            pthread_cond_signal(cellFinished)
            pthread_mutex_unlock(mutex)
        }
    }
}
