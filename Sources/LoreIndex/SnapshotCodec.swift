/// Cuts an index's memory sections into checksummed parts for the store, and reads stored
/// parts straight back into pre-sized buffers.
///
/// Writing: the sections (raw buffers, in order) form one byte stream, cut into parts of
/// `partBytes` (8 MiB by default, far below SQLite's 1 GB blob limit); a part that falls
/// inside one section is passed to the store in place, without a copy. Reading: each part's
/// checksum is verified, then its bytes are copied to wherever the stream puts them.
public enum SnapshotCodec {
    public static let defaultPartBytes = 8 << 20

    /// A memory section of an index: `count` bytes at `base`.
    public struct Section {
        public var base: UnsafeMutableRawPointer
        public var count: Int
        public init(_ base: UnsafeMutableRawPointer, _ count: Int) {
            self.base = base
            self.count = count
        }
    }

    /// Emits the parts of `sections` in order.
    public static func write(
        _ sections: [Section], partBytes: Int = defaultPartBytes,
        emit: (_ checksum: UInt64, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let total = sections.reduce(0) { $0 + $1.count }
        var offset = 0
        var s = 0, within = 0
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: partBytes, alignment: 64)
        defer { scratch.deallocate() }
        while offset < total {
            let n = min(partBytes, total - offset)
            while sections[s].count == within { s += 1; within = 0 }
            if sections[s].count - within >= n {
                let bytes = UnsafeRawBufferPointer(start: sections[s].base + within, count: n)
                try emit(Checksum.of(bytes), bytes)
                within += n
            } else {
                var filled = 0
                while filled < n {
                    while sections[s].count == within { s += 1; within = 0 }
                    let take = min(n - filled, sections[s].count - within)
                    (scratch + filled).copyMemory(from: sections[s].base + within, byteCount: take)
                    filled += take
                    within += take
                }
                let bytes = UnsafeRawBufferPointer(start: scratch, count: n)
                try emit(Checksum.of(bytes), bytes)
            }
            offset += n
        }
    }

    /// Copies stored parts into `sections`, checking each part's checksum and the total.
    public final class Reader {
        private let sections: [Section]
        private var s = 0, within = 0
        private(set) var received = 0
        private var nextPart = 0
        public let expectedBytes: Int

        public init(_ sections: [Section]) {
            self.sections = sections
            expectedBytes = sections.reduce(0) { $0 + $1.count }
        }

        public func consume(part: Int, checksum: UInt64, _ bytes: UnsafeRawBufferPointer) throws {
            guard part == nextPart else { throw IndexError("index snapshot part \(nextPart) is missing (found part \(part))") }
            nextPart += 1
            guard Checksum.of(bytes) == checksum else { throw IndexError("index snapshot part \(part) fails its checksum") }
            guard received + bytes.count <= expectedBytes else { throw IndexError("index snapshot is longer than its header says") }
            var read = 0
            while read < bytes.count {
                while sections[s].count == within { s += 1; within = 0 }
                let take = min(bytes.count - read, sections[s].count - within)
                (sections[s].base + within).copyMemory(from: bytes.baseAddress! + read, byteCount: take)
                read += take
                within += take
            }
            received += bytes.count
        }

        public func finish() throws {
            guard received == expectedBytes else {
                throw IndexError("index snapshot is truncated: \(received) of \(expectedBytes) bytes")
            }
        }
    }
}
