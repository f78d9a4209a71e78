import Testing
@testable import Results

@Suite struct StatisticsTests {
    @Test(arguments: [(3, 20.0), (4, 70.0), (5, 252.0), (8, 12870.0)])
    func fullySeparatedSamplesGiveTheSmallestExactP(_ size: Int, _ arrangements: Double) {
        let low = (0..<size).map { Double($0) }, high = (0..<size).map { Double($0 + 100) }
        let result = MannWhitney.test(low, high)
        #expect(result.exact)
        #expect(abs(result.p - 2 / arrangements) < 1e-12)
        #expect(result.u == 0)
        #expect(MannWhitney.test(high, low).p == result.p)
        #expect(abs(MannWhitney.smallestP(size, size) - 2 / arrangements) < 1e-12)
    }

    /// R's `?wilcox.test` example: W = 35, one-sided p = 0.1272, so two-sided 0.2544.
    @Test func matchesRsDocumentedExample() {
        let x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
        let y = [1.15, 0.88, 0.90, 0.74, 1.21]
        let result = MannWhitney.test(x, y)
        #expect(result.u == 35)
        #expect(abs(result.p - 0.2544) < 5e-4)
    }

    /// With ties, the exact p is the share of all splits of the pooled midranks whose rank sum is
    /// at least as far from its mean: counted here by brute force over every split.
    @Test(arguments: [
        ([1.0, 2, 2, 3], [2.0, 3, 3, 4, 5]),
        ([7.0, 7, 7], [7.0, 8, 8]),
        ([1.0, 1, 2, 2, 2], [2.0, 3, 3, 3, 3]),
    ])
    func tiesMatchBruteForceEnumeration(_ first: [Double], _ second: [Double]) {
        let pooled = (first + second).sorted()
        func midrank(_ value: Double) -> Double {
            let below = pooled.filter { $0 < value }.count, equal = pooled.filter { $0 == value }.count
            return Double(below) + Double(equal + 1) / 2
        }
        let ranks = (first + second).map(midrank)
        let mean = Double(first.count) * Double(pooled.count + 1) / 2
        let observed = abs(first.map(midrank).reduce(0, +) - mean)
        var extreme = 0, all = 0
        for mask in 0..<(1 << ranks.count) where mask.nonzeroBitCount == first.count {
            let sum = ranks.indices.filter { mask & (1 << $0) != 0 }.map { ranks[$0] }.reduce(0, +)
            all += 1
            if abs(sum - mean) >= observed - 1e-9 { extreme += 1 }
        }
        #expect(abs(MannWhitney.test(first, second).p - Double(extreme) / Double(all)) < 1e-12)
    }

    @Test func equalConstantsAreNoEvidence() {
        #expect(MannWhitney.test([4, 4, 4], [4, 4, 4, 4]).p == 1)
        #expect(MannWhitney.test([], [1, 2]).p == 1)
    }

    @Test func largeSamplesUseTheNormalApproximation() {
        let low = (0..<40).map { Double($0) }, high = (0..<40).map { Double($0) + 1000 }
        let separated = MannWhitney.test(low, high)
        #expect(!separated.exact && separated.p < 1e-10)
        let interleaved = MannWhitney.test(low.map { $0 * 2 }, low.map { $0 * 2 + 1 })
        #expect(interleaved.p > 0.5)
    }

    @Test func holmAdjustsStepDownInInputOrder() {
        let adjusted = HolmAdjustment.adjust([0.01, 0.04, 0.03, 0.005])
        let expected = [0.03, 0.06, 0.06, 0.02]
        #expect(zip(adjusted, expected).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(HolmAdjustment.adjust([0.5, 0.9]) == [1, 1])
        #expect(HolmAdjustment.adjust([]).isEmpty)
    }
}

extension StatisticsTests {
    @Test func unequalSizesGiveTheSamePEitherWayRound() {
        let first = [1.0, 4, 4, 9, 12, 15, 15, 20, 21], second = [3.0, 4, 10, 11]
        let forward = MannWhitney.test(first, second), backward = MannWhitney.test(second, first)
        #expect(forward.p == backward.p)
        #expect(forward.u + backward.u == Double(first.count * second.count))
    }
}
