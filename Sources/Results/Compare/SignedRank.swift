import Foundation

/// The Wilcoxon signed-rank test of paired differences, and the Hodges–Lehmann estimate and
/// confidence interval that go with it.
///
/// Contract: zero differences are dropped (Wilcoxon's convention) and tied absolute differences get
/// midranks. Up to `exactLimit` nonzero differences the two-sided p-value comes from the exact
/// distribution of the positive rank sum over all 2^n sign patterns of those midranks (exact with
/// ties too); beyond it from the normal approximation with the tie correction and a continuity
/// correction. The interval is the order statistics of the n(n + 1)/2 Walsh averages (d_i + d_j)/2,
/// i ≤ j, at the highest confidence not above the requested level that the exact distribution
/// reaches; when even the widest (smallest to largest Walsh average) falls short of it, that one is
/// returned with the confidence it does have, so `confidence` always says what the interval is.
public enum SignedRank {
    /// One test with its estimate.
    public struct Result: Sendable, Equatable {
        /// The number of differences (zeros included).
        public let pairs: Int
        /// The positive rank sum over the nonzero differences.
        public let positiveRankSum: Double
        /// The two-sided p-value; 1 when every difference is zero.
        public let p: Double
        /// Whether `p` comes from the exact distribution.
        public let exact: Bool
        /// The Hodges–Lehmann estimate: the median of the Walsh averages.
        public let estimate: Double
        /// The interval's ends, in the differences' units.
        public let lower: Double
        public let upper: Double
        /// The interval's actual confidence (for example 0.9375 for 5 pairs, whose widest interval
        /// is all the exact distribution allows).
        public let confidence: Double
    }

    /// Nonzero differences up to which the exact distribution is computed (its cost grows with
    /// the cube of the count).
    public static let exactLimit = 60

    /// Tests whether `differences` are centred on zero; the interval aims at `level` (in (0, 1)).
    public static func test(_ differences: [Double], level: Double = 0.95) -> Result? {
        let finite = differences.filter(\.isFinite)
        guard !finite.isEmpty else { return nil }
        let walsh = walshAverages(finite)
        let estimate = MarkdownTable.median(walsh)
        let nonzero = finite.filter { $0 != 0 }
        let n = nonzero.count

        // Doubled midranks of |d| are whole numbers, so the null distribution counts in integers.
        let order = nonzero.indices.sorted { abs(nonzero[$0]) < abs(nonzero[$1]) }
        var doubledRanks = [Int](repeating: 0, count: n)
        var tieSizes: [Int] = []
        var start = 0
        while start < n {
            var end = start
            while end + 1 < n && abs(nonzero[order[end + 1]]) == abs(nonzero[order[start]]) { end += 1 }
            for position in start...end { doubledRanks[order[position]] = start + end + 2 }
            tieSizes.append(end - start + 1)
            start = end + 1
        }
        let doubledPositive = nonzero.indices.filter { nonzero[$0] > 0 }.map { doubledRanks[$0] }.reduce(0, +)
        let doubledTotal = doubledRanks.reduce(0, +)

        let p: Double, exact: Bool
        if n == 0 {
            (p, exact) = (1, true)
        } else if n <= exactLimit {
            // Two-sided: patterns whose positive sum is at least as far from the mean as observed.
            let counts = sumCounts(doubledRanks)
            let distance = abs(2 * doubledPositive - doubledTotal)
            var extreme = 0.0
            for (sum, count) in counts.enumerated() where count > 0 && abs(2 * sum - doubledTotal) >= distance {
                extreme += count
            }
            (p, exact) = (min(1, extreme / pow(2, Double(n))), true)
        } else {
            let mean = Double(n * (n + 1)) / 4
            let tieTerm = tieSizes.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
            let variance = Double(n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48
            let z = variance > 0 ? max(0, abs(Double(doubledPositive) / 2 - mean) - 0.5) / variance.squareRoot() : 0
            (p, exact) = (variance > 0 ? min(1, erfc(z / 2.0.squareRoot())) : 1, false)
        }

        let (lowerIndex, confidence) = intervalRank(pairs: finite.count, level: level)
        return Result(
            pairs: finite.count, positiveRankSum: Double(doubledPositive) / 2, p: p, exact: exact,
            estimate: estimate, lower: walsh[lowerIndex], upper: walsh[walsh.count - 1 - lowerIndex], confidence: confidence)
    }

    /// The smallest two-sided p-value `pairs` nonzero differences can give: 2 / 2^pairs, at most 1.
    public static func smallestP(pairs: Int) -> Double {
        min(1, 2 / pow(2, Double(pairs)))
    }

    /// Every (d_i + d_j) / 2 with i ≤ j, sorted.
    static func walshAverages(_ values: [Double]) -> [Double] {
        var averages: [Double] = []
        averages.reserveCapacity(values.count * (values.count + 1) / 2)
        for i in values.indices {
            for j in i..<values.count { averages.append((values[i] + values[j]) / 2) }
        }
        return averages.sorted()
    }

    /// The 0-based index of the interval's lower end among the sorted Walsh averages (the upper
    /// end is as far from the top) and the interval's confidence. With W_1 … W_M sorted, [W_k,
    /// W_(M+1−k)] covers the centre with probability 1 − 2·P(T ≤ k − 1), T the untied signed-rank
    /// statistic; k is the largest with P(T ≤ k − 1) ≤ (1 − level)/2, or 1 (the widest interval)
    /// when none is. Beyond `exactLimit` pairs the normal approximation gives k.
    static func intervalRank(pairs n: Int, level: Double) -> (Int, Double) {
        let tail = (1 - level) / 2
        let walshCount = n * (n + 1) / 2
        if n > exactLimit {
            let sd = (Double(n * (n + 1) * (2 * n + 1)) / 24).squareRoot()
            let k = Int((Double(walshCount) / 2 - quantileOfNormal(1 - tail) * sd).rounded(.down))
            return (max(0, min(walshCount / 2, k - 1)), level)
        }
        let all = pow(2, Double(n))
        var cumulative = 0.0, k = 1
        for (t, count) in untiedDistribution(n).enumerated() {
            cumulative += count
            // cumulative is now P(T ≤ t) · 2^n: k = t + 1 qualifies when that is within the tail.
            guard cumulative / all <= tail else { break }
            k = t + 1
        }
        let below = untiedDistribution(n).prefix(k).reduce(0, +) / all  // P(T ≤ k − 1)
        return (k - 1, 1 - 2 * below)
    }

    /// How many of the 2^n sign patterns give each doubled positive rank sum; index = sum.
    private static func sumCounts(_ doubledRanks: [Int]) -> [Double] {
        let maximum = doubledRanks.reduce(0, +)
        var ways = [Double](repeating: 0, count: maximum + 1)
        ways[0] = 1
        var reachable = 0
        for rank in doubledRanks {
            reachable += rank
            for sum in stride(from: reachable, through: rank, by: -1) where ways[sum - rank] > 0 {
                ways[sum] += ways[sum - rank]
            }
        }
        return ways
    }

    /// The null distribution of T (ranks 1…n, no ties): counts for T = 0 … n(n+1)/2.
    private static func untiedDistribution(_ n: Int) -> [Double] {
        let maximum = n * (n + 1) / 2
        var ways = [Double](repeating: 0, count: maximum + 1)
        ways[0] = 1
        var reachable = 0
        for rank in stride(from: 1, through: n, by: 1) {
            reachable += rank
            for sum in stride(from: reachable, through: rank, by: -1) { ways[sum] += ways[sum - rank] }
        }
        return ways
    }

    /// The standard normal quantile, by bisection on erfc (called once per large-sample interval).
    static func quantileOfNormal(_ probability: Double) -> Double {
        var low = -10.0, high = 10.0
        for _ in 0..<100 {
            let middle = (low + high) / 2
            if 0.5 * erfc(-middle / 2.0.squareRoot()) < probability { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }
}
