/// The store's schema, as named migrations applied in order, each once, each in its own
/// transaction. Never edit a shipped migration: add a new one.
///
/// `chunks_fts` is an external-content FTS5 index over `chunks`, kept in step by the store's
/// write methods in the same transaction, not by triggers: inside a trigger every row
/// becomes its own FTS5 segment (SQLite flushes FTS5 at each statement savepoint), which
/// made ingest three times slower.
enum Migrations {
    static let all: [(name: String, sql: String)] = [
        (
            "0001-core",
            """
            CREATE TABLE collections (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                embedding_model TEXT,
                embedding_dim INTEGER,
                created_at REAL NOT NULL
            );
            CREATE TABLE documents (
                id INTEGER PRIMARY KEY,
                collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
                source TEXT NOT NULL,
                path TEXT,
                format TEXT NOT NULL,
                title TEXT NOT NULL,
                content_sha256 TEXT NOT NULL,
                file_sha256 TEXT,
                file_mtime REAL,
                file_size INTEGER,
                metadata TEXT NOT NULL DEFAULT '{}',
                ingested_at REAL NOT NULL,
                UNIQUE (collection_id, source)
            );
            CREATE INDEX documents_path ON documents(collection_id, path);
            CREATE INDEX documents_content ON documents(collection_id, content_sha256);
            CREATE TABLE chunks (
                id INTEGER PRIMARY KEY,
                document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL,
                text TEXT NOT NULL,
                token_count INTEGER NOT NULL,
                heading_path TEXT NOT NULL DEFAULT '',
                char_start INTEGER NOT NULL,
                char_end INTEGER NOT NULL,
                page INTEGER,
                UNIQUE (document_id, ordinal)
            );
            CREATE TABLE vectors (
                chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
                model TEXT NOT NULL,
                dim INTEGER NOT NULL,
                embedding BLOB NOT NULL
            );
            CREATE VIRTUAL TABLE chunks_fts USING fts5(
                text, heading_path, content='chunks', content_rowid='id',
                tokenize='porter unicode61 remove_diacritics 2'
            );
            CREATE TABLE ingest_runs (
                id INTEGER PRIMARY KEY,
                collection TEXT NOT NULL,
                started_at REAL NOT NULL,
                finished_at REAL,
                status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
                arguments TEXT NOT NULL DEFAULT '[]',
                summary TEXT
            );
            """
        ),
        (
            "0002-embedding-cache",
            """
            CREATE TABLE embedding_cache (
                model TEXT NOT NULL,
                text_sha256 TEXT NOT NULL,
                embedding BLOB NOT NULL,
                PRIMARY KEY (model, text_sha256)
            ) WITHOUT ROWID;
            """
        ),
        // Vector-index snapshots and the change log replayed on top of them. Every insert
        // or delete of a vector appends to `index_log` in the same transaction (triggers:
        // a plain table, unlike FTS5, costs little there), so a snapshot taken at sequence
        // S plus the log after S is always the current set of vectors.
        (
            "0003-vector-index",
            """
            CREATE TABLE index_log (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                chunk_id INTEGER NOT NULL,
                op INTEGER NOT NULL CHECK (op IN (0, 1))
            );
            CREATE TRIGGER vectors_logged_insert AFTER INSERT ON vectors
            BEGIN INSERT INTO index_log(chunk_id, op) VALUES (new.chunk_id, 1); END;
            CREATE TRIGGER vectors_logged_delete AFTER DELETE ON vectors
            BEGIN INSERT INTO index_log(chunk_id, op) VALUES (old.chunk_id, 0); END;
            CREATE TRIGGER vectors_logged_update AFTER UPDATE ON vectors
            BEGIN INSERT INTO index_log(chunk_id, op) VALUES (old.chunk_id, 0); INSERT INTO index_log(chunk_id, op) VALUES (new.chunk_id, 1); END;
            CREATE TABLE index_snapshots (
                collection_id INTEGER PRIMARY KEY REFERENCES collections(id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                seq INTEGER NOT NULL,
                header TEXT NOT NULL,
                parts INTEGER NOT NULL,
                bytes INTEGER NOT NULL,
                created_at REAL NOT NULL
            );
            CREATE TABLE index_parts (
                id INTEGER PRIMARY KEY,
                collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
                part INTEGER NOT NULL,
                checksum INTEGER NOT NULL,
                data BLOB NOT NULL,
                UNIQUE (collection_id, part)
            );
            """
        ),
        // Guardrails: the audit trail of findings (never raw personal data: a redacted
        // excerpt and a hash), and the ingest-time injection scan of every chunk.
        (
            "0004-guardrails",
            """
            CREATE TABLE guard_audit (
                id INTEGER PRIMARY KEY,
                at REAL NOT NULL,
                request_id TEXT NOT NULL,
                stage TEXT NOT NULL,
                rule TEXT NOT NULL,
                action TEXT NOT NULL,
                prompt TEXT,
                score REAL,
                excerpt TEXT NOT NULL DEFAULT '',
                hash TEXT
            );
            CREATE INDEX guard_audit_at ON guard_audit(at);
            CREATE INDEX guard_audit_request ON guard_audit(request_id);
            CREATE TABLE chunk_guard_scans (
                chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
                detector TEXT NOT NULL,
                flagged INTEGER NOT NULL,
                score REAL NOT NULL,
                rules TEXT NOT NULL DEFAULT '',
                scanned_at REAL NOT NULL
            );
            CREATE INDEX chunk_guard_scans_flagged ON chunk_guard_scans(flagged) WHERE flagged = 1;
            """
        ),
        // API keys for `lore serve`: looked up by public id; only the SHA-256 of the
        // 256-bit random secret is kept. `scopes` is comma-separated; `collections` a JSON
        // array of names, NULL for every collection; `rate`/`burst` NULL for the server's
        // default rate limit.
        (
            "0005-api-keys",
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                secret_sha256 TEXT NOT NULL,
                scopes TEXT NOT NULL,
                collections TEXT,
                rate REAL,
                burst INTEGER,
                created_at REAL NOT NULL,
                revoked_at REAL,
                last_used_at REAL
            ) WITHOUT ROWID;
            """
        ),
        // The request log (issue 20): one row per answered request, its question and answer
        // redacted; `request_feedback` holds a user's rating of one of them (it goes with the
        // request when retention deletes it). JSON columns hold arrays and objects.
        (
            "0006-request-log",
            """
            CREATE TABLE request_log (
                id TEXT PRIMARY KEY,
                at REAL NOT NULL,
                collection TEXT NOT NULL,
                index_version TEXT,
                key_id TEXT,
                channel TEXT NOT NULL,
                conversation_id TEXT,
                prompt_name TEXT NOT NULL,
                prompt_version TEXT NOT NULL,
                prompt_hash TEXT NOT NULL,
                backend TEXT NOT NULL,
                model TEXT NOT NULL,
                retrieval TEXT NOT NULL,
                question TEXT NOT NULL,
                standalone_question TEXT NOT NULL,
                answer TEXT NOT NULL,
                retrieved_chunks TEXT NOT NULL,
                cited_chunks TEXT NOT NULL,
                cited_sources TEXT NOT NULL,
                finish_reason TEXT NOT NULL,
                refused INTEGER NOT NULL,
                timings TEXT NOT NULL,
                prompt_tokens INTEGER NOT NULL,
                completion_tokens INTEGER NOT NULL,
                cost REAL,
                trace_id TEXT,
                variant TEXT
            ) WITHOUT ROWID;
            CREATE INDEX request_log_at ON request_log(at);
            CREATE TABLE request_feedback (
                request_id TEXT PRIMARY KEY REFERENCES request_log(id) ON DELETE CASCADE,
                rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
                comment TEXT,
                expected_answer TEXT,
                expected_sources TEXT NOT NULL,
                key_id TEXT,
                at REAL NOT NULL
            ) WITHOUT ROWID;
            """
        ),
        // Shadow traffic: each live request answered by the primary and by the candidate
        // (LoreOps.ShadowRunner), compared. Rows hold answers: a rowid table, not WITHOUT ROWID.
        (
            "0007-shadow-pairs",
            """
            CREATE TABLE shadow_pairs (
                request_id TEXT NOT NULL,
                candidate TEXT NOT NULL,
                at REAL NOT NULL,
                collection TEXT NOT NULL,
                question TEXT NOT NULL,
                primary_answer TEXT NOT NULL,
                candidate_answer TEXT NOT NULL,
                overlap_at_k REAL NOT NULL,
                k INTEGER NOT NULL,
                cited_agreement REAL NOT NULL,
                refusal_agreement INTEGER NOT NULL,
                answer_similarity REAL,
                primary_refused INTEGER NOT NULL,
                candidate_refused INTEGER NOT NULL,
                primary_ms REAL NOT NULL,
                candidate_ms REAL NOT NULL,
                primary_tokens INTEGER NOT NULL,
                candidate_tokens INTEGER NOT NULL,
                UNIQUE (request_id, candidate)
            );
            CREATE INDEX shadow_pairs_at ON shadow_pairs(at);
            """
        ),
        (
            "0008-canary",
            """
            CREATE TABLE canary_runs (
                candidate TEXT PRIMARY KEY,
                state TEXT NOT NULL,
                reason TEXT NOT NULL DEFAULT '',
                started_at REAL NOT NULL,
                updated_at REAL NOT NULL,
                decided_at REAL,
                stats TEXT NOT NULL DEFAULT '{}'
            );
            CREATE TABLE canary_decisions (
                candidate TEXT NOT NULL,
                at REAL NOT NULL,
                decision TEXT NOT NULL,
                reason TEXT NOT NULL,
                stats TEXT NOT NULL
            );
            """
        ),
        (
            // The extractive answerer's sentence vectors, computed at ingest (`SentenceVectorPass`):
            // content-addressed like `embedding_cache` (a sentence shared by two chunks is stored
            // once), float16; `chunk_sentences` marks the chunks whose sentences are done, for
            // which model and candidate rules.
            "0009-sentence-vectors",
            """
            CREATE TABLE sentence_vectors (
                model TEXT NOT NULL,
                text_sha256 TEXT NOT NULL,
                embedding BLOB NOT NULL,
                PRIMARY KEY (model, text_sha256)
            ) WITHOUT ROWID;
            CREATE TABLE chunk_sentences (
                chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
                model TEXT NOT NULL,
                rules TEXT NOT NULL,
                sentences INTEGER NOT NULL
            );
            """
        )
    ]
}
