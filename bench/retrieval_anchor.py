"""The anchor for bench/retrieval: Lore's retrieval pipeline built the usual Python way,
on the same store and the same questions, doing the same work. Per question: embed with
sentence-transformers (all-MiniLM-L6-v2, normalised); top fetch_k from FAISS over the
store's own vectors, with the index kind Lore serves them with (--index hnsw: IndexHNSWFlat
with Lore's parameters, M 16, efConstruction 200, efSearch 64, whose recall bench/index
measured equal to Lore's, 0.9907 against 0.9880 at ef 64; --index flat: IndexFlatIP, exact
like Lore's flat index); top fetch_k from SQLite FTS5 BM25 with the same quoted OR query
Lore builds, after the same term pruning (words in more than --common-share of the chunks
are left out when rarer ones remain, else the rarest half; document frequencies counted
with FTS5 and cached, as Lore does; 1 keeps every word); RRF (k = 60), candidate vectors
and texts from the store, MMR (lambda 0.5) down to k.

Usage: retrieval_anchor.py MODEL_DIR DB QUESTIONS_FILE [--k 5] [--fetch-k 20] [--warmup 20]
                           [--index hnsw|flat] [--common-share 0.1]
Prints JSON: per-question wall milliseconds p50/p95/p99 and per stage, and with HNSW the
index's recall@fetch_k against exact search over the same question vectors.
"""
import argparse, json, sqlite3, time, unicodedata
import numpy as np

p = argparse.ArgumentParser()
p.add_argument("model"); p.add_argument("db"); p.add_argument("questions")
p.add_argument("--k", type=int, default=5); p.add_argument("--fetch-k", type=int, default=20)
p.add_argument("--warmup", type=int, default=20); p.add_argument("--samples-out")
p.add_argument("--index", choices=["hnsw", "flat"], default="hnsw"); p.add_argument("--common-share", type=float, default=0.1)
a = p.parse_args()

import torch, faiss
from sentence_transformers import SentenceTransformer
torch.set_num_threads(2)
model = SentenceTransformer(a.model, device="cpu")
db = sqlite3.connect(a.db)
rows = db.execute("SELECT chunk_id, embedding FROM vectors ORDER BY chunk_id").fetchall()
ids = np.array([r[0] for r in rows], dtype=np.int64)
matrix = np.vstack([np.frombuffer(r[1], dtype="<f4") for r in rows]).astype(np.float32)
row_of = {int(c): i for i, c in enumerate(ids)}
exact = faiss.IndexFlatIP(matrix.shape[1]); exact.add(matrix)
if a.index == "hnsw":
    index = faiss.IndexHNSWFlat(matrix.shape[1], 16, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 200
    index.add(matrix)
    index.hnsw.efSearch = 64
else:
    index = exact
chunk_count = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
df_cache = {}

STOP = set("a about an and are as at be by can could did do does for from how i if in into is it its me my of on or should so that the their then there these those to was we were what when where which who whom why will with would you your".split())

def terms(text):
    out, seen, word = [], set(), []
    for ch in text.lower() + " ":
        if ch.isalpha() or unicodedata.numeric(ch, None) is not None:
            word.append(ch)
        else:
            w = "".join(word); word = []
            if w and w not in seen: seen.add(w); out.append(w)
    content = [t for t in out if t not in STOP]
    return (content or out)[:64]

def selective(words):
    """Lore's selectiveTerms: leave out words in more than common_share of the chunks."""
    if len(words) <= 1 or a.common_share >= 1 or chunk_count <= 200: return words
    df = []
    for w in words:
        if w not in df_cache:
            df_cache[w] = db.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", ('"' + w.replace('"', '""') + '"',)).fetchone()[0]
        df.append(df_cache[w])
    limit = int(chunk_count * a.common_share)
    rare = [w for w, n in zip(words, df) if n <= limit]
    if rare: return rare
    ranked = [w for w, _ in sorted(zip(words, df), key=lambda x: x[1])]
    return ranked[: max(1, len(ranked) // 2)]

def lexical(q):
    t = selective(terms(q))
    if not t: return []
    match = " OR ".join('"' + w.replace('"', '""') + '"' for w in t)
    return [r[0] for r in db.execute("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts) LIMIT ?", (match, a.fetch_k))]

def rrf(lists, k=60.0):
    score = {}
    for lst in lists:
        for r, cid in enumerate(lst):
            score[cid] = score.get(cid, 0.0) + 1.0 / (k + r + 1)
    return sorted(score, key=lambda c: -score[c]), score

def mmr(cands, score, k, lam=0.5):
    s = np.array([score[c] for c in cands]); lo, hi = s.min(), s.max()
    rel = (s - lo) / (hi - lo) if hi > lo else np.ones_like(s)
    vecs = matrix[[row_of[c] for c in cands]]
    chosen, maxsim = [], np.full(len(cands), -np.inf)
    taken = np.zeros(len(cands), bool)
    while len(chosen) < min(k, len(cands)):
        pen = np.where(np.isinf(maxsim), 0.0, np.maximum(maxsim, 0.0)) if chosen else 0.0
        sc = lam * rel - (1 - lam) * pen
        sc[taken] = -np.inf
        b = int(np.argmax(sc)); taken[b] = True; chosen.append(b)
        maxsim = np.maximum(maxsim, vecs @ vecs[b])
    return [cands[i] for i in chosen]

def retrieve(q):
    t0 = time.perf_counter()
    v = model.encode([q], normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)
    t1 = time.perf_counter()
    _, I = index.search(v, a.fetch_k)
    dense = [int(ids[i]) for i in I[0] if i >= 0]
    t2 = time.perf_counter()
    lex = lexical(q)
    t3 = time.perf_counter()
    order, score = rrf([dense, lex])
    order = [c for c in order if c in row_of]
    picked = mmr(order, score, a.k) if order else []
    ph = ",".join("?" * len(picked))
    _ = db.execute(f"SELECT c.id, d.source, c.text FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id IN ({ph})", picked).fetchall() if picked else []
    t4 = time.perf_counter()
    return [(t4 - t0) * 1e3, (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3, (t4 - t3) * 1e3]

qs = [l.strip() for l in open(a.questions, encoding="utf-8") if l.strip()]
for q in qs[: a.warmup]: retrieve(q)
samples = np.array([retrieve(q) for q in qs])
if a.samples_out:
    np.savetxt(a.samples_out, samples[:, 0], fmt="%.4f")
out = {"questions": len(qs), "index": a.index, "common_share": a.common_share}
if a.index == "hnsw":
    V = model.encode(qs, normalize_embeddings=True, convert_to_numpy=True, batch_size=64).astype(np.float32)
    _, A = index.search(V, a.fetch_k); _, E = exact.search(V, a.fetch_k)
    out["recall_at_fetch_k"] = float(np.mean([len(set(x) & set(y)) / len(y) for x, y in zip(A, E)]))
for j, name in enumerate(["total", "embed", "dense", "lexical", "rank"]):
    col = samples[:, j]
    out[name] = {"p50": float(np.percentile(col, 50)), "p95": float(np.percentile(col, 95)), "p99": float(np.percentile(col, 99)), "mean": float(col.mean())}
print(json.dumps(out))
