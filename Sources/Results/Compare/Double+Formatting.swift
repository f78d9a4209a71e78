import Foundation

extension Double {
    /// `significant` significant digits in the C locale ("0.00794", "1.2e+04"): reports are read
    /// by people and diffed by scripts, neither of which wants a locale's decimal comma.
    public func formatted(significant: Int) -> String {
        guard isFinite else { return isNaN ? "–" : (self > 0 ? "∞" : "−∞") }
        return String(format: "%.\(significant)g", locale: nil, self)
    }
}
