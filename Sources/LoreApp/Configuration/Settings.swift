// The meanings are one line of prose each, as the reference table prints them.
// swift-format-ignore-file: LineLength

import Foundation
import LoreServer

extension LoreConfiguration {
    /// Every setting, in the order docs/CONFIGURATION.md lists them. The file's keys are the
    /// Codable types' (tests check that each of these is one of them, and that file and
    /// environment give the same value); the environment and the flags are read through this
    /// list; the reference is generated from it (`lore config --reference`).
    public static var settings: [Setting] {
        [
            .string("database", \.database, aliases: ["LORE_DB"], #"the SQLite file (`--db`)"#),
            .string("collection", \.collection, #"the collection `ingest` writes to and the other commands read (`--collection`)"#),
            .string(
                "models_dir", \.modelsDir,
                #"where `scripts/fetch-models` put the model; a relative path is looked up from the working directory, then upwards from the executable"#
            ),
            .string("log_level", \.logLevel, #"`trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical` (logs go to stderr)"#),
            .string(
                "embedder", \.embedder,
                #"`minilm` (in process), `openai-compatible` (see `openai_embedder`), or `none` (no vectors) (`--embedder`)"#),
            .optionalString(
                "openai_embedder.base_url", \.openAIEmbedder.baseURL,
                #"e.g. `http://127.0.0.1:8080`; Lore posts to `{base}/v1/embeddings` (`--embedder-url`)"#),
            .optionalString(
                "openai_embedder.model", \.openAIEmbedder.model,
                #"the model name sent to the server, and recorded with the vectors (`--embedder-model`)"#),
            .optionalString(
                "openai_embedder.api_key_env", \.openAIEmbedder.apiKeyEnv,
                #"the name of the variable holding the API key (`--embedder-api-key-env`)"#),
            .int("openai_embedder.batch_size", \.openAIEmbedder.batchSize, #"texts per request"#),
            .int("openai_embedder.concurrency", \.openAIEmbedder.concurrency, #"requests in flight"#),
            .float("openai_embedder.timeout_s", \.openAIEmbedder.timeoutSeconds, #"per request"#),
            .int(
                "openai_embedder.max_retries", \.openAIEmbedder.maxRetries,
                #"retries after 429 (honouring `Retry-After`), 5xx, timeouts and refused connections, with exponential backoff and jitter"#),
            .optionalInt(
                "openai_embedder.dimension", \.openAIEmbedder.dimension, #"the dimension to insist on (learned from the server otherwise)"#),
            .int(
                "ingest.chunk_size", \.ingest.chunkSize,
                #"tokens per chunk, 32 to 254 (the model takes 256 with `[CLS]`/`[SEP]`) (`--chunk-size`)"#),
            .int("ingest.chunk_overlap", \.ingest.chunkOverlap, #"tokens shared by consecutive chunks of a section (`--chunk-overlap`)"#),
            .int("ingest.max_file_bytes", \.ingest.maxFileBytes, #"larger files are rejected unread (`--max-file-bytes`)"#),
            .int("ingest.min_characters", \.ingest.minCharacters, #"shorter documents are rejected"#),
            .string("ingest.invalid_utf8", \.ingest.invalidUTF8, #"`repair` (U+FFFD, with a warning) or `reject`"#),
            .strings("ingest.include", \.ingest.include, #"globs added to `--include`"#),
            .strings("ingest.exclude", \.ingest.exclude, #"globs added to `--exclude`"#),
            .choice(
                "ingest.ocr", \.ingest.ocr,
                #"when PDF pages are read by OCR (Tesseract): `auto` (pages without a text layer), `off` or `always`"#),
            .string(
                "ingest.ocr_language", \.ingest.ocrLanguage,
                #"Tesseract's language(s) for OCR, `eng` or `eng+deu` (Debian's `tesseract-ocr-LANG`)"#),
            .choice("index.kind", \.index.kind, #"`auto` (flat below `hnsw_threshold` vectors, HNSW from it), `flat` or `hnsw`"#),
            .int(
                "index.hnsw_threshold", \.index.hnswThreshold,
                #"the size at which `auto` switches to HNSW (exact search of 14,698 vectors takes 1.3 ms on 2 cores, HNSW 0.2 ms: `bench/retrieval`)"#
            ),
            .int("index.m", \.index.m, #"HNSW links per node (layer 0 keeps 2M)"#),
            .int("index.ef_construction", \.index.efConstruction, #"HNSW candidates while building"#),
            .int("index.ef_search", \.index.efSearch, #"HNSW candidates while searching (at least k) (`lore index search --ef`)"#),
            .float(
                "index.rebuild_tombstone_share", \.index.rebuildTombstoneShare, #"rebuild an HNSW graph when removed nodes pass this share"#
            ),
            .int("index.snapshot_part_bytes", \.index.snapshotPartBytes, #"bytes per stored snapshot part (blob)"#),
            .string("retrieval.mode", \.retrieval.mode, #"`hybrid` (dense + BM25 fused by RRF), `dense` or `lexical` (`--mode`)"#),
            .int("retrieval.k", \.retrieval.k, #"passages answered from (`--k`)"#),
            .int("retrieval.fetch_k", \.retrieval.fetchK, #"candidates taken from each list before fusion and MMR (`--fetch-k`)"#),
            .float("retrieval.lambda", \.retrieval.lambda, #"MMR trade-off, 0 (diverse) to 1 (relevance only) (`--lambda`)"#),
            .bool("retrieval.mmr", \.retrieval.mmr, #"whether MMR runs"#),
            .float("retrieval.rrf_k", \.retrieval.rrfK, #"reciprocal rank fusion: a list's rank r adds weight / (rrf_k + r)"#),
            .float("retrieval.dense_weight", \.retrieval.denseWeight, #"the dense list's weight in the fusion"#),
            .float("retrieval.lexical_weight", \.retrieval.lexicalWeight, #"the BM25 list's weight in the fusion"#),
            .float(
                "retrieval.query_cache_mb", \.retrieval.queryCacheMB,
                #"megabytes of question vectors kept, exact text to vector, least recently used out (0: none; about 1.6 KB a question); hit rate in `lore_query_vector_cache_hit_ratio`"#
            ),
            .float(
                "retrieval.min_relevance", \.retrieval.minRelevance,
                #"cosine similarity of the best passage below which Lore answers "I don't know" (on `corpus/`, off-topic questions score 0.11-0.31, answerable ones 0.39 and up) (`--min-relevance`)"#
            ),
            .float(
                "retrieval.candidate_floor", \.retrieval.candidateFloor,
                #"candidates less similar to the question than this never reach the prompt (MMR would favour them for being different)"#),
            .bool(
                "retrieval.require_names", \.retrieval.requireNames,
                #"refuse a question whose *subject* is something the collection never mentions (a proper noun or acronym, an identifier, a hyphenated compound with an unknown part); the refusal names it. A name that is only context (a colleague, "our Laravel app") refuses nothing"#
            ),
            .float(
                "retrieval.name_context_relevance", \.retrieval.nameContextRelevance,
                #"an unknown name (a tool, a company) counts as context when the question without it still reaches this cosine similarity on a retrieved passage"#
            ),
            .float(
                "retrieval.person_context_relevance", \.retrieval.personContextRelevance,
                #"the same for people's names, and names placed in a statement or after "our""#),
            .float(
                "retrieval.common_term_share", \.retrieval.commonTermShare,
                #"lexical search leaves out words found in more than this share of the chunks when the question has rarer ones; `1` keeps every word: on the held-out SQLite set that ranks better (hybrid recall@5 0.779 -> 0.868) for a few milliseconds more per query ([BENCHMARKS.md](BENCHMARKS.md))"#
            ),
            .int("extractive.max_sentences", \.extractive.maxSentences, #"the extractive answerer's longest answer, 1 to 20 sentences"#),
            .float(
                "extractive.min_similarity", \.extractive.minSimilarity,
                #"the sentence similarity below which the extractive answerer refuses"#),
            .int(
                "batching.max_texts", \.batching.maxTexts,
                #"the most texts (questions, the extractive answerer's sentences) requests in flight share in one encoder batch (0: no sharing)"#
            ),
            .float(
                "batching.max_wait_ms", \.batching.maxWaitMs,
                #"how long a shared batch that is not full may wait for more requests (0: never; a lone request on an idle server never waits)"#
            ),
            .int("batching.concurrent", \.batching.concurrent, #"shared batches that run at once (0: one per core)"#),
            .int(
                "extractive.sentence_cache", \.extractive.sentenceCache,
                #"sentence vectors the extractive answerer keeps between answers (about 1.5 KB each; 0: none), so a recurring passage is embedded once"#
            ),
            .int(
                "extractive.embed_limit", \.extractive.embedLimit,
                #"the most candidate sentences the extractive answerer embeds per answer, the best first by BM25 against the question (0: every candidate); more requests/s, answers that differ (docs/BENCHMARKS.md)"#
            ),
            .choice(
                "extractive.sentence_vectors", \.extractive.sentenceVectors,
                #"`ingest`: every chunk's candidate sentences are embedded once at ingest and stored (float16), so a question embeds only itself (when `generation.backend` or `generation.fallback` is `extractive`); `query`: they are embedded when a question retrieves them"#
            ),
            .string(
                "prompts.directory", \.prompts.directory, aliases: ["LORE_PROMPTS_DIR"],
                #"`<name>/<version>.md` templates, validated at start-up ([prompts/README.md](../prompts/README.md)); a relative path is looked up from the working directory, then upwards from the executable"#
            ),
            .structure(
                "prompts.defaults", "map name → version", default: #"`{answer: v1, condense: v1}`"#,
                #"the default version per template name; entries given are merged over these"#),
            .structure(
                "prompts.splits", "map name → {version: weight}", default: #"`{}`"#,
                #"A/B weights per name, sticky per user or conversation id, e.g. `{answer: {v1: 90, v2: 10}}`"#),
            .choice(
                "prompts.bandit", \.prompts.bandit,
                #"`thompson`: each split's weights become the probability that each version is the best, from users' ratings in the request log (Thompson sampling); `none`: the configured weights"#
            ),
            .float("prompts.bandit_refresh_s", \.prompts.banditRefreshSeconds, #"how often the bandit recomputes the weights"#),
            .float("prompts.bandit_floor", \.prompts.banditFloor, #"the least share the bandit leaves any version (0 to below 0.5)"#),
            .string(
                "generation.backend", \.generation.backend,
                #"`extractive` (no LLM), a configured backend's name, or `pool` (every configured backend) (`--backend`)"#),
            .structure(
                "generation.backends", "list of backends", default: #"`[]`"#,
                #"OpenAI-compatible chat-completions servers, each with the keys below; `LORE_LLM_*` define (or override) one named `llm`"#),
            .structure("generation.backends[].name", "string", #"the backend's name (not `extractive` or `pool`; unique)"#),
            .structure(
                "generation.backends[].base_url", "string", environment: #"`LORE_LLM_BASE_URL`"#, #"the server, with or without `/v1`"#),
            .structure("generation.backends[].model", "string", environment: #"`LORE_LLM_MODEL`"#, #"the model name sent to it"#),
            .structure(
                "generation.backends[].api_key_env", "string", default: #"none"#, environment: #"`LORE_LLM_API_KEY_ENV`"#,
                #"the variable holding its API key (leave out for servers without keys)"#),
            .structure("generation.backends[].connect_timeout_s", "float", default: #"`5`"#, #"connection timeout"#),
            .structure(
                "generation.backends[].first_token_timeout_s", "float", default: #"`60`"#,
                #"the time allowed to the first token (a CPU server needs about 15 s for a 1,500-token prompt)"#),
            .structure("generation.backends[].request_timeout_s", "float", default: #"`300`"#, #"the whole request"#),
            .structure("generation.backends[].max_retries", "int", default: #"`2`"#, #"retries, before the first token only"#),
            .structure(
                "generation.backends[].price.input_per_million", "float", default: #"none"#,
                #"the price of a million prompt tokens: answers then carry `usage.cost`, and `lore_generation_cost_total` counts it"#),
            .structure(
                "generation.backends[].price.output_per_million", "float", default: #"none"#,
                #"the price of a million completion tokens (set both, in one currency)"#),
            .int(
                "generation.circuit_breaker.failures", \.generation.circuitBreaker.failures,
                #"consecutive failures that open a backend's circuit"#),
            .float(
                "generation.circuit_breaker.cooldown_s", \.generation.circuitBreaker.cooldownSeconds,
                #"how long an open circuit waits before one probe request"#),
            .optionalString(
                "generation.fallback", \.generation.fallback,
                #"a backend (in practice `extractive`) that answers when the chosen one cannot be reached before its first token; none: 503 `backend_unavailable`"#
            ),
            .string("server.host", \.server.host, #"where `lore serve` listens (`--host`)"#),
            .int("server.port", \.server.port, #"its port; 0 picks a free one (`--port`)"#),
            .choice(
                "server.auth", \.server.auth,
                #"`api_key`: every API route needs a key; `none` (`--unauthenticated`): keyless requests get full access, refused unless the host is loopback"#
            ),
            .bool("server.metrics_require_key", \.server.metricsRequireKey, #"`/metrics` needs a valid key too"#),
            .float(
                "server.rate_limit.requests_per_second", \.server.rateLimit.requestsPerSecond,
                #"the token bucket of keys created without `--rate` (0: no limit); over it, 429 with `Retry-After`"#),
            .int("server.rate_limit.burst", \.server.rateLimit.burst, #"the bucket's size (0: the rate rounded up, at least 1)"#),
            .strings(
                "server.cors.allowed_origins", default: "none (CORS off)", get: { $0.server.cors?.allowedOrigins },
                set: { c, v in v.isEmpty ? (c.server.cors = nil) : cors(&c) { $0.allowedOrigins = v } },
                #"origins (`https://app.example.com`, or `*`) whose browsers may call the API; their preflights are answered without a key, other origins get no CORS headers"#
            ),
            .strings(
                "server.cors.allowed_methods", default: list(CORSPolicy.defaultMethods), get: { $0.server.cors?.allowedMethods },
                set: { c, v in cors(&c) { $0.allowedMethods = v } }, #"methods allowed to those origins"#),
            .strings(
                "server.cors.allowed_headers", default: list(CORSPolicy.defaultHeaders), get: { $0.server.cors?.allowedHeaders },
                set: { c, v in cors(&c) { $0.allowedHeaders = v } }, #"request headers allowed to those origins"#),
            .optionalInt(
                "server.cors.max_age_s", get: { $0.server.cors?.maxAgeSeconds }, set: { c, v in cors(&c) { $0.maxAgeSeconds = v } },
                #"how long a browser may cache a preflight answer"#),
            .int("server.max_body_bytes", \.server.maxBodyBytes, #"larger request bodies get 413"#),
            .float(
                "server.request_timeout_s", \.server.requestTimeoutSeconds,
                #"a non-streaming query or a retrieval running longer is cancelled with 504"#),
            .float(
                "server.shutdown_grace_s", \.server.shutdownGraceSeconds,
                #"on SIGTERM or SIGINT, how long in-flight requests (streams included) may take to finish"#),
            .optionalString(
                "server.published", \.server.published,
                #"serve the current version of this published directory read-only instead of `database` (`--published`)"#),
            .float(
                "server.watch_interval_s", \.server.watchIntervalSeconds,
                #"how often a replica checks for a new version; 0: only SIGHUP and `POST /admin/reload` (`--watch-interval`)"#),
            .bool(
                "request_log.enabled", \.requestLog.enabled,
                #"record every answered request (redacted) for `lore requests`, feedback and drift; false also turns `POST /v1/feedback` off"#
            ),
            .optionalString(
                "request_log.database", \.requestLog.database, default: #"the store (`database`)"#,
                #"another SQLite file for the log; a replica of published versions keeps a log only with one"#),
            .float("request_log.retention_days", \.requestLog.retentionDays, #"requests older than this are deleted (0: no age limit)"#),
            .int(
                "request_log.max_rows", \.requestLog.maxRows,
                #"at most this many requests are kept, the oldest deleted first (0: no limit)"#),
            .float(
                "request_log.prune_interval_s", \.requestLog.pruneIntervalSeconds,
                #"how often retention runs, on the log's own thread (never in a request)"#),
            .optionalString(
                "shadow.prompt", \.shadow.prompt, default: #"none"#,
                #"a shadow candidate: answer a sampled share of live requests again with this prompt `NAME@VERSION` (`lore shadow report`)"#
            ),
            .optionalString("shadow.backend", \.shadow.backend, default: #"none"#, #"a shadow candidate: this configured backend"#),
            .optionalInt("shadow.retrieval.k", \.shadow.retrieval.k, default: #"none"#, #"a shadow candidate: passages to answer from"#),
            .optionalInt(
                "shadow.retrieval.fetch_k", \.shadow.retrieval.fetchK, default: #"none"#, #"a shadow candidate: candidates per list"#),
            .optionalString(
                "shadow.retrieval.mode", \.shadow.retrieval.mode, default: #"none"#,
                #"a shadow candidate: `hybrid`, `dense` or `lexical`"#),
            .optionalFloat("shadow.retrieval.lambda", \.shadow.retrieval.lambda, default: #"none"#, #"a shadow candidate: MMR trade-off"#),
            .optionalFloat(
                "shadow.retrieval.min_relevance", \.shadow.retrieval.minRelevance, default: #"none"#,
                #"a shadow candidate: the "I don't know" threshold"#),
            .optionalString(
                "shadow.index_version", \.shadow.indexVersion, default: #"none"#,
                #"a shadow candidate on a replica (`server.published`): this published version (`v000003`) answers"#),
            .float("shadow.sample", \.shadow.sample, #"the share (0 to 1) of answered requests the candidate answers again"#),
            .int(
                "shadow.queue", \.shadow.queue,
                #"requests waiting for the candidate; when full, new ones are dropped and counted (`lore_shadow_requests_total{outcome="dropped"}`)"#
            ),
            .float(
                "shadow.quiet_ms", \.shadow.quietMs,
                #"a candidate run starts only once no request has been in flight for this many milliseconds (spare capacity only; 0: whenever a core is free)"#
            ),
            .float(
                "shadow.max_wait_s", \.shadow.maxWaitSeconds,
                #"a queued request that finds no quiet moment within this many seconds is dropped and counted (`outcome="expired"`)"#),
            .optionalString(
                "canary.prompt", \.canary.prompt, default: #"none"#,
                #"a canary candidate: route a share of live traffic to this prompt `NAME@VERSION` (`lore canary status`)"#),
            .optionalString("canary.backend", \.canary.backend, default: #"none"#, #"a canary candidate: this configured backend"#),
            .optionalInt("canary.retrieval.k", \.canary.retrieval.k, default: #"none"#, #"a canary candidate: passages to answer from"#),
            .optionalInt(
                "canary.retrieval.fetch_k", \.canary.retrieval.fetchK, default: #"none"#, #"a canary candidate: candidates per list"#),
            .optionalString(
                "canary.retrieval.mode", \.canary.retrieval.mode, default: #"none"#, #"a canary candidate: `hybrid`, `dense` or `lexical`"#),
            .optionalFloat("canary.retrieval.lambda", \.canary.retrieval.lambda, default: #"none"#, #"a canary candidate: MMR trade-off"#),
            .optionalFloat(
                "canary.retrieval.min_relevance", \.canary.retrieval.minRelevance, default: #"none"#,
                #"a canary candidate: the "I don't know" threshold"#),
            .optionalString(
                "canary.index_version", \.canary.indexVersion, default: #"none"#,
                #"a canary candidate on a replica (`server.published`): this published version (`v000003`) answers"#),
            .float("canary.share", \.canary.share, #"the share (0 to 1) of users or conversations routed to the candidate (sticky)"#),
            .int("canary.min_requests", \.canary.minRequests, #"candidate requests before a promotion"#),
            .int(
                "canary.rollback_min_requests", \.canary.rollbackMinRequests,
                #"candidate requests before a rollback (the smallest sample that may condemn it)"#),
            .float("canary.cooldown_s", \.canary.cooldownSeconds, #"seconds the canary runs before it may be promoted"#),
            .float("canary.confidence", \.canary.confidence, #"how sure (one-sided) a rollback must be that the candidate is worse"#),
            .float(
                "canary.thresholds.error_rate", \.canary.thresholds.errorRate,
                #"the largest allowed increase of the error rate over the primary's (absolute)"#),
            .float("canary.thresholds.refusal_rate", \.canary.thresholds.refusalRate, #"the same, for the refusal rate"#),
            .float(
                "canary.thresholds.negative_feedback_rate", \.canary.thresholds.negativeFeedbackRate,
                #"the same, for negative ratings per request"#),
            .float(
                "canary.thresholds.unsupported_rate", \.canary.thresholds.unsupportedRate,
                #"the same, for answers the output guard flags unsupported"#),
            .float(
                "canary.thresholds.p95_latency_ratio", \.canary.thresholds.p95LatencyRatio,
                #"the largest allowed ratio of the candidate's p95 latency to the primary's (0: not compared)"#),
            .optionalString(
                "tracing.endpoint", \.tracing.endpoint, default: #"none (tracing off)"#,
                #"export OpenTelemetry traces over OTLP/HTTP (protobuf) to this collector, e.g. `http://127.0.0.1:6006` (Phoenix); `/v1/traces` is added unless the URL ends with it"#
            ),
            .string("tracing.service_name", \.tracing.serviceName, #"the `service.name` spans are exported with"#),
            .float(
                "tracing.sample", \.tracing.sample,
                #"the share (0 to 1) of requests without a `traceparent` that are traced (with one, its sampled flag decides)"#),
            .bool(
                "tracing.capture_content", \.tracing.captureContent,
                #"spans carry the question and the answer as the guardrails left them (`input.value`, `output.value`)"#),
            .optionalString(
                "tracing.headers", \.tracing.headers, default: #"none"#,
                #"headers sent with every export, `name=value,name2=value2` (e.g. an API key of the collector)"#),
            .int(
                "tracing.queue", \.tracing.queue,
                #"finished spans waiting for export; when full, new ones are dropped and counted (`lore_trace_spans_total{outcome="dropped"}`)"#
            ),
            .int("tracing.batch", \.tracing.batch, #"spans per export request"#),
            .float("tracing.timeout_s", \.tracing.timeoutSeconds, #"how long one export request may take"#),
            .bool("guardrails.enabled", \.guardrails.enabled, aliases: ["LORE_GUARDRAILS"], #"all guardrails at once"#),
            .bool(
                "guardrails.audit", \.guardrails.audit,
                #"write every finding to the store's audit table (findings always go to the log and metrics)"#),
            .optionalString(
                "guardrails.injection_model", \.guardrails.injectionModel, default: #"none (the bundled classifier)"#,
                #"another injection classifier file, written by `scripts/train-guard`"#),
            .int("guardrails.input.max_question_chars", \.guardrails.input.maxQuestionChars, #"longer questions are blocked (0: off)"#),
            .choice(
                "guardrails.input.pii.action", \.guardrails.input.pii.action,
                #"personal data and secrets in the question and the conversation (e-mail, phone, card, IBAN, SSN, IP, API keys, tokens, private keys, JWTs): `redact`, `block`, `flag` or `off`"#
            ),
            .choice(
                "guardrails.input.injection.action", \.guardrails.input.injection.action,
                #"prompt injection in the question: `block`, `flag`, `allow` or `off`"#),
            .optionalFloat(
                "guardrails.input.injection.threshold", \.guardrails.input.injection.threshold, default: #"the classifier file's"#,
                #"the score (0 to 1) at which it fires"#),
            .structure(
                "guardrails.input.injection.categories", "map category → action", default: #"`{instructions: flag}`"#,
                #"per-category actions overriding `action` (`instructions`: the learned classifier; `fake_delimiter`, `hidden_text`, `exfiltration`, `encoded`: structural checks). By default structural findings block and the classifier alone flags, since it still fires on some ordinary questions ([BENCHMARKS.md](BENCHMARKS.md)); `{instructions: block}` blocks on it too"#
            ),
            .choice("guardrails.input.deny.action", \.guardrails.input.deny.action, #"deny-listed phrases: `block`, `flag` or `off`"#),
            .strings(
                "guardrails.input.deny.patterns", \.guardrails.input.deny.patterns,
                #"case- and accent-insensitive phrases; `*` matches any run of characters"#),
            .choice(
                "guardrails.context.injection.action", \.guardrails.context.injection.action,
                #"retrieved passages with instructions aimed at the model: `drop`, `quarantine`, `flag`, `allow` or `off`"#),
            .optionalFloat(
                "guardrails.context.injection.threshold", \.guardrails.context.injection.threshold, default: #"the classifier file's"#,
                #"the score (0 to 1) at which it fires"#),
            .structure(
                "guardrails.context.injection.categories", "map category → action", default: #"none"#, #"per-category actions, as on input"#
            ),
            .bool(
                "guardrails.context.scan_at_ingest", \.guardrails.context.scanAtIngest,
                #"scan every chunk at ingest and mark the flagged ones (`lore guard flagged`)"#),
            .bool(
                "guardrails.context.scan_windows", \.guardrails.context.scanWindows,
                #"the scan also classifies each chunk's sentences (finds an instruction planted in a paragraph; embeds the text a second time)"#
            ),
            .choice(
                "guardrails.output.pii.action", \.guardrails.output.pii.action,
                #"personal data in the answer, while it streams: `redact`, `flag` or `off`"#),
            .choice(
                "guardrails.output.invalid_citations.action", \.guardrails.output.invalidCitations.action,
                #"`[n]` with no source n: `remove`, `flag` or `off`"#),
            .choice(
                "guardrails.output.missing_citations.action", \.guardrails.output.missingCitations.action,
                #"an answer citing nothing: `flag`, `refuse` or `off`"#),
            .choice(
                "guardrails.output.unsupported.action", \.guardrails.output.unsupported.action,
                #"a cited sentence sharing too few content words with its sources: `flag` or `off`"#),
            .optionalFloat(
                "guardrails.output.unsupported.threshold", \.guardrails.output.unsupported.threshold,
                #"the share of content words below which it fires (0 to 1)"#),
            .choice(
                "guardrails.output.insufficient_context.action", \.guardrails.output.insufficientContext.action,
                #"the refusal below `retrieval.min_relevance`, whatever a model says: `refuse` or `off`"#)
        ]
    }

    /// `server.cors`, created with its defaults on first use.
    private static func cors(_ c: inout LoreConfiguration, _ change: (inout CORSSettings) -> Void) {
        var section = c.server.cors ?? CORSSettings()
        change(&section)
        c.server.cors = section
    }

    private static func list(_ items: [String]) -> String { "`[" + items.joined(separator: ", ") + "]`" }
}
