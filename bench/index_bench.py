"""Lore's vector indexes against FAISS and hnswlib on the same vectors, in one run.

Driven by bench/index. Every library gets the same base vectors, the same 1,000 held-out
queries, the same exact ground truth, M and ef_construction, and the same cores. Load
time and memory are measured in a fresh process per library (RSS before and after
loading the saved index). Prints a table and the ratios, and writes
bench/results/index.json.
"""
import argparse, json, os, shutil, sqlite3, statistics, subprocess, sys, tempfile, time

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--lore", required=True)
ap.add_argument("--data", required=True)
ap.add_argument("--runs", type=int, default=3)
ap.add_argument("--m", type=int, default=16)
ap.add_argument("--ef-construction", type=int, default=200)
ap.add_argument("--queries", type=int, default=1000)
ap.add_argument("--phase", default="main")
ap.add_argument("--path", default="")
args = ap.parse_args()
K = 10
EFS = [10, 16, 24, 32, 48, 64, 96, 128, 256]


def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


# Load-only phases, run in fresh processes by the main phase.
if args.phase in ("load-hnswlib", "load-faiss"):
    dim = 384
    before = rss_mib()
    t = time.perf_counter()
    if args.phase == "load-hnswlib":
        import hnswlib
        p = hnswlib.Index(space="ip", dim=dim)
        p.load_index(args.path)
        n = p.get_current_count()
    else:
        import faiss
        idx = faiss.read_index(args.path)
        n = idx.ntotal
    print(json.dumps({"load_s": time.perf_counter() - t, "rss_delta_mib": rss_mib() - before, "nodes": n}))
    sys.exit(0)

import faiss
import hnswlib

work = tempfile.mkdtemp()
import atexit
atexit.register(shutil.rmtree, work, True)
base_f, query_f, truth_f = (os.path.join(args.data, x) for x in ("base.f32", "queries.f32", "truth.i32"))
if not all(os.path.exists(p) for p in (base_f, query_f, truth_f)):
    print("==> exporting vectors and computing exact neighbours", file=sys.stderr)
    con = sqlite3.connect(os.path.join(args.data, "docs.db"))
    rows = con.execute("SELECT embedding FROM vectors ORDER BY chunk_id").fetchall()
    allv = np.frombuffer(b"".join(r[0] for r in rows), dtype="<f4").reshape(len(rows), -1)
    rng = np.random.default_rng(20261122)
    held = rng.choice(len(allv), size=args.queries, replace=False)
    mask = np.ones(len(allv), bool); mask[held] = False
    base, queries = np.ascontiguousarray(allv[mask]), np.ascontiguousarray(allv[held])
    scores = queries.astype(np.float64) @ base.astype(np.float64).T
    truth = np.argsort(-scores, axis=1, kind="stable")[:, :K].astype(np.int32)
    base.tofile(base_f); queries.tofile(query_f); truth.tofile(truth_f)
base = np.fromfile(base_f, dtype="<f4").reshape(-1, 384)
queries = np.fromfile(query_f, dtype="<f4").reshape(-1, 384)
truth = np.fromfile(truth_f, dtype="<i4").reshape(-1, K)
n, nq = len(base), len(queries)
print(f"==> {n} vectors, {nq} queries, M={args.m}, ef_construction={args.ef_construction}, runs={args.runs}", file=sys.stderr)


# Recall as ann-benchmarks computes it: a returned vector counts when it is at least as
# similar as the k-th true neighbour (within 1e-5). The corpus repeats some chunks (menus,
# boilerplate), so several base vectors can tie exactly; counting by id would charge an
# index for returning one twin rather than another.
kth = np.einsum("qd,qkd->qk", queries.astype(np.float64), base[truth].astype(np.float64))[:, K - 1]


def recall(labels):
    labels = np.asarray(labels)
    hits = 0
    for i in range(nq):
        got = labels[i][:K]
        got = got[got >= 0]
        scores = base[got].astype(np.float64) @ queries[i].astype(np.float64)
        hits += min(K, int(np.sum(scores >= kth[i] - 1e-5)))
    return hits / (nq * K)


def timed(fn):
    times, out = [], None
    for _ in range(args.runs):
        t = time.perf_counter(); out = fn(); times.append(time.perf_counter() - t)
    return statistics.median(times), out


def load_in_fresh_process(phase, path):
    out = subprocess.run([sys.executable, __file__, "--lore", args.lore, "--data", args.data, "--phase", phase, "--path", path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


res = {"n": n, "queries": nq, "m": args.m, "ef_construction": args.ef_construction, "cpu_threads": os.cpu_count()}

# --- Lore ---------------------------------------------------------------------------
print("==> lore", file=sys.stderr)
db = os.path.join(work, "lore-bench.db")
labels_dir = os.path.join(work, "lore-labels"); os.makedirs(labels_dir)
lore = json.loads(subprocess.run([args.lore, "bench", "index", "--base", base_f, "--queries", query_f, "--truth", truth_f,
                                  "--labels-out", labels_dir, "--m", str(args.m), "--ef-construction", str(args.ef_construction), "--db", db,
                                  "--runs", str(args.runs), "--ef", ",".join(map(str, EFS))],
                                 check=True, capture_output=True, text=True).stdout)
lore_load = json.loads(subprocess.run([args.lore, "bench", "index", "--base", base_f, "--queries", query_f, "--truth", truth_f,
                                       "--db", db, "--phase", "load"], check=True, capture_output=True, text=True).stdout)
def lore_labels(name):
    return np.fromfile(os.path.join(labels_dir, name + ".i32"), dtype="<i4").reshape(nq, K)
lore["flat"]["recall_single"] = recall(lore_labels("flat_single_1t"))
lore["flat"]["recall_batch"] = recall(lore_labels("flat_batch_1t"))
for point in lore["hnsw"]["curve"]:
    point["recall"] = recall(lore_labels(f"hnsw_ef{point['ef']}"))
res["lore"] = lore | {"load": lore_load}

# --- FAISS flat -----------------------------------------------------------------------
print("==> faiss flat", file=sys.stderr)
flat = faiss.IndexFlatIP(384); flat.add(base)
ff = {}
for threads in (1, 2):
    faiss.omp_set_num_threads(threads)
    t, labels = timed(lambda: [flat.search(queries[i:i + 1], K)[1][0] for i in range(nq)])
    ff[f"single_qps_{threads}t"] = nq / t; ff["recall_single"] = recall(labels)
    t, (_, I) = timed(lambda: flat.search(queries, K))
    ff[f"batch_qps_{threads}t"] = nq / t; ff["recall_batch"] = recall(I)
res["faiss_flat"] = ff

# --- hnswlib --------------------------------------------------------------------------
print("==> hnswlib", file=sys.stderr)
before = rss_mib()
p = hnswlib.Index(space="ip", dim=384)
p.init_index(max_elements=n, M=args.m, ef_construction=args.ef_construction, random_seed=100)
t = time.perf_counter(); p.add_items(base, np.arange(n), num_threads=2); hb = time.perf_counter() - t
hl = {"build_s": hb, "rss_after_build_mib": rss_mib() - before, "curve": []}
for ef in EFS:
    p.set_ef(ef)
    point = {"ef": ef}
    for threads in (1, 2):
        t, (I, _) = timed(lambda: p.knn_query(queries, k=K, num_threads=threads))
        point[f"qps_{threads}t"] = nq / t; point["recall"] = recall(I)
    hl["curve"].append(point)
hpath = os.path.join(work, "hnswlib.bin")
p.save_index(hpath)
hl["load"] = load_in_fresh_process("load-hnswlib", hpath)
res["hnswlib"] = hl
del p

# --- FAISS HNSW -----------------------------------------------------------------------
print("==> faiss hnsw", file=sys.stderr)
faiss.omp_set_num_threads(2)
fh = faiss.IndexHNSWFlat(384, args.m, faiss.METRIC_INNER_PRODUCT)
fh.hnsw.efConstruction = args.ef_construction
t = time.perf_counter(); fh.add(base); fb = time.perf_counter() - t
fo = {"build_s": fb, "curve": []}
for ef in EFS:
    fh.hnsw.efSearch = ef
    point = {"ef": ef}
    for threads in (1, 2):
        faiss.omp_set_num_threads(threads)
        t, (_, I) = timed(lambda: fh.search(queries, K))
        point[f"qps_{threads}t"] = nq / t; point["recall"] = recall(I)
    fo["curve"].append(point)
fpath = os.path.join(work, "faiss-hnsw.bin")
faiss.write_index(fh, fpath)
fo["load"] = load_in_fresh_process("load-faiss", fpath)
res["faiss_hnsw"] = fo

# --- Report ---------------------------------------------------------------------------
def at_recall(curve, target=0.95, threads=1):
    """QPS of the cheapest ef reaching the target recall."""
    ok = [c for c in curve if c["recall"] >= target]
    return (ok[0][f"qps_{threads}t"], ok[0]["ef"], ok[0]["recall"]) if ok else (None, None, None)

L, F, H, FH = res["lore"], res["faiss_flat"], res["hnswlib"], res["faiss_hnsw"]
print(f"\nvectors {n} x 384, queries {nq}, k={K}, M={args.m}, ef_construction={args.ef_construction}, median of {args.runs}\n")
print("flat (exact)                         Lore        FAISS      ratio")
for key, label in [("single_qps_1t", "single query, 1 thread   q/s"), ("single_qps_2t", "single query, 2 threads  q/s"),
                   ("batch_qps_1t", "batch of 1000, 1 thread  q/s"), ("batch_qps_2t", "batch of 1000, 2 threads q/s")]:
    print(f"  {label}  {L['flat'][key]:10.1f} {F[key]:10.1f}   {L['flat'][key] / F[key]:6.2f}x")
print(f"  recall (single, batch)          {L['flat']['recall_single']:.4f}/{L['flat']['recall_batch']:.4f}  {F['recall_single']:.4f}/{F['recall_batch']:.4f}")
print("\nHNSW recall@10 and q/s (1 thread / 2 threads)")
print("   ef   Lore recall    q/s 1t    q/s 2t | hnswlib recall  q/s 1t    q/s 2t | FAISS recall  q/s 1t    q/s 2t")
for a, b, c in zip(L["hnsw"]["curve"], H["curve"], FH["curve"]):
    print(f"  {a['ef']:3d}      {a['recall']:.4f} {a['qps_1t']:9.0f} {a['qps_2t']:9.0f} |"
          f"    {b['recall']:.4f} {b['qps_1t']:9.0f} {b['qps_2t']:9.0f} |  {c['recall']:.4f} {c['qps_1t']:9.0f} {c['qps_2t']:9.0f}")
ratios = {}
for threads in (1, 2):
    lq, lef, lr = at_recall(L["hnsw"]["curve"], threads=threads)
    hq, hef, hr = at_recall(H["curve"], threads=threads)
    if lq and hq:
        ratios[f"hnsw_qps_at_recall_0.95_{threads}t"] = lq / hq
        print(f"\nat recall@10 >= 0.95, {threads} thread(s): Lore {lq:.0f} q/s (ef {lef}, {lr:.4f}), hnswlib {hq:.0f} q/s (ef {hef}, {hr:.4f}): {lq / hq:.2f}x")
lh, ll = L["hnsw"], L["load"]
ratios.update({
    "flat_single_qps_2t_vs_faiss": L["flat"]["single_qps_2t"] / F["single_qps_2t"],
    "flat_single_qps_1t_vs_faiss": L["flat"]["single_qps_1t"] / F["single_qps_1t"],
    "flat_batch_qps_2t_vs_faiss": L["flat"]["batch_qps_2t"] / F["batch_qps_2t"],
    "hnsw_build_time_vs_hnswlib": lh["build_s"] / H["build_s"],
    "load_time_vs_hnswlib": ll["load_s"] / H["load"]["load_s"],
    "memory_vs_hnswlib": ll["rss_delta_mib"] / H["load"]["rss_delta_mib"],
})
print(f"\nbuild (2 threads)   Lore {lh['build_s']:.1f} s   hnswlib {H['build_s']:.1f} s   FAISS {FH['build_s']:.1f} s   Lore/hnswlib {ratios['hnsw_build_time_vs_hnswlib']:.2f}x")
print(f"load (fresh proc.)  Lore {ll['load_s']:.3f} s (from SQLite, checksums verified)   hnswlib {H['load']['load_s']:.3f} s   FAISS {FH['load']['load_s']:.3f} s   Lore/hnswlib {ratios['load_time_vs_hnswlib']:.2f}x")
print(f"memory after load   Lore {ll['rss_delta_mib']:.0f} MiB   hnswlib {H['load']['rss_delta_mib']:.0f} MiB   FAISS {FH['load']['rss_delta_mib']:.0f} MiB   Lore/hnswlib {ratios['memory_vs_hnswlib']:.2f}x")
print("\nratios: " + json.dumps({k: round(v, 3) for k, v in ratios.items()}))
res["ratios"] = ratios
os.makedirs("bench/results", exist_ok=True)
with open("bench/results/index.json", "w") as f:
    json.dump(res, f, indent=1)
