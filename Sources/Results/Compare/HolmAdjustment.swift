/// Holm's step-down adjustment of p-values for a family of tests.
///
/// Contract: the i-th smallest of m p-values becomes max over j ≤ i of min(1, (m − j + 1) · p_j),
/// returned in the input's order. Rejecting where the adjusted value is at most alpha keeps the
/// chance of any false rejection in the family at most alpha, whatever the dependence between the
/// tests, and rejects at least as much as Bonferroni. The first step alone decides whether
/// anything can be rejected: the smallest p-value must be at most alpha / m.
public enum HolmAdjustment {
    /// The adjusted p-values, in the order of `pValues`.
    public static func adjust(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 1, count: m)
        var running = 0.0
        for (step, index) in order.enumerated() {
            running = max(running, min(1, Double(m - step) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }
}
