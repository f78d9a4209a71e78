/// Whether this binary was built for release or debug.
enum BuildKind {
    static var current: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }
}
