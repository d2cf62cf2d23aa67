import CBLAS
import Foundation

/// The BLAS library actually loaded, and control of its threads.
///
/// Lore decides who owns the cores: the embedder runs one batch per core, each with a
/// single-threaded BLAS, so OpenBLAS's own threads are turned off.
public enum BLAS {
    private typealias SetThreads = @convention(c) (Int32) -> Void
    private typealias GetConfig = @convention(c) () -> UnsafePointer<CChar>?

    /// Sets OpenBLAS's thread count, when the loaded BLAS is OpenBLAS.
    public static func setThreads(_ n: Int) {
        guard let sym = symbol("openblas_set_num_threads") else { return }
        unsafeBitCast(sym, to: SetThreads.self)(Int32(n))
    }

    /// A description of the BLAS in use, e.g. `OpenBLAS 0.3.21 ... Haswell`, or `reference BLAS`.
    public static var configuration: String {
        guard let sym = symbol("openblas_get_config") else { return "reference BLAS (install libopenblas0-pthread for speed)" }
        guard let s = unsafeBitCast(sym, to: GetConfig.self)() else { return "OpenBLAS" }
        let core = symbol("openblas_get_corename").map { unsafeBitCast($0, to: GetConfig.self)() }.flatMap { $0.map { String(cString: $0) } }
        return "OpenBLAS " + String(cString: s) + (core.map { " (\($0))" } ?? "")
    }

    /// A symbol of the process's global scope (the loaded libblas.so.3 included).
    private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        guard let process = dlopen(nil, RTLD_NOW) else { return nil }
        return dlsym(process, name)
    }

    /// C[m×n] = alpha · A[m×k] · op(B) + beta · C, row-major; `transB` reads B as [n×k].
    @inline(__always)
    static func gemm(m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                     b: UnsafePointer<Float>, ldb: Int, transB: Bool, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
