import CMatrixTiles
import Foundation

/// How the encoder's linear layers multiply: the four products of each layer, about four
/// fifths of a forward pass's arithmetic at 128 tokens.
public enum EncoderKernel: String, Sendable, CaseIterable, CustomStringConvertible {
    /// fp32 on BLAS (and `SmallGEMM` for a query's few rows): every CPU, and the reference
    /// the others are measured against.
    case fp32
    /// Weights and activations rounded to bf16, products summed in fp32, on Intel AMX tiles
    /// (`TDPBF16PS`; Sapphire Rapids and later). Within cosine 0.999 of fp32 on average
    /// (`EmbeddingParityTests`), and each text's vector is the same whatever batch it is in.
    case bf16

    public var description: String { rawValue }

    /// Whether this CPU (and the kernel, which must grant a process the AMX tile state) can run it.
    public var available: Bool {
        switch self {
        case .fp32: return true
        case .bf16: return lore_tiles_available() == 1
        }
    }

    /// The kernel `LORE_EMBED_KERNEL` names: `auto` (the default: bf16 where the CPU has AMX,
    /// fp32 elsewhere), `fp32` or `bf16`.
    public static func named(_ name: String?) throws -> EncoderKernel {
        switch name?.lowercased() {
        case nil, "", "auto": return EncoderKernel.bf16.available ? .bf16 : .fp32
        case "fp32": return .fp32
        case "bf16":
            guard EncoderKernel.bf16.available else {
                throw KernelError(
                    description: "LORE_EMBED_KERNEL=bf16: this CPU has no AMX-BF16 tiles (or the kernel refused them); use auto or fp32")
            }
            return .bf16
        case let other?:
            throw KernelError(description: "LORE_EMBED_KERNEL=\(other): expected auto, fp32 or bf16")
        }
    }

    /// The kernel of `LORE_EMBED_KERNEL` (see ``named(_:)``).
    public static func fromEnvironment() throws -> EncoderKernel {
        try named(ProcessInfo.processInfo.environment["LORE_EMBED_KERNEL"])
    }

    /// A kernel that cannot be used here.
    public struct KernelError: Error, CustomStringConvertible {
        public let description: String
    }
}

/// A weight matrix `[n × k]` rounded to bf16 and laid out as the AMX product reads it.
struct TileWeights: Sendable {
    let n: Int, k: Int
    let packed: [UInt16]

    init(_ w: UnsafeBufferPointer<Float>, n: Int, k: Int) {
        precondition(w.count == n * k && n % 32 == 0 && k % 32 == 0, "AMX tiles need n and k in multiples of 32")
        self.n = n
        self.k = k
        packed = [UInt16](unsafeUninitializedCapacity: lore_tiles_packed_count(Int32(n), Int32(k))) { buffer, count in
            lore_tiles_pack(w.baseAddress!, Int32(n), Int32(k), buffer.baseAddress!)
            count = buffer.count
        }
    }

    /// `out[m × n] += x[m × k] · wᵀ`. Returns false (out unchanged) when the scratch memory could not be had.
    func multiplyAdd(m: Int, x: UnsafePointer<Float>, ldx: Int, out: UnsafeMutablePointer<Float>, ldo: Int) -> Bool {
        packed.withUnsafeBufferPointer { p in
            lore_tiles_linear(Int32(m), Int32(n), Int32(k), x, Int32(ldx), p.baseAddress!, out, Int32(ldo)) == 0
        }
    }
}
