/// Shared cache lines in virtual time: each owned by one agent's CPU at a time, its moves served
/// one at a time in the order they are asked for.
///
/// Contract: a write (any read-modify-write or store) by the line's owner costs nothing here —
/// the local atomic is in the operation's measured cost — unless another CPU holds a shared copy
/// (a spinner), whose copy the write must invalidate: one transfer to it. A write by any other
/// agent waits until the line has served every move asked for before it (FIFO), then takes one
/// transfer from the owner's CPU to its own, and owns the line. A read by a non-owner takes one
/// transfer and leaves the owner in place. A line's spinner (a waiter polling it) re-reads it
/// after every write by another agent: one more transfer the line serves before the next move.
/// A line nobody has touched is owned by nobody, and its first write costs nothing (a cold miss
/// to memory is outside the model). Moves are issued in the engine's step order, which is
/// virtual-time order up to the few hundred nanoseconds a step may look ahead.
struct CacheLines: ~Copyable {
    // Internal, not private: a private element type of the not-copyable FixedArray makes
    // Swift 6.3's debug builds emit a reference to its metadata from other files that fails to link.
    struct Line {
        var owner: Int32 = -1
        var spinner: Int32 = -1
        var freeAt = 0.0
        var moves: UInt64 = 0
    }

    // Buffers of its own (not copy-on-write arrays): a write to a line is then a plain store,
    // with no uniqueness check of an array held in the engine's class.
    private let lines: FixedArray<Line>
    /// One-way transfer between two agents' CPUs, row-major by agent.
    private let transfer: FixedArray<Double>
    private let agents: Int

    /// `count` lines among `agents` agents, whose CPUs are `transferNanos(a, b)` apart.
    init(count: Int, agents: Int, transferNanos: (Int, Int) -> Double) {
        lines = FixedArray(repeating: Line(), count: count)
        self.agents = agents
        transfer = FixedArray(repeating: 0, count: agents * agents)
        for from in 0..<agents { for to in 0..<agents { transfer[from * agents + to] = transferNanos(from, to) } }
    }

    /// The one-way move between `from`'s and `to`'s CPUs.
    func transferNanos(from: Int, to: Int) -> Double { transfer[from * agents + to] }

    /// `agent` writes `line` at `time`: when the write has completed.
    @inline(__always)
    mutating func write(_ line: Int, by agent: Int, at time: Double) -> Double {
        let me = Int32(agent)
        let state = lines[line]
        let otherSpinner = state.spinner >= 0 && state.spinner != me
        if state.owner < 0 || (state.owner == me && !otherSpinner) {
            lines[line].owner = me
            return time
        }
        let start = max(time, state.freeAt)
        // The owner's own write only invalidates the spinner's copy; anyone else's moves the line.
        let done = start + (state.owner == me
            ? transfer[agent * agents + Int(state.spinner)] : transfer[Int(state.owner) * agents + agent])
        var next = done
        if otherSpinner {
            // The spinner reads the line again before anyone else moves it.
            next = done + transfer[agent * agents + Int(state.spinner)]
            lines[line].moves &+= 1
        }
        lines[line].owner = me
        lines[line].freeAt = next
        lines[line].moves &+= 1
        return done
    }

    /// `agent` reads `line` at `time`: when the read has completed; the owner keeps the line.
    @inline(__always)
    mutating func read(_ line: Int, by agent: Int, at time: Double) -> Double {
        let state = lines[line]
        guard state.owner >= 0, state.owner != Int32(agent) else { return time }
        let done = max(time, state.freeAt) + transfer[Int(state.owner) * agents + agent]
        lines[line].freeAt = done
        lines[line].moves &+= 1
        return done
    }

    /// Makes `agent` (nil: nobody) the agent polling `line` while it waits.
    mutating func setSpinner(_ line: Int, _ agent: Int?) { lines[line].spinner = Int32(agent ?? -1) }

    /// The moves `line` has served.
    func moves(_ line: Int) -> UInt64 { lines[line].moves }

    /// The moves every line has served.
    var totalMoves: UInt64 {
        var total: UInt64 = 0
        for line in lines.indices { total &+= lines[line].moves }
        return total
    }
}

/// A host kernel spinlock in virtual time (the zone lock, the LRU lock): its word is a line in
/// `CacheLines`; holders go one at a time in the order they ask (qspinlock is FIFO).
///
/// Contract: `acquire` is called at the asking agent's step and knows the hold's length, so the
/// hold is reserved as an interval; the next holder's acquisition moves the word from the last
/// holder, whose release store left it there.
struct VirtualSpinLock {
    let line: Int
    private(set) var heldUntil = 0.0
    private(set) var acquisitions: UInt64 = 0
    private(set) var contended: UInt64 = 0
    /// Nanoseconds askers spent before they held it (queueing and the word's transfer).
    private(set) var waitNanos = 0.0

    init(line: Int) { self.line = line }

    /// `agent` takes the lock at `time`, holds it for `hold`: when it has released it.
    mutating func acquire(by agent: Int, at time: Double, hold: Double, lines: inout CacheLines) -> Double {
        acquisitions &+= 1
        if heldUntil > time { contended &+= 1 }
        let acquired = lines.write(line, by: agent, at: max(time, heldUntil))
        waitNanos += acquired - time
        heldUntil = acquired + hold
        return heldUntil
    }
}
