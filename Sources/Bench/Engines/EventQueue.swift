/// The virtual engine's pending events: a binary min-heap in one contiguous array.
///
/// Contract: `popMin` returns the least element by `<`; elements that compare equal come out in
/// no particular order, so callers give every element a distinct key (the engine's events carry
/// a unique `order`). A plain binary heap, not swift-collections' min-max `Heap`: the engine only
/// ever takes the minimum, and callgrind measured the min-max heap's sifting at 15% of a cell.
struct EventQueue<Element: Comparable> {
    private var storage: ContiguousArray<Element> = []

    var isEmpty: Bool { storage.isEmpty }

    mutating func insert(_ element: Element) {
        storage.append(element)
        var child = storage.count - 1
        storage.withUnsafeMutableBufferPointer { heap in
            while child > 0 {
                let parent = (child - 1) / 2
                guard heap[child] < heap[parent] else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }
    }

    mutating func popMin() -> Element? {
        guard let last = storage.popLast() else { return nil }
        guard !storage.isEmpty else { return last }
        return storage.withUnsafeMutableBufferPointer { heap in
            let minimum = heap[0]
            heap[0] = last
            var parent = 0
            let count = heap.count
            while true {
                let left = 2 * parent + 1
                guard left < count else { break }
                let right = left + 1
                let smaller = right < count && heap[right] < heap[left] ? right : left
                guard heap[smaller] < heap[parent] else { break }
                heap.swapAt(smaller, parent)
                parent = smaller
            }
            return minimum
        }
    }
}
