import Testing
@testable import Bench
@testable import Results

@Suite struct ByteSizeTests {
    @Test(arguments: [
        ("4K", UInt64(4096)),
        ("1G", UInt64(1) << 30),
        ("1g", UInt64(1) << 30),
        ("2GiB", UInt64(2) << 30),
        ("64G", UInt64(64) << 30),
        ("512m", UInt64(512) << 20),
        ("8192", UInt64(8192)),
        ("1T", UInt64(1) << 40),
    ])
    func parsesValidSizes(text: String, bytes: UInt64) throws {
        #expect(try ByteSize(parsing: text).bytes == bytes)
    }

    @Test(arguments: ["1Q", "0", "-1G", "", "1.5G", "5000", "99999999999T", "G", "1GiBB", "4 K", "0x1000"])
    func rejectsInvalidSizes(text: String) {
        #expect(throws: InputError.self) { try ByteSize(parsing: text) }
    }

    @Test func errorMessagesNameTheProblem() {
        func message(_ text: String) -> String {
            do {
                _ = try ByteSize(parsing: text)
                return ""
            } catch {
                return error.message
            }
        }
        #expect(message("5000").contains("4 KiB pages"))
        #expect(message("-1G").contains("positive"))
        #expect(message("0").contains("positive"))
        #expect(message("99999999999T").contains("too large"))
        #expect(message("1.5G").contains("whole number"))
        #expect(message("1Q").contains("unknown unit"))
        #expect(!message("1Q").contains("\n"))
    }

    @Test func descriptionIsShortestExactFormAndRoundTrips() throws {
        let cases: [(String, String)] = [("1G", "1G"), ("512M", "512M"), ("4K", "4K"), ("1024M", "1G"),
                                         ("1536M", "1536M"), ("12288", "12K"), ("2048G", "2T")]
        for (input, expected) in cases {
            let size = try ByteSize(parsing: input)
            #expect(size.description == expected)
            #expect(try ByteSize(parsing: size.description) == size)
        }
    }

    @Test func byteInitializerEnforcesPages() throws {
        #expect(try ByteSize(bytes: 8192).pages == 2)
        #expect(throws: InputError.self) { try ByteSize(bytes: 0) }
        #expect(throws: InputError.self) { try ByteSize(bytes: 4097) }
        #expect(try ByteSize(parsing: "4K") < ByteSize(parsing: "8K"))
    }
}

@Suite struct ShardTests {
    @Test(arguments: ["3/2", "0/2", "1/0", "x", "a/b", "1/2/3", "", "/2", "1/", "-1/2", "+1/2", " 1/2"])
    func rejectsInvalidShards(text: String) {
        #expect(throws: InputError.self) { try Shard(parsing: text) }
    }

    @Test func parsesAndSelectsRoundRobin() throws {
        let shard = try Shard(parsing: "2/3")
        #expect(shard.index == 2 && shard.count == 3)
        #expect(shard.description == "2/3")
        #expect((0..<9).filter { shard.selects(groupIndex: $0) } == [1, 4, 7])
        #expect(Shard.whole.index == 1 && Shard.whole.count == 1)
        #expect((0..<5).allSatisfy { Shard.whole.selects(groupIndex: $0) })
    }
}

@Suite struct SweepPlanTests {
    static let sizes = [ByteSize(uncheckedBytes: 4096), ByteSize(uncheckedBytes: 1 << 30)]

    func plan(shard: Shard = .whole, repetitions: Int = 2) throws -> SweepPlan {
        try SweepPlan(backends: ["tdp", "shadow", "arm64"], memorySizes: Self.sizes, vcpuCounts: [1, 4],
                      aging: [true, false], repetitions: repetitions, shard: shard)
    }

    @Test func cellsAreTheFullProductInCanonicalOrder() throws {
        let plan = try plan()
        #expect(plan.cells.count == 3 * 2 * 2 * 2 * 2)
        #expect(plan.totalCellCount == plan.cells.count)
        #expect(plan.cells.map(\.index) == Array(0..<plan.cells.count))

        var expected: [SweepCell] = []
        for repetition in 0..<2 {
            for memory in Self.sizes {
                for vcpus in [1, 4] {
                    for aging in [true, false] {
                        for backend in ["tdp", "shadow", "arm64"] {
                            expected.append(SweepCell(backend: backend, memoryPerVCPU: memory, vcpus: vcpus,
                                                      aging: aging, repetition: repetition, index: expected.count))
                        }
                    }
                }
            }
        }
        #expect(plan.cells == expected)
        // Spot checks that would catch a swapped nesting even if the loop above were wrong too.
        #expect(plan.cells.prefix(3).map(\.backend) == ["tdp", "shadow", "arm64"])
        #expect(plan.cells[3].aging == false && plan.cells[3].backend == "tdp")
        #expect(plan.cells.prefix(24).allSatisfy { $0.repetition == 0 })
        #expect(plan.cells.suffix(24).allSatisfy { $0.repetition == 1 })
        #expect(plan.cells[12].memoryPerVCPU == Self.sizes[1] && plan.cells[11].memoryPerVCPU == Self.sizes[0])
    }

    @Test func shardsPartitionThePlanInOrder() throws {
        let whole = try plan(repetitions: 3)
        var seen: [Int: Int] = [:]
        for i in 1...3 {
            let part = try plan(shard: Shard(index: i, count: 3), repetitions: 3)
            let indices = part.cells.map(\.index)
            #expect(indices == indices.sorted())
            #expect(!part.cells.isEmpty)
            for cell in part.cells {
                #expect(cell == whole.cells[cell.index])
                seen[cell.index, default: 0] += 1
            }
        }
        #expect(seen.count == whole.cells.count)
        #expect(seen.values.allSatisfy { $0 == 1 })
    }

    /// Every backend and aging setting of one (repetition, memory, vCPUs) lands in one shard, so no
    /// comparison spans two hosts.
    @Test(arguments: [1, 2, 3, 4, 5, 12])
    func shardsHoldWholeComparisonGroups(_ count: Int) throws {
        struct Group: Hashable { let repetition: Int; let memory: ByteSize; let vcpus: Int }
        var owner: [Group: Int] = [:]
        var cells = 0
        for i in 1...count {
            for cell in try plan(shard: Shard(index: i, count: count), repetitions: 3).cells {
                let group = Group(repetition: cell.repetition, memory: cell.memoryPerVCPU, vcpus: cell.vcpus)
                #expect(owner[group, default: i] == i, "group \(group) split across shards")
                owner[group] = i
                cells += 1
            }
        }
        #expect(owner.count == 12 && cells == 3 * 2 * 2 * 2 * 3)
    }

    @Test func rejectsInvalidPlans() throws {
        let size = Self.sizes
        #expect(throws: InputError.self) { try SweepPlan(backends: [], memorySizes: size, vcpuCounts: [1], aging: [true], repetitions: 1) }
        #expect(throws: InputError.self) { try SweepPlan(backends: ["a"], memorySizes: [], vcpuCounts: [1], aging: [true], repetitions: 1) }
        #expect(throws: InputError.self) { try SweepPlan(backends: ["a"], memorySizes: size, vcpuCounts: [], aging: [true], repetitions: 1) }
        #expect(throws: InputError.self) { try SweepPlan(backends: ["a"], memorySizes: size, vcpuCounts: [1], aging: [], repetitions: 1) }
        #expect(throws: InputError.self) { try SweepPlan(backends: ["a"], memorySizes: size, vcpuCounts: [0], aging: [true], repetitions: 1) }
        #expect(throws: InputError.self) { try SweepPlan(backends: ["a"], memorySizes: size, vcpuCounts: [1], aging: [true], repetitions: 0) }
        #expect(throws: InputError.self) { try SweepPlan(backends: ["a", "a"], memorySizes: size, vcpuCounts: [1], aging: [true], repetitions: 1) }
        #expect(throws: InputError.self) { try SweepPlan(backends: ["a"], memorySizes: size + size, vcpuCounts: [1], aging: [true], repetitions: 1) }
        #expect(throws: InputError.self) { try SweepPlan(backends: ["a"], memorySizes: size, vcpuCounts: [2, 2], aging: [true], repetitions: 1) }
        #expect(throws: InputError.self) { try SweepPlan(backends: ["a"], memorySizes: size, vcpuCounts: [1], aging: [false, false], repetitions: 1) }
    }
}
