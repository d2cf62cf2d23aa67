-- schema.sql: the Lore store, version 4.
-- One SQLite database (lore.sqlite) holds collections, documents, chunks, vectors and
-- the full-text index used for BM25. The connection is opened with:
--   PRAGMA journal_mode = WAL;      -- readers never block the ingest writer
--   PRAGMA synchronous = NORMAL;    -- safe with WAL, far fewer fsyncs
--   PRAGMA foreign_keys = ON;       -- cascade deletes from documents to chunks

PRAGMA user_version = 4;

-- A collection is an independent index with its own embedding model.
CREATE TABLE IF NOT EXISTS collections (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    model       TEXT NOT NULL DEFAULT 'all-MiniLM-L6-v2',
    dimension   INTEGER NOT NULL DEFAULT 384 CHECK (dimension > 0),
    index_kind  TEXT NOT NULL DEFAULT 'auto' CHECK (index_kind IN ('auto', 'flat', 'hnsw')),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- One row per ingested file or record. content_hash is the SHA-256 of the
-- normalized text; an unchanged hash means the document is skipped on re-ingest.
CREATE TABLE IF NOT EXISTS documents (
    id            INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    path          TEXT NOT NULL,          -- relative path, plus "#N" for record N
    title         TEXT,
    format        TEXT NOT NULL,          -- txt, md, html, pdf, json, jsonl, csv, code
    content_hash  BLOB NOT NULL,
    metadata      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    ingested_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (collection_id, path)
);

-- Chunks carry their text, position and heading path. The embedding is stored as a
-- little-endian float32 BLOB of dimension * 4 bytes (1,536 bytes for MiniLM).
CREATE TABLE IF NOT EXISTS chunks (
    id            INTEGER PRIMARY KEY,
    document_id   INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal       INTEGER NOT NULL,       -- 0-based position within the document
    heading_path  TEXT NOT NULL DEFAULT '',
    page          INTEGER,                -- PDF page number, 1-based; NULL otherwise
    text          TEXT NOT NULL,
    token_count   INTEGER NOT NULL,
    embedding     BLOB NOT NULL,
    UNIQUE (document_id, ordinal)
);

CREATE INDEX IF NOT EXISTS chunks_by_document ON chunks(document_id);

-- External-content FTS5 table: the text lives in chunks, FTS5 only keeps the index.
-- unicode61 with remove_diacritics 2 lets "cafe" match "café".
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    heading_path, text,
    content = 'chunks', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Triggers keep the full-text index in step with the chunks table.
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, heading_path, text)
    VALUES (new.id, new.heading_path, new.text);
END;

CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, heading_path, text)
    VALUES ('delete', old.id, old.heading_path, old.text);
END;

-- Example BM25 query. FTS5's bm25() returns lower-is-better scores, hence ORDER BY
-- ascending; the weights give heading matches twice the weight of body matches.
--   SELECT c.id, bm25(chunks_fts, 2.0, 1.0) AS score
--   FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
--   WHERE chunks_fts MATCH 'hnsw OR efsearch'
--   ORDER BY score LIMIT 50;
