"""The anchor of bench/embed: sentence-transformers all-MiniLM-L6-v2 (PyTorch, CPU).

Same texts, same batch size (32), same max length (256), the same cores (torch threads =
the number of CPUs). Prints one JSON object like `lore bench embed`.
"""
import json, os, resource, statistics, sys, time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
import torch
from sentence_transformers import SentenceTransformer

model_dir, texts_file = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
queries = int(sys.argv[4]) if len(sys.argv) > 4 else 200
torch.set_num_threads(os.cpu_count())
texts = [l.rstrip("\n") for l in open(texts_file, encoding="utf-8") if l.strip()]
t = time.perf_counter()
model = SentenceTransformer(model_dir, device="cpu")
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
print(json.dumps({
    "texts": len(texts), "batch_size": 32, "runs_s": sorted(passes), "median_s": med, "texts_per_s": len(texts) / med,
    "latency_ms_p50": lat[len(lat) // 2], "latency_ms_p99": lat[min(len(lat) - 1, int(len(lat) * 0.99))],
    "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "model_load_s": load_s,
    "threads": torch.get_num_threads(), "torch": torch.__version__,
    "blas": torch.__config__.show().split("BLAS_INFO=")[1].split(",")[0] if "BLAS_INFO=" in torch.__config__.show() else "?",
}, sort_keys=True))
