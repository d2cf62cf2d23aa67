import CBLAS
import Foundation

/// The BLAS library Lore runs on (the encoder's matrix products, batched flat search), opened at run time.
///
/// Debian's OpenBLAS 0.3.21 does not recognise some recent CPUs and falls back to its
/// slowest kernel (Prescott, about a third of the speed here). So before opening the library
/// Lore sets `OPENBLAS_CORETYPE` from the CPU's features (AVX-512 → SkylakeX, AVX2 + FMA →
/// Haswell) unless the user set it. `LORE_BLAS_LIBRARY` names another library (for example
/// the current OpenBLAS of the PyPI package scipy-openblas32, whose symbols carry a
/// `scipy_` prefix). Lore owns the cores: it runs one batch per core, each with a
/// single-threaded BLAS, so OpenBLAS's own threads are set to 1.
public enum BLAS {
    typealias SgemmFn =
        @convention(c) (
            CBLAS_LAYOUT, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, Int32, Int32, Int32, Float,
            UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32
        ) -> Void
    typealias SetThreads = @convention(c) (Int32) -> Void
    typealias GetString = @convention(c) () -> UnsafePointer<CChar>?

    /// Why no BLAS could be used.
    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    struct Library: @unchecked Sendable {
        var path: String
        var sgemm: SgemmFn
        var setThreads: SetThreads?
        var config: GetString?
        var coreName: GetString?
        var forcedCore: String?
    }

    static let loaded: Result<Library, LoadError> = load()

    /// Opens the BLAS; call once at start-up to fail early with a clear message.
    public static func prepare() throws {
        _ = try loaded.get()
    }

    private static func load() -> Result<Library, LoadError> {
        let env = ProcessInfo.processInfo.environment
        var forced: String? = nil
        if env["OPENBLAS_CORETYPE"] == nil, let core = coreTypeForThisCPU() {
            setenv("OPENBLAS_CORETYPE", core, 0)
            forced = core
        }
        let candidates = env["LORE_BLAS_LIBRARY"].map { [$0] } ?? ["libblas.so.3", "libopenblas.so.0", "libcblas.so.3"]
        var tried: [String] = []
        for path in candidates {
            guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
                tried.append("\(path): \(String(cString: dlerror()))")
                continue
            }
            for prefix in ["", "scipy_"] {
                guard let s = dlsym(handle, prefix + "cblas_sgemm") else { continue }
                func fn<T>(_ name: String, _ type: T.Type) -> T? { dlsym(handle, prefix + name).map { unsafeBitCast($0, to: type) } }
                let lib = Library(
                    path: path, sgemm: unsafeBitCast(s, to: SgemmFn.self),
                    setThreads: fn("openblas_set_num_threads", SetThreads.self),
                    config: fn("openblas_get_config", GetString.self),
                    coreName: fn("openblas_get_corename", GetString.self), forcedCore: forced)
                lib.setThreads?(1)
                return .success(lib)
            }
            tried.append("\(path): no cblas_sgemm")
        }
        return .failure(
            LoadError(
                description:
                    "no usable BLAS (\(tried.joined(separator: "; "))): install libopenblas0-pthread and libblas-dev (scripts/bootstrap), or set LORE_BLAS_LIBRARY"
            ))
    }

    /// The OpenBLAS kernel to use on this CPU, from /proc/cpuinfo's flags.
    static func coreTypeForThisCPU() -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/cpuinfo") else { return nil }
        guard let flagsLine = String(decoding: data, as: UTF8.self).split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else {
            return nil
        }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq"]) { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// A description of the BLAS in use: library, version and build, and kernel.
    public static var configuration: String {
        switch loaded {
        case .failure(let e): return "none (\(e.description))"
        case .success(let lib):
            let config = lib.config?().map { String(cString: $0) } ?? "reference BLAS"
            let core = lib.coreName?().map { String(cString: $0) }
            return "\(lib.path): \(config)" + (core.map { ", kernel \($0)" } ?? "")
                + (lib.forcedCore.map { " (OPENBLAS_CORETYPE=\($0) set by Lore)" } ?? "")
        }
    }

    /// C[m×n] = alpha · A[m×k] · op(B) + beta · C, row-major; `transB` reads B as [n×k].
    @inline(__always)
    public static func gemm(
        m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, transB: Bool, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard case .success(let lib) = loaded else { fatalError("BLAS used before BLAS.prepare() succeeded") }
        lib.sgemm(
            CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
