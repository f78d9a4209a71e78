/// One result slot per worker thread, read by the thread that joins them.
///
/// No lock: slot *i* is written only by worker *i*, before it exits, and read only after
/// `OSThread.join()`, whose happens-before edge orders the two (and is one ThreadSanitizer
/// understands, unlike a lock inside an uninstrumented runtime library).
final class ThreadResults<Element>: @unchecked Sendable {
    // Safety: see the type's comment; each slot has one writer, and readers wait for it to exit.
    private let slots: UnsafeMutablePointer<Element?>
    let count: Int

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: max(1, count))
        slots.initialize(repeating: nil, count: max(1, count))
    }

    deinit {
        slots.deinitialize(count: max(1, count))
        slots.deallocate()
    }

    /// Called by worker `index`, once, before it exits.
    func store(_ element: Element, at index: Int) { slots[index] = element }

    /// The results stored so far; call after joining the workers.
    var all: [Element] { (0..<count).compactMap { slots[$0] } }
}
