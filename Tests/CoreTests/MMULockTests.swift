import Core
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct MMULockTests {
    @Test func writersExcludeReadersAndEachOther() {
        let lock = MMULock()
        let reclaimer = EpochReclaimer { _ in }
        let readersInside = Atomic<Int>(0)
        let writersInside = Atomic<Int>(0)
        let violations = Atomic<Int>(0)
        let acquisitions = Locked<[UInt64]>([])
        let threads = (0..<4).map { index in
            OSThread {
                let host = HostThread(role: .vcpu, reclaimer: reclaimer)
                defer { host.retire() }
                for round in 0..<2000 {
                    if (round + index) % 4 == 0 {
                        lock.lockExclusive(host)
                        if writersInside.wrappingAdd(1, ordering: .relaxed).newValue != 1 { violations.add(1, ordering: .relaxed) }
                        if readersInside.load(ordering: .relaxed) != 0 { violations.add(1, ordering: .relaxed) }
                        writersInside.wrappingSubtract(1, ordering: .relaxed)
                        lock.unlockExclusive(host)
                    } else {
                        lock.lockShared(host)
                        readersInside.wrappingAdd(1, ordering: .relaxed)
                        if writersInside.load(ordering: .relaxed) != 0 { violations.add(1, ordering: .relaxed) }
                        readersInside.wrappingSubtract(1, ordering: .relaxed)
                        lock.unlockShared(host)
                    }
                }
                acquisitions.withLock { $0.append(host.lockStats.acquisitions) }
            }
        }
        threads.forEach { $0.join() }
        #expect(acquisitions.withLock { $0 } == [2000, 2000, 2000, 2000])
        #expect(violations.load(ordering: .relaxed) == 0)
        #expect(lock.readerCount == 0 && !lock.isWriteLocked)
    }

    /// The qrwlock's fairness: once a writer waits, a reader that arrives later queues behind it.
    @Test func aWaitingWriterHoldsBackLaterReaders() {
        let lock = MMULock()
        let reclaimer = EpochReclaimer { _ in }
        let order = Locked<[String]>([])
        let contended = Locked<[String]>([])
        let holder = HostThread(role: .vcpu, reclaimer: reclaimer)
        lock.lockShared(holder)
        let writer = OSThread {
            let host = HostThread(role: .zap, reclaimer: reclaimer)
            lock.lockExclusive(host)
            order.withLock { $0.append("writer") }
            lock.unlockExclusive(host)
            contended.withLock { $0.append("writer \(host.lockStats.write.contended)") }
            host.retire()
        }
        while !lock.hasWaitingWriter { OSThread.yield() }
        let lateReader = OSThread {
            let host = HostThread(role: .vcpu, reclaimer: reclaimer)
            lock.lockShared(host)
            order.withLock { $0.append("reader") }
            lock.unlockShared(host)
            contended.withLock { $0.append("reader \(host.lockStats.read.contended)") }
            host.retire()
        }
        // Give the late reader every chance to overtake; a reader-preferring lock lets it in now.
        for _ in 0..<200 { OSThread.yield() }
        usleep(20_000)
        #expect(order.withLock { $0 }.isEmpty)
        lock.unlockShared(holder)
        writer.join()
        lateReader.join()
        #expect(order.withLock { $0 } == ["writer", "reader"])
        #expect(contended.withLock { $0 } == ["writer 1", "reader 1"])
        holder.retire()
    }

    /// Two readers whose holds overlap keep the lock read-held without a gap; a reader-preferring
    /// lock would keep a writer out until they stop. The readers stop on their own only after
    /// far more rounds than a fair lock needs to let the writer in.
    @Test func aStreamOfOverlappingReadersDoesNotStarveAWriter() {
        let lock = MMULock()
        let reclaimer = EpochReclaimer { _ in }
        let writerDone = Atomic<Bool>(false)
        let readerRounds = Atomic<Int>(0)
        let readersStarted = Atomic<Int>(0)
        let roundLimit = 2_000_000
        let readers = (0..<2).map { _ in
            OSThread {
                let host = HostThread(role: .vcpu, reclaimer: reclaimer)
                readersStarted.add(1, ordering: .relaxed)
                while !writerDone.load(ordering: .relaxed) && readerRounds.load(ordering: .relaxed) < roundLimit {
                    lock.lockShared(host)
                    // Hold across a yield, so the two readers' holds overlap.
                    OSThread.yield()
                    lock.unlockShared(host)
                    readerRounds.add(1, ordering: .relaxed)
                }
                host.retire()
            }
        }
        while readersStarted.load(ordering: .relaxed) < 2 { OSThread.yield() }
        let writer = HostThread(role: .zap, reclaimer: reclaimer)
        lock.lockExclusive(writer)
        let roundsWhenWriterGotIn = readerRounds.load(ordering: .relaxed)
        lock.unlockExclusive(writer)
        writerDone.store(true, ordering: .relaxed)
        readers.forEach { $0.join() }
        writer.retire()
        #expect(roundsWhenWriterGotIn < roundLimit, "the writer waited until the readers gave up")
    }

    @Test func accountsAcquisitionsPerSide() {
        let lock = MMULock()
        let reclaimer = EpochReclaimer { _ in }
        let host = HostThread(role: .aging, reclaimer: reclaimer)
        defer { host.retire() }
        lock.lock(.read, host)
        lock.unlock(.read, host)
        lock.lock(.write, host)
        lock.unlock(.write, host)
        lock.lock(.none, host)
        lock.unlock(.none, host)
        #expect(host.lockStats.read.acquisitions == 1)
        #expect(host.lockStats.write.acquisitions == 1)
        #expect(host.lockStats.contended == 0)
    }
    /// Every hold lasts at least `minimum` ticks; the timed ones' weights cover every acquisition,
    /// so the estimate can be no less than count × minimum (only preemption makes it more).
    @Test(arguments: [LockMode.read, .write]) func holdEstimateCoversUntimedHolds(mode: LockMode) {
        let lock = MMULock()
        let reclaimer = EpochReclaimer { _ in }
        let host = HostThread(role: .aging, reclaimer: reclaimer)
        defer { host.retire() }
        let count: UInt64 = 4000
        let minimum: UInt64 = 200
        for _ in 0..<count {
            lock.lock(mode, host)
            let entered = Ticks.now()
            while Ticks.now() &- entered < minimum {}
            lock.unlock(mode, host)
        }
        let side = mode == .read ? host.lockStats.read : host.lockStats.write
        #expect(side.acquisitions == count)
        #expect(side.holdTicks >= count * minimum)
    }
}

@Suite struct HoldSamplerTests {
    @Test func timesTheFirstAndWeightsCoverEveryAcquisition() {
        var sampler = HoldSampler(seed: 7)
        let count = 100_000
        let weights = (0..<count).map { _ in sampler.next() }
        let largest = 2 * HoldSampler.meanPeriod - 1
        #expect(weights[0] > 0)
        #expect(weights.allSatisfy { $0 <= largest })
        let covered = weights.reduce(0, +)
        #expect(covered >= UInt64(count) && covered < UInt64(count) + largest)
        // Each timed acquisition is followed by exactly weight − 1 untimed ones.
        var expectedUntimed: UInt64 = 0
        for weight in weights {
            if expectedUntimed > 0 {
                #expect(weight == 0)
                expectedUntimed -= 1
            } else {
                #expect(weight > 0)
                expectedUntimed = weight - 1
            }
        }
        let timed = weights.count { $0 > 0 }
        #expect(abs(Double(count) / Double(timed) - Double(HoldSampler.meanPeriod)) < 1)
    }

    /// Test and clear calls alternate in per-page aging: the weight landing on each must be half.
    @Test func anAlternatingPatternDoesNotAlias() {
        var sampler = HoldSampler(seed: 11)
        var byParity: [UInt64] = [0, 0]
        for index in 0..<200_000 { byParity[index % 2] += sampler.next() }
        let share = Double(byParity[0]) / Double(byParity[0] + byParity[1])
        #expect(abs(share - 0.5) < 0.02)
    }
}
