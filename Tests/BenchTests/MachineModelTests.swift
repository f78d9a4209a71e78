@testable import Bench
@testable import Results
import Backends
import Core
import Testing

/// The virtual engine's contention physics: lines that move one at a time, the host's batched
/// locks counted from the kernel's batch sizes, and the machine profile's distances.
@Suite(.scratchCleanup) struct MachineModelTests {
    /// `agents` agents writing `line` over and over, each 1 ns after its last write completed,
    /// in virtual-time order: the line's moves and the time they took.
    static func hammer(_ lines: inout CacheLines, line: Int, agents: [Int], writes: Int) -> (moves: UInt64, span: Double) {
        var ready = [Double](repeating: 0, count: agents.count)
        var last = 0.0
        for _ in 0..<writes {
            let next = ready.indices.min { ready[$0] < ready[$1] }!
            last = lines.write(line, by: agents[next], at: ready[next])
            ready[next] = last + 1
        }
        return (lines.moves(line), last)
    }

    @Test(arguments: [2, 8, 32])
    func agentsHammeringOneLineGetOneMovePerTransfer(_ agents: Int) {
        var lines = CacheLines(count: 1, agents: agents) { $0 == $1 ? 0 : 50 }
        let (moves, span) = Self.hammer(&lines, line: 0, agents: Array(0..<agents), writes: 10_000)
        let throughput = Double(moves) / span
        #expect(abs(throughput * 50 - 1) < 0.01, "at most 1/latency moves per nanosecond in all, whoever asks")
    }

    @Test func twoLinesMoveIndependently() {
        var lines = CacheLines(count: 2, agents: 4) { $0 == $1 ? 0 : 50 }
        var ready = [Double](repeating: 0, count: 4)
        var last = 0.0
        for _ in 0..<20_000 {
            let agent = ready.indices.min { ready[$0] < ready[$1] }!
            let done = lines.write(agent / 2, by: agent, at: ready[agent])
            last = max(last, done)
            ready[agent] = done + 1
        }
        let moves = Double(lines.moves(0) + lines.moves(1))
        #expect(abs(moves / last * 50 - 2) < 0.02, "two lines serve two moves per transfer time")
        #expect(lines.moves(0) > 9_000 && lines.moves(1) > 9_000)
    }

    @Test func theOwnersWriteCostsNoTransfer() {
        var lines = CacheLines(count: 1, agents: 2) { $0 == $1 ? 0 : 50 }
        #expect(lines.write(0, by: 0, at: 10) == 10, "a line nobody held is taken without a move")
        #expect(lines.write(0, by: 0, at: 20) == 20)
        #expect(lines.moves(0) == 0)
        #expect(lines.write(0, by: 1, at: 30) == 80, "another CPU's write moves it")
        #expect(lines.read(0, by: 1, at: 90) == 90, "the owner reads its own line")
        #expect(lines.read(0, by: 0, at: 100) == 150, "a read by another CPU moves a copy")
        #expect(lines.write(0, by: 1, at: 200) == 200, "the owner keeps the line after another CPU's read")
    }

    @Test func aSpinnerReReadsTheLineAfterEveryOtherWrite() {
        var lines = CacheLines(count: 1, agents: 3) { $0 == $1 ? 0 : 50 }
        _ = lines.write(0, by: 0, at: 0)
        lines.setSpinner(0, 2)
        // Reader 1 takes the line from 0 (50 ns); the spinner's re-read then holds it 50 ns more.
        #expect(lines.write(0, by: 1, at: 0) == 50)
        #expect(lines.write(0, by: 0, at: 50) == 150, "the next move waits for the spinner's read")
        lines.setSpinner(0, nil)
        #expect(lines.write(0, by: 1, at: 300) == 350)
    }

    @Test func aHostSpinLockSerializesItsHoldersInOrder() {
        var lines = CacheLines(count: 1, agents: 3) { $0 == $1 ? 0 : 10 }
        var lock = VirtualSpinLock(line: 0)
        #expect(lock.acquire(by: 0, at: 0, hold: 100, lines: &lines) == 100)
        #expect(lock.acquire(by: 1, at: 20, hold: 100, lines: &lines) == 210, "waits for the holder, then moves the word")
        #expect(lock.acquire(by: 2, at: 30, hold: 100, lines: &lines) == 320)
        #expect(lock.acquisitions == 3 && lock.contended == 2)
    }

    @Test func theFaultSplitsSharesSumToOneAndTheOverrideKeepsTheOthersProportions() throws {
        let split = FaultSplit.model(VirtualEngineTests.costs())
        #expect(abs(split.outside + split.underMmapLock + split.underMMULock - 1) < 1e-12)
        // The fixture: exit 30, GUP 900, x86-tdp's walk and install 180 less the lock pair 20.
        #expect(abs(split.underMMULock - 160.0 / 1090) < 1e-12 && abs(split.underMmapLock - 900.0 / 1090) < 1e-12)
        let moved = split.overridingMMULockShare(0.4)
        #expect(abs(moved.underMMULock - 0.4) < 1e-12)
        #expect(abs(moved.underMmapLock / moved.outside - 900.0 / 30) < 1e-9)
    }

    @Test(arguments: [1, 3])
    func firstTouchesTakeTheHostLocksOncePerKernelBatch(_ vcpus: Int) throws {
        // 1 MiB per vCPU: 256 first touches each.
        let record = try VirtualEngineTests.run("x86-tdp", memory: "1M", vcpus: vcpus, aging: false, VirtualEngineTests.settings(.virtual))
        let touches = 256
        func batchesStarted(_ size: Int) -> UInt64 { UInt64(vcpus * ((touches + size - 1) / size)) }
        #expect(record.zoneLockAcquisitions == batchesStarted(KernelBatches.pageAllocatorRefill), "63 pages a refill")
        #expect(record.memcgCharges == batchesStarted(KernelBatches.memcgCharge), "64 pages a charge")
        #expect(record.lruLockAcquisitions == UInt64(vcpus * (touches / KernelBatches.lruAdd)), "a drain per full batch of 31")
        if vcpus == 1 {
            #expect(record.hostLockWaitNanos == 0 && record.lineMoves == 0, "one vCPU alone moves no line")
        } else {
            #expect(record.hostLockWaitNanos > 0 && record.lineMoves > 0, "vCPUs sharing mmap_lock's count move its line")
        }
    }

    @Test func theRealEngineCountsNoMachineModel() throws {
        let record = try VirtualEngineTests.run("x86-tdp", memory: "256K", vcpus: 1, aging: false, VirtualEngineTests.settings(.real))
        #expect(record.zoneLockAcquisitions == 0 && record.lineMoves == 0 && record.hostLockWaitNanos == 0)
    }

    @Test func perRmapAgingContendsOnlyOnItsRmapsLine() throws {
        // x86-shadow-rmaplock's aging locks each page's rmap head, not mmu_lock: its vCPUs never
        // queue for mmu_lock behind aging, and it moves the rmap lines the faults wrote.
        let settings = VirtualEngineTests.settings(.virtual)
        let rmapLocked = try VirtualEngineTests.run("x86-shadow-rmaplock", memory: "512K", vcpus: 1, aging: true, settings)
        let off = try VirtualEngineTests.run("x86-shadow-rmaplock", memory: "512K", vcpus: 1, aging: false, settings)
        #expect(rmapLocked.agingLockHoldNanos == 0, "per-rmap aging holds no mmu_lock")
        #expect(rmapLocked.vcpuLockContended == off.vcpuLockContended)
        #expect(rmapLocked.lineMoves > off.lineMoves, "aging takes the rmap and entry lines from the faulting vCPU")
    }

    @Test func moreDistantCPUsMakeTheSameContentionCostMore() throws {
        var near = VirtualEngineTests.settings(.virtual)
        near.lineTransferOverride = 20
        var far = near
        far.lineTransferOverride = 200
        let fast = try VirtualEngineTests.run("baseline", memory: "512K", vcpus: 8, aging: true, near)
        let slow = try VirtualEngineTests.run("baseline", memory: "512K", vcpus: 8, aging: true, far)
        #expect(slow.hostLockWaitNanos > fast.hostLockWaitNanos)
        #expect(slow.vcpuLockWaitNanos > fast.vcpuLockWaitNanos)
        #expect(slow.faults == fast.faults, "the work is the same; only its time moves")
    }
}
