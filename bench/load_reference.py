#!/usr/bin/env python3
r"""The reference service of bench/load (issue 8): the usual Python RAG service, FastAPI +
uvicorn + LangChain + FAISS, answering POST /v1/query on the same pages with the same
model as Lore, so that wrk can load both the same way.

Two uses:

  load_reference.py build --docroot DIR --model MODEL_DIR --out INDEX_DIR
      Loads every *.html under DOCROOT with BSHTMLLoader, splits with
      RecursiveCharacterTextSplitter(1000, 200) (both exactly as bench/rag_baseline.py,
      whose build_chunks this imports), embeds the chunks with HuggingFaceEmbeddings on
      all-MiniLM-L6-v2, builds langchain-community's FAISS (its defaults: IndexFlatL2,
      from_embeddings) and saves it with FAISS.save_local under INDEX_DIR. The chunk
      vectors come from bench/rag-baseline's cache (.cache/rag-baseline/emb-*.npy, same
      key) when it holds them, else they are embedded once and cached beside the index.
      Skipped when INDEX_DIR already holds an index built from the same pages and model.

  uvicorn load_reference:app --app-dir bench --workers N ...
      Each worker loads the saved index (FAISS.load_local) and the model once at start-up,
      then serves
        POST /v1/query {"question": "..."}  ->  {"answer", "passages": [...], "timings_ms"}
        GET  /healthz
      Per request it does what LangChain's MMR retriever (as_retriever(search_type="mmr"))
      does, spelled out so the question's vector can be reused by the answer: embeds the
      question (HuggingFaceEmbeddings.embed_query) and calls
      FAISS.max_marginal_relevance_search_by_vector (k 5, fetch_k 20, lambda_mult 0.5, as
      Lore's default); LOAD_REF_SEARCH=similarity gives similarity_search_by_vector (k 5).
      The answer is extractive, with no LLM, in one of two ways (LOAD_REF_ANSWER):
        first   the first two sentences of the top passage, cited [1]: the simple answer
                a typical LangChain service without an LLM returns; no further model work;
        ranked  what Lore's default answerer (Sources/LoreQuery/ExtractiveAnswerer.swift)
                does: split the 5 passages into sentences, keep the answer-like ones
                (its filters), embed them (HuggingFaceEmbeddings.embed_documents, its
                default batches of 32), rank them by cosine similarity to the question
                and keep the best 3, skipping near-repeats (cosine >= 0.92), each cited
                [n]. About the same model work per request as Lore's answerer (which
                also re-embeds the question; this one reuses its vector, and leaves out
                Lore's word-overlap bonus and relevance floor, which cost no model work).
      Environment: LOAD_REF_INDEX (INDEX_DIR), LOAD_REF_MODEL (MODEL_DIR),
      LOAD_REF_SEARCH (mmr | similarity), LOAD_REF_ANSWER (first | ranked),
      LOAD_REF_TORCH_THREADS (torch intra-op threads per worker; bench/load sets
      cores / workers so that the workers do not oversubscribe the cores).
"""

import argparse
import hashlib
import json
import os
import re
import sys
import time
import warnings
from contextlib import asynccontextmanager
from pathlib import Path

warnings.filterwarnings("ignore")  # langchain-community's sunset notice, tqdm, etc.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

HERE = Path(__file__).resolve().parent


# --- build ------------------------------------------------------------------------------

def model_digest(model_dir: Path) -> "hashlib._Hash":
    """The model part of bench/rag_baseline.py's chunk-vector cache key."""
    h = hashlib.sha256()
    for name in ("model.safetensors", "modules.json", "tokenizer.json"):
        f = model_dir / name
        if f.exists():
            h.update(name.encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
    return h


def vectors_key(model_dir: Path, texts: list[str]) -> str:
    """bench/rag_baseline.py's chunk_vectors key: sha256 of model + chunk texts."""
    h = model_digest(model_dir)
    for t in texts:
        h.update(t.encode("utf-8") + b"\0")
    return h.hexdigest()[:24]


def pages_key(docroot: Path, model_dir: Path) -> str:
    """Cheap key of what the index is built from: the model and every page's path, size, mtime."""
    h = model_digest(model_dir)
    h.update(b"RecursiveCharacterTextSplitter 1000/200\0")
    for p in sorted(docroot.rglob("*.html")):
        if p.is_file():
            st = p.stat()
            h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()[:24]


def build(a) -> int:
    import numpy as np

    docroot, model_dir, out = Path(a.docroot), Path(a.model), Path(a.out)
    key = pages_key(docroot, model_dir)
    meta_path = out / "meta.json"
    if meta_path.exists() and json.loads(meta_path.read_text()).get("key") == key and (out / "index.faiss").exists():
        meta = json.loads(meta_path.read_text())
        print(f"==> reference index: cached {out} ({meta['pages']} pages, {meta['chunks']} chunks)", file=sys.stderr)
        return 0

    sys.path.insert(0, str(HERE))
    from rag_baseline import build_chunks  # the anchors' own loader + splitter
    from langchain_community.vectorstores import FAISS
    from langchain_huggingface import HuggingFaceEmbeddings

    t0 = time.perf_counter()
    files, chunks = build_chunks(docroot)
    load_s = time.perf_counter() - t0
    texts = [c.page_content for c in chunks]
    metas = [c.metadata for c in chunks]
    vkey = vectors_key(model_dir, texts)
    embeddings = HuggingFaceEmbeddings(model_name=str(model_dir))
    vecs, origin = None, None
    for cache in (Path(a.vectors_cache), out.parent):
        f = cache / f"emb-{vkey}.npy"
        if f.exists():
            v = np.load(f)
            if v.shape[0] == len(texts):
                vecs, origin = v, f"cached {f}"
                break
    if vecs is None:
        t1 = time.perf_counter()
        vecs = np.asarray(embeddings.embed_documents(texts), dtype=np.float32)
        f = out.parent / f"emb-{vkey}.npy"
        f.parent.mkdir(parents=True, exist_ok=True)
        np.save(f.with_suffix(".tmp.npy"), vecs)
        os.replace(f.with_suffix(".tmp.npy"), f)
        origin = f"embedded in {time.perf_counter() - t1:.1f} s, cached {f}"
    store = FAISS.from_embeddings(list(zip(texts, vecs.tolist())), embeddings, metadatas=metas)
    out.mkdir(parents=True, exist_ok=True)
    store.save_local(str(out))
    meta = {"key": key, "pages": len(files), "chunks": len(chunks), "vectors": origin,
            "load_split_s": round(load_s, 1), "docroot": str(docroot), "model": str(model_dir)}
    meta_path.write_text(json.dumps(meta, indent=1))
    print(f"==> reference index: {len(files)} pages, {len(chunks)} chunks, vectors {origin}; saved {out}", file=sys.stderr)
    return 0


# --- the service ------------------------------------------------------------------------

STATE: dict = {}
SENTENCE = re.compile(r"(?<=[.!?])\s+")


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE.split(" ".join(text.split())) if s]


def first_sentences(docs, n: int = 2) -> str:
    parts = sentences(docs[0].page_content) if docs else []
    return " ".join(parts[:n]) + " [1]" if parts else ""


def answer_like(s: str) -> bool:
    """ExtractiveAnswerer.isAnswerLike: 4+ words, at most 1200 bytes, 70% letters or spaces."""
    if len(s.split()) < 4 or len(s.encode()) > 1200:
        return False
    return sum(1 for ch in s if ch.isalpha() or ch == " ") >= 0.7 * len(s)


def candidates(docs) -> list[tuple[str, int]]:
    """Lore's candidate sentences: up to 40 answer-like ones per passage, leaving out a
    passage's cut-off first and last fragments."""
    out = []
    for n, d in enumerate(docs, start=1):
        parts, taken = sentences(d.page_content), 0
        for i, s in enumerate(parts):
            if taken >= 40 or not answer_like(s):
                continue
            if i == 0 and s[0].islower():
                continue
            if i == len(parts) - 1 and s[-1] not in ".!?:)\"'":
                continue
            out.append((s, n))
            taken += 1
    return out


def ranked_sentences(embeddings, qv, docs, n: int = 3, duplicate: float = 0.92) -> str:
    import numpy as np

    cands = candidates(docs)
    if not cands:
        return ""
    vecs = np.asarray(embeddings.embed_documents([s for s, _ in cands]), dtype=np.float32)
    sims = vecs @ np.asarray(qv, dtype=np.float32)  # unit vectors (the model ends in Normalize)
    chosen: list[int] = []
    for j in np.argsort(-sims):
        if any(float(vecs[j] @ vecs[c]) >= duplicate for c in chosen):
            continue
        chosen.append(int(j))
        if len(chosen) == n:
            break
    return " ".join(f"{cands[j][0]} [{cands[j][1]}]" for j in chosen)


@asynccontextmanager
async def lifespan(_app):
    import torch
    from langchain_community.vectorstores import FAISS
    from langchain_huggingface import HuggingFaceEmbeddings

    threads = int(os.environ.get("LOAD_REF_TORCH_THREADS", "0") or 0)
    if threads > 0:
        torch.set_num_threads(threads)
    embeddings = HuggingFaceEmbeddings(model_name=os.environ["LOAD_REF_MODEL"])
    store = FAISS.load_local(os.environ["LOAD_REF_INDEX"], embeddings, allow_dangerous_deserialization=True)
    STATE.update(embeddings=embeddings, store=store, search=os.environ.get("LOAD_REF_SEARCH", "mmr"),
                 answer=os.environ.get("LOAD_REF_ANSWER", "first"), torch_threads=torch.get_num_threads())
    answer("warm up")  # first-call allocations happen before the worker reports start-up complete
    yield
    STATE.clear()


def answer(question: str) -> dict:
    embeddings, store = STATE["embeddings"], STATE["store"]
    t0 = time.perf_counter()
    qv = embeddings.embed_query(question)
    t1 = time.perf_counter()
    if STATE["search"] == "mmr":
        docs = store.max_marginal_relevance_search_by_vector(qv, k=5, fetch_k=20, lambda_mult=0.5)
    else:
        docs = store.similarity_search_by_vector(qv, k=5)
    t2 = time.perf_counter()
    text = ranked_sentences(embeddings, qv, docs) if STATE["answer"] == "ranked" else first_sentences(docs)
    t3 = time.perf_counter()
    return {
        "question": question,
        "answer": text,
        "passages": [{"n": i + 1, "source": d.metadata.get("source"), "title": d.metadata.get("title"),
                      "text": d.page_content} for i, d in enumerate(docs)],
        "search": STATE["search"],
        "answerer": STATE["answer"],
        "timings_ms": {"embed": round((t1 - t0) * 1000, 3), "search": round((t2 - t1) * 1000, 3),
                       "answer": round((t3 - t2) * 1000, 3), "total": round((t3 - t0) * 1000, 3)},
    }


def make_app():
    from fastapi import FastAPI, HTTPException
    from pydantic import BaseModel

    class QueryIn(BaseModel):
        question: str

    app = FastAPI(title="bench/load reference", lifespan=lifespan)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "search": STATE.get("search"), "answer": STATE.get("answer"),
                "torch_threads": STATE.get("torch_threads"), "pid": os.getpid()}

    # A plain `def` endpoint: FastAPI runs it in its thread pool, the usual way to serve
    # blocking LangChain calls (torch and FAISS release the GIL while they compute).
    @app.post("/v1/query")
    def query(body: QueryIn):
        question = body.question.strip()
        if not question:
            raise HTTPException(status_code=400, detail="question: must not be empty")
        return answer(question)

    return app


if "LOAD_REF_INDEX" in os.environ:
    app = make_app()


def main() -> int:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--docroot", default="/usr/share/doc/sqlite3")
    b.add_argument("--model", default="models/all-MiniLM-L6-v2")
    b.add_argument("--vectors-cache", default=".cache/rag-baseline")
    b.add_argument("--out", default=".cache/bench-load/faiss")
    a = p.parse_args()
    return build(a)


if __name__ == "__main__":
    sys.exit(main())
