#!/usr/bin/env python3
"""Generate reference sentence embeddings for Lore's Swift embedder tests.

Writes Tests/Fixtures/embeddings/reference.jsonl, one JSON object per line:
    {"text": "...", "tokens": N, "embedding": [384 floats, 7 significant digits]}
where `tokens` is the number of token ids including [CLS]/[SEP] after
truncation to max_seq_length (256), and `embedding` is the output of
sentence_transformers.SentenceTransformer(models/all-MiniLM-L6-v2, device="cpu")
.encode(texts, batch_size=16, normalize_embeddings=False). The model's own
module pipeline (modules.json: Transformer -> mean Pooling -> Normalize) is
used as is, so the vectors are already unit-norm.

Also writes Tests/Fixtures/embeddings/README.md with the library versions used.

All texts are hand-written or generated deterministically (seeded RNG);
nothing is downloaded. Torch runs on one CPU thread for reproducibility.

Usage (from the repo root):
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
        .cache/reference-venv/bin/python scripts/reference/make_embedding_reference.py
"""

import json
import os
import random
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL_DIR = os.path.join(ROOT, "models", "all-MiniLM-L6-v2")
OUT_DIR = os.path.join(ROOT, "Tests", "Fixtures", "embeddings")
OUT_PATH = os.path.join(OUT_DIR, "reference.jsonl")
README_PATH = os.path.join(OUT_DIR, "README.md")
BATCH_SIZE = 16

SENTENCES = [
    "Lore ingests Markdown, HTML, PDF and source code files.",
    "Each document is split into overlapping chunks of roughly three hundred tokens.",
    "The embedder maps every chunk to a 384-dimensional vector.",
    "Vectors are stored in SQLite alongside the original text.",
    "At query time the question is embedded with the same model.",
    "The nearest chunks by cosine similarity are passed to the language model.",
    "Swift's structured concurrency makes batching requests straightforward.",
    "A cache avoids re-embedding documents that have not changed.",
    "The quick brown fox jumps over the lazy dog.",
    "Photosynthesis converts light energy into chemical energy in plants.",
    "The French Revolution began in 1789 with the storming of the Bastille.",
    "Neural networks learn representations by minimizing a loss function.",
    "Mount Everest is the highest mountain above sea level.",
    "Water boils at one hundred degrees Celsius at sea level.",
    "The stock market fell sharply after the central bank raised interest rates.",
    "She plays the violin in the city orchestra every Friday evening.",
    "Regular exercise improves both physical and mental health.",
    "The library closes at nine o'clock on weekdays.",
    "Quantum computers exploit superposition and entanglement.",
    "Our team shipped the new release two days ahead of schedule.",
    "Please restart the server after updating the configuration file.",
    "The recipe calls for two cups of flour and a pinch of salt.",
    "Migratory birds travel thousands of kilometres every year.",
    "Unit tests should be fast, isolated and deterministic.",
    "The museum's new exhibition features paintings from the Renaissance.",
    "A tokenizer splits text into subword units drawn from a fixed vocabulary.",
    "Rainfall this autumn was well above the long-term average.",
    "The contract must be signed by both parties before the end of the month.",
    "Electric vehicles are becoming cheaper to produce each year.",
    "He forgot his umbrella and got soaked on the way home.",
]


def hand_written():
    t = []
    add = t.append
    # empty and whitespace
    for s in ["", " ", "   ", "\t", "\n", " \n\t \r\n "]:
        add(s)
    # short queries
    for s in ["swift", "Swift", "SWIFT", "hello", "embedding model", "how to install lore",
              "What is RAG?", "best pizza in Naples", "python vs swift performance",
              "reset password", "error 404 not found", "a", "?", "the"]:
        add(s)
    # sentences
    t.extend(SENTENCES[:20])
    # paraphrase pairs / near duplicates
    for s in ["A man is playing a guitar.", "A person plays the guitar.",
              "A man is eating food.", "A man is eating a piece of bread.",
              "The cat sits on the mat.", "The cat is sitting on the mat."]:
        add(s)
    # non-English
    for s in ["Der schnelle braune Fuchs springt über den faulen Hund.",
              "Le café est très bon à Paris, n'est-ce pas ?",
              "¿Dónde está la biblioteca más cercana?",
              "Привет, как дела? Москва — столица России.",
              "Καλημέρα, τι κάνεις σήμερα;",
              "مرحبا بكم في خدمة البحث الخاصة بنا",
              "שלום, מה שלומך היום?",
              "नमस्ते, आप कैसे हैं?",
              "สวัสดีครับ ยินดีต้อนรับ",
              "我爱北京天安门。今天天气很好。",
              "東京は日本の首都です。カタカナとひらがな。",
              "안녕하세요, 만나서 반갑습니다.",
              "Zürich, Ångström, naïve façade, crème brûlée, Straße, İstanbul"]:
        add(s)
    # emoji and symbols
    for s in ["😀", "I love Swift 😍🔥🚀", "👨\u200d👩\u200d👧\u200d👦 family 🇺🇸🇯🇵 👋🏽",
              "€100 £50 ¥1000 $9.99 — ∑ ≤ × ½ x² Ⅻ", "ＡＢＣ ﬁle cafe\u0301 zero\u200bwidth soft\u00adhyphen"]:
        add(s)
    # code
    for s in [
        'func greet(_ name: String) -> String {\n    return "Hello, \\(name)!"\n}',
        "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n",
        "SELECT id, title FROM documents WHERE score >= 0.75 ORDER BY score DESC LIMIT 10;",
        '{"name": "Lore", "version": "1.0.0", "tags": ["rag", "swift"], "enabled": true}',
        '<html><body><p class="x">Hello&nbsp;world &amp; friends</p></body></html>',
        "https://example.com/path/to/page?query=1&lang=en#section",
        "/usr/local/bin/swift build -c release",
        "let xs = [1, 2, 3].map { $0 * 2 }.filter { $0 > 2 }",
    ]:
        add(s)
    # long single tokens / odd inputs
    add("a" * 101)
    add("supercalifragilisticexpialidocious antidisestablishmentarianism")
    add("[CLS] [SEP] [MASK] literal special tokens")
    add("word " * 255)                    # exactly truncated at 256
    add("word " * 254)                    # exactly 256 with specials
    return t


def paragraphs(rng, count, min_s, max_s):
    out = []
    for _ in range(count):
        n = rng.randint(min_s, max_s)
        out.append(" ".join(SENTENCES[rng.randrange(len(SENTENCES))] for _ in range(n)))
    return out


def long_texts(rng):
    out = []
    # long English paragraphs (> 256 tokens)
    out.extend(paragraphs(rng, 10, 25, 60))
    # long code
    lines = []
    for i in range(60):
        lines.append(f"    let value{i} = compute(input: items[{i}], scale: {i * 0.5}) // step {i}")
    out.append("func run(items: [Double]) {\n" + "\n".join(lines) + "\n}")
    # long non-English
    out.append("Москва — столица России. " * 40)
    out.append("我爱北京天安门。今天天气很好。" * 30)
    out.append(("Der schnelle braune Fuchs springt über den faulen Hund. " * 30).strip())
    # long emoji / symbol run
    out.append("😀 🚀 ❤️ 👍🏽 " * 80)
    # long numbers list
    out.append(", ".join(str(i * 7) for i in range(300)))
    # long markdown document
    md = ["# Lore user guide", ""]
    for i in range(12):
        md.append(f"## Section {i + 1}")
        md.append(SENTENCES[i] + " " + SENTENCES[(i + 5) % len(SENTENCES)])
        md.append(f"- item {i}a\n- item {i}b")
        md.append("")
    out.append("\n".join(md))
    return out


def collect_texts():
    rng = random.Random(1337)
    texts = hand_written()
    texts.extend(paragraphs(rng, 20, 3, 8))   # medium paragraphs
    texts.extend(long_texts(rng))
    seen = set()
    uniq = []
    for t in texts:
        if t not in seen:
            seen.add(t)
            uniq.append(t)
    return uniq


def r7(x):
    return float(f"{x:.7g}")


def write_readme(versions, model, n, n_long, norms):
    lines = [
        "# Embedding reference fixtures",
        "",
        "`reference.jsonl` holds one JSON object per line:",
        '`{"text": ..., "tokens": N, "embedding": [384 floats]}`.',
        "",
        "- model: `models/all-MiniLM-L6-v2` (local directory, no hub access)",
        "- pipeline: `sentence_transformers.SentenceTransformer(dir, device=\"cpu\")`, modules from modules.json: "
        + " -> ".join(type(m).__name__ for m in model),
        f"- `encode(texts, batch_size={BATCH_SIZE}, normalize_embeddings=False)`; the Normalize module in "
        "the model's own pipeline makes the vectors unit-norm "
        f"(norms in [{min(norms):.7f}, {max(norms):.7f}])",
        f"- max_seq_length: {model.max_seq_length}; `tokens` = ids incl. [CLS]/[SEP] after truncation",
        "- floats rounded to 7 significant digits; torch on 1 CPU thread",
        f"- {n} texts, {n_long} of them truncated at {model.max_seq_length} tokens",
        "",
        "Versions:",
        "",
    ]
    for k, v in versions.items():
        lines.append(f"- {k} {v}")
    lines += [
        "",
        "Regenerate (from the repo root; venv packages pinned in scripts/reference/requirements.txt):",
        "",
        "```sh",
        "python3 -m venv .cache/reference-venv",
        ".cache/reference-venv/bin/pip install -r scripts/reference/requirements.txt",
        "HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .cache/reference-venv/bin/python scripts/reference/make_embedding_reference.py",
        "HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .cache/reference-venv/bin/python scripts/reference/make_tokenizer_cases.py",
        "```",
        "",
        "torch was the CPU build (`+cpu`) from pip's local find-links (/opt/wheels); requirements.txt pins",
        "`torch==<version>`, which also accepts the plain PyPI build (bigger, CUDA deps; same CPU results expected).",
        "",
    ]
    with open(README_PATH, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def main():
    import numpy as np
    import sentence_transformers
    import tokenizers
    import torch
    import transformers
    transformers.logging.set_verbosity_error()
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    torch.manual_seed(0)

    with open(os.path.join(MODEL_DIR, "modules.json")) as f:
        modules = [m["type"] for m in json.load(f)]
    print("modules.json:", modules)

    model = SentenceTransformer(MODEL_DIR, device="cpu")
    print("pipeline:", [type(m).__name__ for m in model])
    print("max_seq_length:", model.max_seq_length)
    assert model.max_seq_length == 256, model.max_seq_length

    texts = collect_texts()
    emb = model.encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=False,
                       convert_to_numpy=True, show_progress_bar=False)
    assert emb.shape == (len(texts), 384), emb.shape

    # token counts incl. specials after truncation, via the model's own tokenizer
    # (same call the Transformer module makes: truncation at max_seq_length)
    counts = [len(model.tokenizer(t, add_special_tokens=True, truncation=True,
                                  max_length=model.max_seq_length)["input_ids"]) for t in texts]
    full_counts = [len(model.tokenizer(t, add_special_tokens=True, truncation=False)["input_ids"]) for t in texts]
    n_over = sum(1 for c in full_counts if c > model.max_seq_length)

    norms = np.linalg.norm(emb.astype(np.float64), axis=1)

    # diagnostic: batch composition effect (each text alone vs batched)
    single = np.stack([model.encode([t], batch_size=1, normalize_embeddings=False,
                                    show_progress_bar=False)[0] for t in texts])
    batch_diff = float(np.abs(single - emb).max())

    os.makedirs(OUT_DIR, exist_ok=True)
    with open(OUT_PATH, "w", encoding="utf-8", newline="\n") as f:
        for t, c, e in zip(texts, counts, emb):
            rec = {"text": t, "tokens": c, "embedding": [r7(float(x)) for x in e]}
            f.write(json.dumps(rec, ensure_ascii=True) + "\n")

    versions = {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "sentence-transformers": sentence_transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "numpy": np.__version__,
    }
    write_readme(versions, model, len(texts), n_over, norms)

    print(f"wrote {len(texts)} embeddings to {os.path.relpath(OUT_PATH, ROOT)}")
    print(f"texts longer than {model.max_seq_length} tokens before truncation: {n_over}")
    print(f"norms: min {norms.min():.9f} max {norms.max():.9f}")
    print(f"max |batched - single| over all components: {batch_diff:.3g}")
    print("versions:", versions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
