import Core

/// `mmu_lock`'s state in virtual time, with qrwlock's rules (kernel/locking/qrwlock.c,
/// include/asm-generic/qrwlock.h): a reader goes in at once unless a writer holds the lock or
/// waits for it; a writer goes in at once only when nobody holds it and nobody waits; everyone
/// else waits in one FIFO queue (the wait lock). The queue's head writer waits for the readers
/// to drain, and readers arriving meanwhile queue behind it; readers at the head go in together
/// once no writer holds the lock.
///
/// Contract: the engine calls `request` when an agent asks and `release` when its hold ends,
/// each at its event; after a release, `admit` hands out the waiters that now hold the lock, in
/// queue order. The lock word's line moves are the engine's (`CacheLines`); `spinner` is the
/// waiter polling the word (the head of the queue), whose copy every other write invalidates.
struct VirtualLock {
    struct Waiter: Equatable {
        let agent: Int
        let exclusive: Bool
        let since: Double
    }

    private(set) var readers = 0
    private(set) var writerHolds = false
    private var queue: [Waiter] = []
    private var head = 0
    private var queuedWriters = 0

    var isQueueEmpty: Bool { head == queue.count }

    /// The waiter polling the lock word (qrwlock's head: a writer waiting for readers to drain,
    /// or a reader waiting for the writer to leave); nil when none waits.
    var spinner: Int? { isQueueEmpty ? nil : queue[head].agent }

    /// `agent` asks at `time`: true when it holds the lock at once, false when it queued.
    mutating func request(agent: Int, exclusive: Bool, at time: Double) -> Bool {
        if exclusive {
            if isQueueEmpty && readers == 0 && !writerHolds {
                writerHolds = true
                return true
            }
            queuedWriters += 1
        } else if queuedWriters == 0 && !writerHolds {
            readers += 1
            return true
        }
        queue.append(Waiter(agent: agent, exclusive: exclusive, since: time))
        return false
    }

    /// A hold ends.
    mutating func release(exclusive: Bool) {
        if exclusive {
            precondition(writerHolds, "a write release without a writer")
            writerHolds = false
        } else {
            precondition(readers > 0, "a read release without a reader")
            readers -= 1
        }
    }

    /// Hands `grant` the waiters that hold the lock now, in queue order: the head writer once
    /// the readers have drained, or the readers at the head once no writer holds it.
    mutating func admit(_ grant: (Waiter) -> Void) {
        var admittedReaders = false
        while !isQueueEmpty {
            let waiter = queue[head]
            if waiter.exclusive {
                guard !admittedReaders, readers == 0, !writerHolds else { return }
                writerHolds = true
                queuedWriters -= 1
                popHead()
                grant(waiter)
                return
            }
            guard !writerHolds else { return }
            readers += 1
            admittedReaders = true
            popHead()
            grant(waiter)
        }
    }

    /// The waiters `admit` hands out, as an array.
    mutating func admit() -> [Waiter] {
        var admitted: [Waiter] = []
        admit { admitted.append($0) }
        return admitted
    }

    private mutating func popHead() {
        head += 1
        if head > 1024 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
    }
}
