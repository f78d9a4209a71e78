@testable import Bench
import Core
import Testing

/// The virtual engine's queue of agents' next steps against a plain model of it: each agent's
/// one pending step, the least by (time, order) taken first.
@Suite struct AgentQueueTests {
    /// Seeded schedules, removals and pops, the popped agent often rescheduling itself (the
    /// engine's usual step) and ties in time broken by order.
    @Test(arguments: [1, 2, 5, 114, 130])
    func popsWhatAModelPops(agents: Int) {
        var random = SplitMix64(seed: 0xA6E7 &+ UInt64(agents))
        var queue = AgentQueue(agents: agents)
        var model: [Int: (time: Double, order: UInt64)] = [:]
        var order: UInt64 = 0
        var now = 0.0
        for _ in 0..<20_000 {
            let agent = Int(random.next() % UInt64(agents))
            switch random.next() % 8 {
            case 0:
                queue.remove(agent)
                model[agent] = nil
            case 1, 2, 3:
                // Times on a coarse grid, so that equal times are common.
                let time = now + Double(random.next() % 4) * 10
                order &+= 1
                queue.schedule(agent, at: time, order: order)
                model[agent] = (time, order)
            default:
                let expected = model.min { ($0.value.time, $0.value.order) < ($1.value.time, $1.value.order) }
                let popped = queue.popMin()
                #expect(popped?.agent == expected?.key)
                #expect(popped?.time == expected?.value.time)
                guard let popped else { continue }
                model[popped.agent] = nil
                now = popped.time
                if random.next() % 2 == 0 {
                    order &+= 1
                    let time = now + Double(random.next() % 3) * 10
                    queue.schedule(popped.agent, at: time, order: order)
                    model[popped.agent] = (time, order)
                }
            }
        }
        while let expected = model.min(by: { ($0.value.time, $0.value.order) < ($1.value.time, $1.value.order) }) {
            #expect(queue.popMin()?.agent == expected.key)
            model[expected.key] = nil
        }
        #expect(queue.popMin() == nil)
    }
}
