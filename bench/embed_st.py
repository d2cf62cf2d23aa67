"""The anchors of bench/embed: sentence-transformers all-MiniLM-L6-v2 on CPU, on PyTorch
(`torch`), on ONNX Runtime (`onnx`, the model exported by sentence-transformers), and on ONNX
Runtime with dynamic int8 quantisation (`onnx-int8`: `export_dynamic_quantized_onnx_model`,
the avx512_vnni configuration where the CPU has VNNI, else avx2), as a Python user who wants
fast CPU embeddings runs it.

Same texts, same batch size (32), same max length (256), the same cores (torch threads =
the number of CPUs; ONNX Runtime's default intra-op threads, one per core). Prints one JSON
object like `lore bench embed`; the ONNX sides add their fidelity against the PyTorch model
(cosine of each text's vector, over the first 500 texts).

Usage: embed_st.py MODEL_DIR TEXTS_FILE [RUNS] [QUERIES] [torch|onnx|onnx-int8]
"""
import json, os, resource, shutil, statistics, sys, tempfile, time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
import torch
from sentence_transformers import SentenceTransformer

model_dir, texts_file = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
queries = int(sys.argv[4]) if len(sys.argv) > 4 else 200
backend = sys.argv[5] if len(sys.argv) > 5 else "torch"
if backend not in ("torch", "onnx", "onnx-int8"):
    sys.exit(f"embed_st.py: backend must be torch, onnx or onnx-int8, not {backend}")
torch.set_num_threads(os.cpu_count())
texts = [l.rstrip("\n") for l in open(texts_file, encoding="utf-8") if l.strip()]
flags = next((l for l in open("/proc/cpuinfo") if l.startswith("flags")), "").split()
quantization = "avx512_vnni" if "avx512_vnni" in flags else "avx2"

work = tempfile.mkdtemp()
t = time.perf_counter()
if backend == "torch":
    model = SentenceTransformer(model_dir, device="cpu")
else:
    # A copy of the model directory: the ONNX export and the quantised file are written there.
    local = shutil.copytree(model_dir, os.path.join(work, "model"))
    model = SentenceTransformer(local, device="cpu", backend="onnx")
    if backend == "onnx-int8":
        from sentence_transformers import export_dynamic_quantized_onnx_model
        export_dynamic_quantized_onnx_model(model, quantization, local)
        # model_qint8_avx512_vnni.onnx, or model_quint8_avx2.onnx (unsigned activations on AVX2)
        name = next(f for f in os.listdir(os.path.join(local, "onnx")) if f.endswith(f"int8_{quantization}.onnx"))
        model = SentenceTransformer(local, device="cpu", backend="onnx", model_kwargs={"file_name": f"onnx/{name}"})
load_s = time.perf_counter() - t
model.max_seq_length = 256
model.encode(texts[:32], batch_size=32)  # warm-up
passes = []
for _ in range(runs):
    t = time.perf_counter()
    v = model.encode(texts, batch_size=32, show_progress_bar=False)
    passes.append(time.perf_counter() - t)
    assert len(v) == len(texts)
lat = []
for q in range(queries):
    t = time.perf_counter()
    model.encode([texts[q % len(texts)]], batch_size=32, show_progress_bar=False)
    lat.append((time.perf_counter() - t) * 1000)
lat.sort()
med = statistics.median(passes)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out = {
    "backend": backend, "texts": len(texts), "batch_size": 32, "runs_s": sorted(passes), "median_s": med,
    "texts_per_s": len(texts) / med, "latency_ms_p50": lat[len(lat) // 2],
    "latency_ms_p99": lat[min(len(lat) - 1, int(len(lat) * 0.99))], "peak_rss_mib": rss, "model_load_s": load_s,
    "threads": torch.get_num_threads(), "torch": torch.__version__,
    "blas": torch.__config__.show().split("BLAS_INFO=")[1].split(",")[0] if "BLAS_INFO=" in torch.__config__.show() else "?",
}
if backend != "torch":
    import onnxruntime
    out["onnxruntime"] = onnxruntime.__version__
    if backend == "onnx-int8":
        out["quantization"] = quantization
    # Fidelity (after the timings and the peak memory): each text's vector against PyTorch's.
    sample = texts[:500]
    mine = model.encode(sample, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
    ref = SentenceTransformer(model_dir, device="cpu").encode(sample, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
    cos = [float((a * b).sum()) for a, b in zip(mine, ref)]
    out["cosine_vs_torch_mean"] = statistics.fmean(cos)
    out["cosine_vs_torch_min"] = min(cos)
shutil.rmtree(work, ignore_errors=True)
print(json.dumps(out, sort_keys=True))
