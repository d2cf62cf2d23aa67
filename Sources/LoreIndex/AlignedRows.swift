/// Rows of `dimension` float32s in one contiguous, 64-byte-aligned buffer that grows by
/// doubling. Not synchronised: the owning index guards it.
struct AlignedRows {
    let dimension: Int
    private(set) var capacity: Int
    private(set) var base: UnsafeMutablePointer<Float>

    init(dimension: Int, capacity: Int) {
        self.dimension = dimension
        self.capacity = max(capacity, 16)
        base = AlignedRows.allocate(self.capacity * dimension)
    }

    static func allocate(_ floats: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(floats, 1) * 4, alignment: 64).bindMemory(to: Float.self, capacity: max(floats, 1))
    }

    func free() { base.deallocate() }

    @inline(__always) func row(_ i: Int) -> UnsafeMutablePointer<Float> { base + i &* dimension }

    /// Makes room for at least `rows` rows, keeping the first `used`.
    mutating func reserve(_ rows: Int, used: Int) {
        guard rows > capacity else { return }
        var newCapacity = capacity
        while newCapacity < rows { newCapacity *= 2 }
        let fresh = AlignedRows.allocate(newCapacity * dimension)
        fresh.update(from: base, count: used * dimension)
        base.deallocate()
        base = fresh
        capacity = newCapacity
    }

    var bytes: Int { capacity * dimension * 4 }
}
