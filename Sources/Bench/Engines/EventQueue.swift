/// The virtual engine's pending events: a binary min-heap in one buffer of its own.
///
/// Contract: `popMin` returns the least element by `<`; elements that compare equal come out in
/// no particular order, so callers give every element a distinct key (the engine's events carry
/// a unique `order`). A plain binary heap, not swift-collections' min-max `Heap`: the engine only
/// ever takes the minimum, and callgrind measured the min-max heap's sifting at 15% of a cell.
/// The buffer is the queue's alone (it is not copyable): an array in the engine's class was
/// checked for uniqueness at every insert and pop.
struct EventQueue<Element: Comparable>: ~Copyable {
    private var heap: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init() {
        capacity = 64
        heap = .allocate(capacity: capacity)
    }

    deinit {
        heap.deinitialize(count: count)
        heap.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    mutating func insert(_ element: Element) {
        if count == capacity { grow() }
        // Sift up with a hole: parents larger than the element move down into it, and the
        // element is written once, where the hole stops.
        var child = count
        while child > 0 {
            let parent = (child - 1) / 2
            guard element < heap[parent] else { break }
            (heap + child).moveInitialize(from: heap + parent, count: 1)
            child = parent
        }
        (heap + child).initialize(to: element)
        count += 1
    }

    mutating func popMin() -> Element? {
        guard count > 0 else { return nil }
        count -= 1
        let minimum = (heap + 0).move()
        guard count > 0 else { return minimum }
        let last = (heap + count).move()
        // Sift the last element down from the root's hole: the smaller child moves up while it
        // is smaller than the element.
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            let smaller = right < count && heap[right] < heap[left] ? right : left
            guard heap[smaller] < last else { break }
            (heap + parent).moveInitialize(from: heap + smaller, count: 1)
            parent = smaller
        }
        (heap + parent).initialize(to: last)
        return minimum
    }

    /// Twice the room, the elements moved over.
    private mutating func grow() {
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: heap, count: count)
        heap.deallocate()
        heap = larger
        capacity *= 2
    }
}
