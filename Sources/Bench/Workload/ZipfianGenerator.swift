import Core
import Foundation

/// Ranks `0..<count` drawn with Zipf popularity: rank k with probability 1 / ((k + 1)^θ ζ(count, θ)),
/// rank 0 the most popular. The method is Gray et al.'s ("Quickly Generating Billion-Record
/// Synthetic Databases", SIGMOD 1994), the one YCSB's Zipfian generator uses: after ζ(count, θ)
/// is summed, each draw is one uniform number and at most one `pow`.
///
/// Contract: `next` is O(1) and depends only on the generator it is given; ranks 0 and 1 come
/// with their exact Zipf probabilities, later ranks by the method's continuous approximation
/// of the tail. θ must lie in (0, 1). ζ(count, θ) costs a `pow` per rank, so it is summed once
/// per distinct count and θ in the process (`zeta(count:theta:)`), not once per vCPU or per cell.
struct ZipfianGenerator: Sendable {
    let count: UInt64
    let theta: Double
    /// ζ(count, θ), and the draw below which rank 1 comes (ζ(2, θ)); the tail's exponent 1/(1 − θ)
    /// and scale η.
    private let zetaCount: Double
    private let zetaTwo: Double
    private let alpha: Double
    private let eta: Double

    /// - Parameters:
    ///   - count: how many ranks (at least 1).
    ///   - theta: the exponent, in (0, 1).
    init(count: UInt64, theta: Double) {
        precondition(count > 0 && theta > 0 && theta < 1, "a Zipf generator needs a rank and 0 < θ < 1")
        self.count = count
        self.theta = theta
        zetaCount = Self.zeta(count: count, theta: theta)
        zetaTwo = 1 + pow(0.5, theta)
        alpha = 1 / (1 - theta)
        // Unused below 3 ranks, where the first two thresholds decide every draw.
        eta = count < 3 ? 0 : (1 - pow(2 / Double(count), 1 - theta)) / (1 - zetaTwo / zetaCount)
    }

    /// The next rank.
    @inline(__always)
    func next(_ random: inout SplitMix64) -> UInt64 {
        let uniform = Double(random.next() >> 11) * 0x1p-53
        let scaled = uniform * zetaCount
        if scaled < 1 { return 0 }
        if scaled < zetaTwo { return min(1, count - 1) }
        let rank = Double(count) * pow(eta * uniform - eta + 1, alpha)
        return min(UInt64(rank), count - 1)
    }

    private struct ZetaKey: Hashable {
        let count: UInt64
        let theta: Double
    }

    /// ζ(count, θ) = Σ 1/k^θ for k in 1...count, summed once per count and θ for the whole process.
    private static let zetas = Locked<[ZetaKey: Double]>([:])

    /// ζ(count, θ), from the process's cache or summed now (smallest terms first, so the large
    /// sums lose the least to rounding). Cells running at once may both sum a new count; they
    /// get the same value.
    static func zeta(count: UInt64, theta: Double) -> Double {
        let key = ZetaKey(count: count, theta: theta)
        if let known = zetas.withLock({ $0[key] }) { return known }
        var sum = 0.0
        for rank in stride(from: count, through: 1, by: -1) {
            sum += 1 / pow(Double(rank), theta)
        }
        zetas.withLock { $0[key] = sum }
        return sum
    }
}
