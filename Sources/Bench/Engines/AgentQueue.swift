/// The virtual engine's pending steps, one at most per agent: a tournament tree over the agents,
/// in buffers of its own.
///
/// Contract: `schedule(agent, at:order:)` sets the agent's one pending step (replacing the one it
/// had), `remove` drops it, and `popMin` takes the step that is least by `(time, order)` — the
/// engine gives every step a distinct `order`, so which step comes next is defined, not an
/// accident of the structure. Times must be finite and not negative. The agent `popMin` returns
/// has no pending step until it is scheduled again.
///
/// Why a tree over the agents rather than a heap of events: every agent has at most one live
/// step, so a heap holds stale events that a ticket must filter out, and each step costs a
/// sift down at the pop and a sift up at the push. Here a step costs one replay of its agent's
/// path (log2 of the agents, 7 levels for 114), each level one comparison; and the
/// usual case, the popped agent scheduling its own next step, replays that path once, not twice.
/// It is not copyable, so its buffers have one owner and are written without uniqueness checks.
struct AgentQueue: ~Copyable {
    /// Leaves: the agents, padded to a power of two.
    private let leaves: Int
    /// Per leaf, its pending step's key (`absent`: none); the time's bits above the order's, so
    /// one unsigned comparison orders two steps as `(time, order)` does.
    private let keys: UnsafeMutablePointer<UInt128>
    /// Node `n`'s subtree's least leaf, for `1 ≤ n < leaves`; node `leaves + i` is leaf `i`.
    private let winners: UnsafeMutablePointer<Int32>
    /// The agent `popMin` returned, whose path still names it as the winner: replayed before the
    /// tree is next used, unless its own `schedule` comes first and replays it once for both.
    private var popped: Int32 = -1

    private static var absent: UInt128 { .max }

    /// An empty queue for agents `0..<agents`.
    init(agents: Int) {
        precondition(agents > 0 && agents < Int(Int32.max) / 2, "no agents, or too many")
        var leaves = 1
        while leaves < agents { leaves *= 2 }
        self.leaves = leaves
        keys = .allocate(capacity: leaves)
        keys.initialize(repeating: Self.absent, count: leaves)
        winners = .allocate(capacity: 2 * leaves)
        // With every key absent, each subtree's leftmost leaf is its winner.
        for node in stride(from: 2 * leaves - 1, through: 1, by: -1) {
            winners[node] = node >= leaves ? Int32(node - leaves) : winners[2 * node]
        }
        winners[0] = 0
    }

    deinit {
        keys.deallocate()
        winners.deallocate()
    }

    /// `agent`'s pending step is now the one at `time`, ordered among equal times by `order`.
    mutating func schedule(_ agent: Int, at time: Double, order: UInt64) {
        precondition(agent >= 0 && agent < leaves, "no such agent")
        // Non-negative doubles order as their bit patterns do (-0 is excluded: its sign bit set).
        precondition(time.sign == .plus && time.isFinite, "a negative or infinite time")
        keys[agent] = UInt128(time.bitPattern) << 64 | UInt128(order)
        if popped == Int32(agent) { popped = -1 } else { replayPopped() }
        replay(agent)
    }

    /// `agent` has no pending step any more (none is fine).
    mutating func remove(_ agent: Int) {
        precondition(agent >= 0 && agent < leaves, "no such agent")
        replayPopped()
        keys[agent] = Self.absent
        replay(agent)
    }

    /// The least pending step, taken out of the queue; nil when no agent has one.
    mutating func popMin() -> (agent: Int, time: Double)? {
        replayPopped()
        let agent = Int(winners[1])
        let key = keys[agent]
        guard key != Self.absent else { return nil }
        keys[agent] = Self.absent
        popped = Int32(agent)
        return (agent, Double(bitPattern: UInt64(truncatingIfNeeded: key >> 64)))
    }

    /// The last popped agent's path recomputed without it, if nothing has done that yet.
    private mutating func replayPopped() {
        guard popped >= 0 else { return }
        let agent = Int(popped)
        popped = -1
        replay(agent)
    }

    /// Recomputes the winners on `agent`'s path to the root: at each node, the winner so far
    /// against the sibling subtree's.
    @inline(__always)
    private func replay(_ agent: Int) {
        // The winner so far stays in registers: each level loads only its sibling's winner and
        // key, which no earlier level wrote, so the loads overlap instead of each waiting for
        // the store of the level below (perf: the queue went from 15% of a 112-vCPU cell to 10%). Equal keys (only
        // absent ones) keep the winner so far.
        var node = leaves + agent
        var winner = Int32(agent)
        var key = keys[agent]
        while node > 1 {
            let sibling = winners[node ^ 1]
            let siblingKey = keys[Int(sibling)]
            if siblingKey < key {
                winner = sibling
                key = siblingKey
            }
            node >>= 1
            winners[node] = winner
        }
    }
}
