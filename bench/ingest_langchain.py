#!/usr/bin/env python3
"""LangChain anchor for bench/ingest: load, split and store HTML, no embeddings.

Usage: ingest_langchain.py DOCROOT OUT_DB

What a LangChain user would write to ingest a folder of HTML pages:

  load   every *.html under DOCROOT (sorted, recursive) the way
         langchain_community.document_loaders.BSHTMLLoader does it;
  split  all documents with RecursiveCharacterTextSplitter(1000, 200);
  store  the chunks in a SQLite file (a plain table plus an FTS5 index over
         the text), which is what Lore writes, so that both sides pay for
         persistence, and on Lore's terms: 32 documents per transaction, WAL
         journal, synchronous=NORMAL (Lore writes 32 files per transaction with
         those settings; LangChain leaves transactions to the store it wraps).

Prints one JSON object on stdout:
  {"files": N, "chunks": N, "seconds": {"load": s, "split": s, "store": s, "total": s}}
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from pathlib import Path

from bs4 import BeautifulSoup
from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter


def bs_html_load(file_path: Path) -> Document:
    """Mirror of BSHTMLLoader.lazy_load() from langchain-community 0.4.2
    (langchain_community/document_loaders/html_bs.py) with its defaults:
    bs_kwargs={"features": "lxml"}, get_text_separator="", open_encoding=None.

    We avoid importing langchain-community (a large dependency tree) for these
    few lines; the only deviation is an explicit encoding="utf-8" instead of
    the locale's default, so the result does not depend on LANG (every page of
    sqlite3-doc is UTF-8).
    """
    with open(file_path, "r", encoding="utf-8") as f:
        soup = BeautifulSoup(f, features="lxml")
    text = soup.get_text("")
    title = str(soup.title.string) if soup.title else ""
    return Document(page_content=text, metadata={"source": str(file_path), "title": title})


SCHEMA = """
CREATE TABLE chunks (
    id     INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    title  TEXT NOT NULL,
    text   TEXT NOT NULL
);
CREATE VIRTUAL TABLE chunks_fts USING fts5(text, content='chunks', content_rowid='id');
"""


# Lore's Ingestor.batchSize: files written per transaction.
DOCUMENTS_PER_TRANSACTION = 32


def store(db_path: str, chunks: list[Document]) -> None:
    if os.path.exists(db_path):
        os.remove(db_path)
    con = sqlite3.connect(db_path, isolation_level=None)  # explicit transactions
    try:
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = NORMAL")
        con.executescript(SCHEMA)
        # Group chunks by source document (split_documents keeps document order).
        groups: list[list[Document]] = []
        last = None
        for c in chunks:
            src = c.metadata["source"]
            if src != last:
                groups.append([])
                last = src
            groups[-1].append(c)
        for start in range(0, len(groups), DOCUMENTS_PER_TRANSACTION):
            con.execute("BEGIN")
            for c in (c for group in groups[start:start + DOCUMENTS_PER_TRANSACTION] for c in group):
                cur = con.execute(
                    "INSERT INTO chunks(source, title, text) VALUES (?, ?, ?)",
                    (c.metadata["source"], c.metadata.get("title", ""), c.page_content),
                )
                con.execute(
                    "INSERT INTO chunks_fts(rowid, text) VALUES (?, ?)",
                    (cur.lastrowid, c.page_content),
                )
            con.execute("COMMIT")
    finally:
        con.close()


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(f"usage: {argv[0]} DOCROOT OUT_DB", file=sys.stderr)
        return 2
    root, db_path = Path(argv[1]), argv[2]
    files = sorted(p for p in root.rglob("*.html") if p.is_file())
    if not files:
        print(f"no .html files under {root}", file=sys.stderr)
        return 1

    t0 = time.perf_counter()
    docs = [bs_html_load(p) for p in files]
    t1 = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks = splitter.split_documents(docs)
    t2 = time.perf_counter()
    store(db_path, chunks)
    t3 = time.perf_counter()

    print(json.dumps({
        "files": len(docs),
        "chunks": len(chunks),
        "seconds": {
            "load": round(t1 - t0, 4),
            "split": round(t2 - t1, 4),
            "store": round(t3 - t2, 4),
            "total": round(t3 - t0, 4),
        },
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
