import Foundation

/// The two-sided Mann–Whitney U (Wilcoxon rank-sum) test of two independent samples.
///
/// Contract: ties get midranks. Up to `exactLimit` values in all, the p-value comes from the exact
/// permutation distribution of the rank sum given those midranks (the conditional distribution,
/// which is exact with ties too); beyond it, from the normal approximation with the tie correction
/// and a continuity correction. The two-sided p-value is the probability, under "both samples come
/// from one distribution", of a rank sum at least as far from its mean as the one observed, so
/// two fully separated samples of 5 give 2/252 and two samples of equal constants give 1. An empty
/// sample gives p = 1: no evidence either way.
public enum MannWhitney {
    /// The outcome of one test.
    public struct Result: Sendable, Equatable {
        /// U of the first sample: the number of pairs (a, b) with a > b, ties counted as one half.
        public let u: Double
        /// The two-sided p-value.
        public let p: Double
        /// Whether `p` comes from the exact distribution.
        public let exact: Bool
    }

    /// Total sample size up to which the exact distribution is computed; its cost grows with the
    /// cube of the size, and beyond this the normal approximation is within a few percent.
    public static let exactLimit = 60

    /// Tests whether `first` and `second` come from one distribution.
    public static func test(_ first: [Double], _ second: [Double]) -> Result {
        let n = first.count, m = second.count
        guard n > 0, m > 0 else { return Result(u: 0, p: 1, exact: true) }
        // The test is symmetric; counting subsets of the smaller sample is the cheaper way round.
        if n > m {
            let swapped = test(second, first)
            return Result(u: Double(n * m) - swapped.u, p: swapped.p, exact: swapped.exact)
        }
        let total = n + m
        // Doubled midranks are whole numbers, so the distribution can be counted exactly in integers.
        let pooled = (first.map { ($0, true) } + second.map { ($0, false) }).sorted { $0.0 < $1.0 }
        var doubledRanks = [Int](repeating: 0, count: total)
        var tieSizes: [Int] = []
        var start = 0
        while start < total {
            var end = start
            while end + 1 < total && pooled[end + 1].0 == pooled[start].0 { end += 1 }
            // Positions start+1 ... end+1 share the midrank (start + end + 2) / 2.
            for index in start...end { doubledRanks[index] = start + end + 2 }
            tieSizes.append(end - start + 1)
            start = end + 1
        }
        let observed = zip(pooled, doubledRanks).filter { $0.0.1 }.map(\.1).reduce(0, +)
        let u = Double(observed) / 2 - Double(n * (n + 1)) / 2
        let doubledMean = n * (total + 1)
        if total <= exactLimit {
            let distance = abs(observed - doubledMean)
            let counts = rankSumCounts(doubledRanks, choose: n)
            var extreme = 0.0, all = 0.0
            for (sum, count) in counts.enumerated() where count > 0 {
                all += count
                if abs(sum - doubledMean) >= distance { extreme += count }
            }
            return Result(u: u, p: min(1, extreme / all), exact: true)
        }
        let tieTerm = tieSizes.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
        let variance = Double(n * m) / 12 * (Double(total + 1) - tieTerm / Double(total * (total - 1)))
        guard variance > 0 else { return Result(u: u, p: 1, exact: false) }
        let z = max(0, abs(u - Double(n * m) / 2) - 0.5) / variance.squareRoot()
        return Result(u: u, p: min(1, erfc(z / 2.0.squareRoot())), exact: false)
    }

    /// The smallest two-sided p-value the exact test can give for samples of `n` and `m` values
    /// (two fully separated samples without ties): 2 / C(n + m, n), at most 1.
    public static func smallestP(_ n: Int, _ m: Int) -> Double {
        guard n > 0, m > 0 else { return 1 }
        var arrangements = 1.0
        for k in 0..<min(n, m) { arrangements = arrangements * Double(n + m - k) / Double(k + 1) }
        return min(1, 2 / arrangements)
    }

    /// How many ways each sum of `choose` of the `ranks` can arise; index = sum.
    private static func rankSumCounts(_ ranks: [Int], choose: Int) -> [Double] {
        let maximum = ranks.reduce(0, +)
        // ways[j][s]: subsets of j of the ranks seen so far that sum to s.
        var ways = [[Double]](repeating: [Double](repeating: 0, count: maximum + 1), count: choose + 1)
        ways[0][0] = 1
        var reachable = 0
        for rank in ranks {
            reachable += rank
            for taken in stride(from: choose, through: 1, by: -1) {
                for sum in stride(from: reachable, through: rank, by: -1) where ways[taken - 1][sum - rank] > 0 {
                    ways[taken][sum] += ways[taken - 1][sum - rank]
                }
            }
        }
        return ways[choose]
    }
}
