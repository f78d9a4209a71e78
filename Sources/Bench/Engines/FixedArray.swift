/// A fixed-capacity array of one cell's per-agent state, in memory of its own that it frees when
/// it goes away.
///
/// Contract: it holds at most `capacity` elements, the first `count` initialized; `subscript`
/// reads and writes them in place (bounds-checked against `count`), and `append` adds one until
/// the capacity is reached. It is not copyable, so there is never a second owner of the storage:
/// an element is written without the uniqueness check and copy-on-write bookkeeping that
/// `Array` does at every write through a class's stored property, which callgrind measured among
/// the virtual engine's largest costs per event.
struct FixedArray<Element>: ~Copyable {
    private let base: UnsafeMutablePointer<Element>
    let capacity: Int
    private(set) var count: Int

    /// Room for `capacity` elements, none yet.
    init(capacity: Int) {
        precondition(capacity >= 0, "a negative capacity")
        base = .allocate(capacity: max(capacity, 1))
        self.capacity = capacity
        count = 0
    }

    /// `count` copies of `value`, and no room for more.
    init(repeating value: Element, count: Int) {
        self.init(capacity: count)
        base.initialize(repeating: value, count: count)
        self.count = count
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    var indices: Range<Int> { 0..<count }

    /// Adds `element` at the end; there must be room for it.
    mutating func append(_ element: Element) {
        precondition(count < capacity, "FixedArray is full")
        (base + count).initialize(to: element)
        count += 1
    }

    /// The element at `index`, read or written where it lies.
    subscript(index: Int) -> Element {
        @inline(__always) unsafeAddress {
            precondition(UInt(bitPattern: index) < UInt(bitPattern: count), "index out of range")
            return UnsafePointer(base + index)
        }
        @inline(__always) nonmutating unsafeMutableAddress {
            precondition(UInt(bitPattern: index) < UInt(bitPattern: count), "index out of range")
            return base + index
        }
    }
}
