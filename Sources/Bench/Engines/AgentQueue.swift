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
    /// A tree node: the least pending step of its subtree and whose it is. The key sits beside
    /// the agent, so a level of a replay reads one node, not a winner and then its key.
    struct Node {
        /// The time's bits above the order's, so one unsigned comparison orders two steps as
        /// `(time, order)` does; `absent` when the agent has no pending step.
        var key: UInt128
        var agent: Int32
    }

    /// Leaves: the agents, padded to a power of two.
    private let leaves: Int
    /// Node `n`'s subtree's least step, for `1 ≤ n < leaves`; node `leaves + i` is agent `i`'s own.
    private let nodes: UnsafeMutablePointer<Node>
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
        nodes = .allocate(capacity: 2 * leaves)
        // With every key absent, each subtree's leftmost leaf is its winner.
        for node in stride(from: 2 * leaves - 1, through: 0, by: -1) {
            let agent = node >= leaves ? Int32(node - leaves) : node == 0 ? 0 : nodes[2 * node].agent
            (nodes + node).initialize(to: Node(key: Self.absent, agent: agent))
        }
    }

    deinit {
        nodes.deinitialize(count: 2 * leaves)
        nodes.deallocate()
    }

    /// `agent`'s pending step is now the one at `time`, ordered among equal times by `order`.
    mutating func schedule(_ agent: Int, at time: Double, order: UInt64) {
        precondition(agent >= 0 && agent < leaves, "no such agent")
        // Non-negative doubles order as their bit patterns do (-0 is excluded: its sign bit set).
        precondition(time.sign == .plus && time.isFinite, "a negative or infinite time")
        nodes[leaves + agent].key = UInt128(time.bitPattern) << 64 | UInt128(order)
        if popped == Int32(agent) { popped = -1 } else { replayPopped() }
        replay(agent)
    }

    /// `agent` has no pending step any more (none is fine).
    mutating func remove(_ agent: Int) {
        precondition(agent >= 0 && agent < leaves, "no such agent")
        replayPopped()
        nodes[leaves + agent].key = Self.absent
        replay(agent)
    }

    /// The least pending step, taken out of the queue; nil when no agent has one.
    mutating func popMin() -> (agent: Int, time: Double)? {
        replayPopped()
        let winner = nodes[1]
        guard winner.key != Self.absent else { return nil }
        let agent = Int(winner.agent)
        nodes[leaves + agent].key = Self.absent
        popped = winner.agent
        return (agent, Double(bitPattern: UInt64(truncatingIfNeeded: winner.key >> 64)))
    }

    /// The last popped agent's path recomputed without it, if nothing has done that yet.
    private mutating func replayPopped() {
        guard popped >= 0 else { return }
        let agent = Int(popped)
        popped = -1
        replay(agent)
    }

    /// Recomputes the winners on `agent`'s path to the root: at each node, the winner so far
    /// against the sibling subtree's. The winner so far stays in registers, and each level
    /// reads only its sibling node, which no earlier level wrote, so the loads overlap (a
    /// winner index and then its key, as before, was a dependent load per level and 19
    /// instructions a level). Equal keys (only absent ones) keep the winner so far.
    @inline(__always)
    private func replay(_ agent: Int) {
        var node = leaves + agent
        var best = nodes[node]
        while node > 1 {
            let sibling = nodes[node ^ 1]
            if sibling.key < best.key { best = sibling }
            node >>= 1
            nodes[node] = best
        }
    }
}
