/// A backend with its variant as summaries, charts and benchmark names show it: `backend`, or
/// `backend(variant)` for a variant other than the default.
///
/// Contract: `render` and `parse` are inverses for every backend name without parentheses;
/// an empty variant renders as the default, so two variants of one backend never collapse into
/// one label and a row from a file without a `variant` column reads as the default.
public enum BackendLabel {
    /// `backend`, or `backend(variant)` unless `variant` is the default or empty.
    public static func render(backend: String, variant: String) -> String {
        variant.isEmpty || variant == VariantLabel.standard.rawValue ? backend : "\(backend)(\(variant))"
    }

    /// Splits a label back into its backend and variant (the default when it names none).
    public static func parse(_ label: String) -> (backend: String, variant: String) {
        guard label.hasSuffix(")"), let open = label.firstIndex(of: "(") else { return (label, VariantLabel.standard.rawValue) }
        let variant = label[label.index(after: open)..<label.index(before: label.endIndex)]
        return (String(label[..<open]), String(variant))
    }
}
