import Core

/// `mmu_lock` in virtual time, with qrwlock's rules: a reader takes the lock at once unless a
/// writer holds it or waits for it; everyone else waits in one FIFO queue; a writer at the
/// head waits for the readers to drain; readers at the head behind a writer go in together once
/// it releases.
///
/// Contract: the engine runs an agent's critical section when the lock is granted, and knows
/// its length then, so a hold is recorded as an interval (`hold`) rather than by a release
/// event; the queue head's grant time (`headGrant`) is final once computed, because nothing can
/// take the lock ahead of a queued waiter. Times are virtual nanoseconds.
struct VirtualLock {
    struct Waiter: Equatable {
        let agent: Int
        let exclusive: Bool
        let since: Double
    }

    /// When the latest writer's hold ends, and the latest reader's.
    private(set) var writerUntil = 0.0
    private(set) var readersUntil = 0.0
    private var queue: [Waiter] = []
    private var head = 0
    private var queuedWriters = 0
    /// The agent whose atomic touched the lock word last (-1: none yet).
    private var lastToucher = -1

    var isQueueEmpty: Bool { head == queue.count }

    /// `agent` asks at `time`: true when it takes the lock at once (then `hold` must follow at
    /// `time`), false when it joined the queue.
    mutating func request(agent: Int, exclusive: Bool, at time: Double) -> Bool {
        let free = exclusive
            ? isQueueEmpty && writerUntil <= time && readersUntil <= time
            : queuedWriters == 0 && writerUntil <= time
        if free { return true }
        queue.append(Waiter(agent: agent, exclusive: exclusive, since: time))
        if exclusive { queuedWriters += 1 }
        return false
    }

    /// When the queue's head can take the lock, given every hold so far; nil when none waits.
    func headGrant(now: Double) -> (waiter: Waiter, time: Double)? {
        guard !isQueueEmpty else { return nil }
        let waiter = queue[head]
        let time = waiter.exclusive ? max(now, writerUntil, readersUntil) : max(now, writerUntil)
        return (waiter, time)
    }

    /// Takes the head off the queue (its grant has come).
    mutating func popHead() -> Waiter {
        let waiter = queue[head]
        head += 1
        if waiter.exclusive { queuedWriters -= 1 }
        if head > 1024 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return waiter
    }

    /// `agent`'s acquiring atomic: true when the lock word's line was last touched by another
    /// agent, so the acquisition moves it.
    mutating func touch(agent: Int) -> Bool {
        defer { lastToucher = agent }
        return lastToucher != agent && lastToucher >= 0
    }

    /// Records a hold that ends at `end` (the acquisition's `touch` came first).
    mutating func hold(exclusive: Bool, until end: Double) {
        if exclusive { writerUntil = max(writerUntil, end) } else { readersUntil = max(readersUntil, end) }
    }
}
