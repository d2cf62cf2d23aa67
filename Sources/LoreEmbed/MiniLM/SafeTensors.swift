import Foundation
import LoreCore

/// A read-only, memory-mapped safetensors file: the JSON header is parsed once and tensors
/// are views into the mapping (no copy per tensor).
public final class SafeTensors: @unchecked Sendable {
    /// Shape and location of one tensor.
    public struct TensorInfo: Sendable {
        public var dtype: String
        public var shape: [Int]
        /// Byte range in the file.
        public var range: Range<Int>
        public var count: Int { shape.reduce(1, *) }
    }

    public struct FormatError: Error, CustomStringConvertible {
        public var description: String
    }

    public let path: String
    public let tensors: [String: TensorInfo]
    private let base: UnsafeMutableRawPointer
    private let length: Int

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw FormatError(description: "cannot open \(path): \(String(cString: strerror(errno))); run scripts/fetch-models")
        }
        defer { close(fd) }
        var st = stat()
        fstat(fd, &st)
        length = Int(st.st_size)
        guard length >= 8, let map = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else {
            throw FormatError(description: "cannot map \(path)")
        }
        base = map
        let headerLength = Int(map.loadUnaligned(as: UInt64.self).littleEndian)
        guard headerLength > 0, 8 + headerLength <= length else {
            munmap(map, length)
            throw FormatError(description: "\(path) is not a safetensors file (header length \(headerLength))")
        }
        let header: JSONValue
        do {
            header = try JSONParser.parse(UnsafeBufferPointer(start: map.assumingMemoryBound(to: UInt8.self) + 8, count: headerLength))
        } catch {
            munmap(map, length)
            throw FormatError(description: "\(path): bad safetensors header: \(error)")
        }
        guard case .object(let entries, _) = header else {
            munmap(map, length)
            throw FormatError(description: "\(path): the safetensors header is not an object")
        }
        var tensors: [String: TensorInfo] = [:]
        let dataStart = 8 + headerLength
        for (name, value) in entries where name != "__metadata__" {
            guard case .object(let t, _) = value, let dtype = t["dtype"]?.stringValue,
                case .array(let shape)? = t["shape"], case .array(let offsets)? = t["data_offsets"], offsets.count == 2,
                case .number(let lo) = offsets[0], case .number(let hi) = offsets[1]
            else {
                munmap(map, length)
                throw FormatError(description: "\(path): malformed entry for tensor \(name)")
            }
            let dims = shape.compactMap { v -> Int? in if case .number(let d) = v { return Int(d) } else { return nil } }
            let range = (dataStart + Int(lo))..<(dataStart + Int(hi))
            guard range.upperBound <= length else {
                munmap(map, length)
                throw FormatError(description: "\(path): tensor \(name) lies beyond the end of the file (truncated download?)")
            }
            tensors[name] = TensorInfo(dtype: dtype, shape: dims, range: range)
        }
        self.tensors = tensors
    }

    deinit { munmap(base, length) }

    /// The float32 tensor `name`, checked against `shape`.
    public func float32(_ name: String, shape: [Int]) throws -> UnsafeBufferPointer<Float> {
        guard let info = tensors[name] else { throw FormatError(description: "\(path): no tensor \(name)") }
        guard info.dtype == "F32" else { throw FormatError(description: "\(path): tensor \(name) is \(info.dtype), expected F32") }
        guard info.shape == shape else {
            throw FormatError(description: "\(path): tensor \(name) has shape \(info.shape), expected \(shape)")
        }
        guard info.range.count == info.count * 4, info.range.lowerBound % 4 == 0 else {
            throw FormatError(description: "\(path): tensor \(name) has a bad size or alignment")
        }
        return UnsafeBufferPointer(start: (base + info.range.lowerBound).assumingMemoryBound(to: Float.self), count: info.count)
    }
}
