#!/usr/bin/env python3
"""Generate WordPiece tokenizer reference cases for Lore's Swift tokenizer tests.

Writes Tests/Fixtures/tokenizer/cases.jsonl: one JSON object per line,
    {"text": "...", "ids": [101, ..., 102]}
where `ids` come from Hugging Face's fast tokenizer (the `tokenizers` library)
loaded from the local models/all-MiniLM-L6-v2/tokenizer.json, with [CLS]/[SEP]
added, padding disabled and truncation at 256 tokens (tokenizer.json itself
configures truncation 128 + fixed padding 128; both are overridden here).

Every case is cross-checked against the pure-Python "slow" BERT tokenizer
(transformers' BertTokenizerLegacy in transformers>=5, BertTokenizer before)
built from vocab.txt with do_lower_case=True. A disagreement is kept and
flagged with "slow_differs": true plus the slow ids in "slow_ids".

Lines are written with ensure_ascii=True so that characters such as U+2028,
U+2029 and U+0085 (which Swift's Character.isNewline treats as line breaks)
never appear raw inside a line.

All strings are hand-written or generated deterministically (seeded RNG);
nothing is downloaded.

Usage (from the repo root):
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
        .cache/reference-venv/bin/python scripts/reference/make_tokenizer_cases.py
"""

import json
import os
import random
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL_DIR = os.path.join(ROOT, "models", "all-MiniLM-L6-v2")
OUT_PATH = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer", "cases.jsonl")
MAX_LEN = 256


def fixed_cases():
    c = []
    add = c.append

    # --- empty / whitespace -------------------------------------------------
    for s in ["", " ", "   ", "\t", "\n", "\r\n", " \t\n\r\n ", "\u00a0", "\u3000",
              "\u2028", "\u0085", "\u200b", "\ufeff", "\u00a0\u00a0 \u2003\u2009"]:
        add(s)

    # --- plain English ------------------------------------------------------
    for s in [
        "Hello, world!",
        "hello world",
        "The quick brown fox jumps over the lazy dog.",
        "What is retrieval-augmented generation?",
        "How do I configure the embedding model in Lore?",
        "This is a test. This is only a test.",
        "I can't believe it's not butter; they're sure it won't work.",
        "Rock 'n' roll isn't dead, y'all.",
        "She said, \"Don't go there!\" and left.",
        "The U.S.A. and the U.K. signed the treaty on Jan. 5th.",
        "e.g. i.e. etc. vs. Mr. Mrs. Dr. St.",
        "state-of-the-art, well-known, long-term, mother-in-law",
        "A", "a", "I", ".", "?", "!!", "x",
        "unaffable", "playing", "unbelievably", "tokenization", "embeddings",
        "Transformers are neural networks that use self-attention.",
    ]:
        add(s)

    # --- mixed case ---------------------------------------------------------
    for s in ["HELLO WORLD", "HeLLo WoRLd", "iPhone iPad macOS", "McDonald's O'Reilly",
              "camelCaseIdentifier PascalCaseIdentifier snake_case_identifier SCREAMING_SNAKE",
              "NASA ESA JAXA CERN", "tHE qUICK bROWN fOX"]:
        add(s)

    # --- accents / Latin extended -------------------------------------------
    for s in ["café", "naïve", "Ångström", "Zürich", "façade", "crème brûlée",
              "São Paulo", "Kraków", "Dvořák", "Þórr and Óðinn", "Œuvre", "æther",
              "Ñandú", "Ærøskøbing", "résumé RÉSUMÉ Résumé", "coöperate",
              "Straße STRASSE straße", "İstanbul ıi İI", "ǅemal ǈubljana",
              "ﬁnance ﬂow ﬀ ﬃ", "Œ œ Ĳ ĳ", "Ǆ ǆ"]:
        add(s)

    # --- combining characters -----------------------------------------------
    for s in ["cafe\u0301", "e\u0301", "\u0301", "a\u0308\u0304", "n\u0303ino",
              "Zu\u0308rich", "x\u0336y\u0336z\u0336", "Z\u0351\u0364\u0307a\u0352l\u0353g\u0325o\u0346",
              "\u0915\u094d\u0937", "re\u0301sume\u0301 vs résumé"]:
        add(s)

    # --- scripts -------------------------------------------------------------
    for s in [
        "Καλημέρα κόσμε", "ΑΘΗΝΑ", "αβγδεζηθικλμνξοπρστυφχψω",
        "Привет, мир!", "Москва — столица России.", "ЁЛКА ёлка", "Україна, Київ",
        "مرحبا بالعالم", "اللغة العربية جميلة", "السلام عليكم ١٢٣",
        "שלום עולם", "עברית בְּרֵאשִׁית",
        "नमस्ते दुनिया", "हिन्दी भाषा", "क्षत्रिय",
        "สวัสดีชาวโลก", "ภาษาไทย",
        "你好，世界！", "我爱北京天安门。", "中文分词测试", "繁體中文測試",
        "こんにちは世界", "カタカナとひらがなと漢字", "東京都渋谷区", "ｶﾀｶﾅ半角",
        "안녕하세요 세계", "한국어 형태소 분석", "\u1100\u1161\u11a8 jamo", "\u1112\u1161\u11ab\u1100\u1173\u11af",
        "ㄱㄴㄷㄹ ㅏㅑㅓㅕ",
        "Ελληνικά, Русский, العربية, עברית, हिन्दी, ไทย, 中文, 日本語, 한국어",
        "Tiếng Việt có dấu", "ქართული ენა", "Հայերեն", "አማርኛ", "தமிழ்", "ᚠᚢᚦᚨᚱᚲ",
        "English中文English", "abc日本def", "100円です", "2024年1月1日",
    ]:
        add(s)

    # --- emoji ---------------------------------------------------------------
    for s in ["😀", "I love Swift 😍🔥", "👍👍👍", "👨\u200d👩\u200d👧\u200d👦", "👩\u200d💻 coding",
              "🏳️\u200d🌈", "🇺🇸🇫🇷🇯🇵", "🇩🇪 Germany", "👋🏽 hi", "👍🏻👍🏼👍🏽👍🏾👍🏿",
              "❤️", "☺︎ ☺️", "1️⃣ 2️⃣ #️⃣", "🧑‍🚀🚀🌕", "emoji😀inside😀words",
              "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", "🫠🪿🫎"]:
        add(s)

    # --- control / invisible characters --------------------------------------
    for s in ["a\x00b", "\x00", "bell\x07ring", "esc\x1b[31mred\x1b[0m", "zero\u200bwidth\u200bspace",
              "soft\u00adhyphen", "\ufeffBOM at start", "next\u0085line", "non\u00a0breaking\u00a0space",
              "line\u2028separator", "para\u2029separator", "del\x7fete", "\x01\x02\x03text\x1f",
              "tab\tseparated\tvalues", "line1\nline2\nline3", "windows\r\nline\r\nendings",
              "old mac\rline", "\t\tindented\n\t\t\tmore", "zwj\u200dzwnj\u200cword",
              "rtl\u200fmark\u200eltr", "\u2060word\u2060joiner", "\ufffdreplacement\ufffd",
              "private\ue000use", "a\u0000\u0000\u0000b", "x\u180ey", "trailing spaces   ",
              "   leading spaces", "multiple     internal      spaces", "vertical\x0btab\x0cfeed"]:
        add(s)

    # --- long words -----------------------------------------------------------
    alpha = "abcdefghijklmnopqrstuvwxyz"
    for n in [50, 99, 100, 101, 150, 300]:
        add("a" * n)
        add((alpha * 12)[:n])
    add("ж" * 60)
    add("ж" * 100)
    add("ж" * 101)
    add("é" * 100)
    add("é" * 101)
    add("e\u0301" * 60)
    add("中" * 120)
    add("word " + "x" * 101 + " word")
    add("Lopado­temacho­selacho­galeo­kranio­leipsano­drim­hypo­trimmato­silphio­karabo­melito­katakechy­meno­kichl­epi­kossypho­phatto­perister­alektryon­opte­kephallio­kigklo­peleio­lagoio­siraio­baphe­tragano­pterygon")

    # --- many ## pieces --------------------------------------------------------
    for s in ["antidisestablishmentarianism", "pneumonoultramicroscopicsilicovolcanoconiosis",
              "supercalifragilisticexpialidocious", "floccinaucinihilipilification",
              "xqzvbnmklwrtp", "qwertyuiopasdfghjklzxcvbnm", "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz",
              "hippopotomonstrosesquippedaliophobia", "zzzzzzzzzz", "aaaaaaaaaabbbbbbbbbb",
              "ungooglable unretrievable overtokenized", "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
              "MiniLM sentence-transformers all-MiniLM-L6-v2", "xn--bcher-kva.example"]:
        add(s)

    # --- URLs, emails, paths ---------------------------------------------------
    for s in ["https://example.com/path/to/page?query=1&lang=en#section",
              "http://localhost:8080/api/v1/search?q=hello%20world",
              "Visit www.apple.com/swift for more.",
              "ftp://files.example.org/pub/README.txt",
              "user.name+tag@example.co.uk", "Contact: support@lore-rag.dev or admin@example.com.",
              "/usr/local/bin/swift", "C:\\Users\\Admin\\Documents\\report.docx",
              "~/Projects/Lore/Sources/LoreCore/Embedder.swift", "../relative/path/file.tar.gz",
              "git@github.com:apple/swift.git", "s3://bucket-name/key/prefix/object.json",
              "mailto:someone@example.com?subject=Hi", "https://例え.jp/パス", "192.168.0.1:443 [::1]:8080"]:
        add(s)

    # --- code ------------------------------------------------------------------
    for s in [
        'func greet(_ name: String) -> String {\n    return "Hello, \\(name)!"\n}',
        "let xs = [1, 2, 3].map { $0 * 2 }.filter { $0 > 2 }",
        "struct Point: Codable, Hashable { var x: Double; var y: Double }",
        "guard let url = URL(string: s) else { throw LoreError.invalidURL(s) }",
        "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n",
        "import numpy as np\nprint(np.zeros((3, 4)).shape)  # (3, 4)",
        "lambda x: x**2 if x >= 0 else -x",
        "SELECT id, title FROM documents WHERE score >= 0.75 ORDER BY score DESC LIMIT 10;",
        "INSERT INTO chunks (doc_id, text) VALUES (42, 'it''s quoted');",
        '{"name": "Lore", "version": "1.0.0", "tags": ["rag", "swift"], "enabled": true, "ratio": 0.5}',
        '[{"a":1},{"b":[null,false,-3.2e-5]}]',
        '<!DOCTYPE html><html><head><title>Test &amp; Demo</title></head><body><p class="x">Hello&nbsp;world &lt;b&gt; &#169; &#x1F600;</p></body></html>',
        '<a href="https://example.com">link</a><br/><img src="a.png" alt="A &quot;quoted&quot; alt">',
        "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 42); return 0; }",
        "fn main() { let v: Vec<u8> = vec![0xFF; 16]; println!(\"{:?}\", v); }",
        "const f = async (x) => await fetch(`/api/${x}`);",
        "x += 1; y -= 2; z *= 3; w /= 4; a %= 5; b <<= 1; c >>= 2; d &&= e; f ||= g;",
        "if (a != b && c == d || !e) { return a <= b ? c : d; }",
        "SELECT * FROM t WHERE name LIKE '%foo_%' ESCAPE '\\';",
        "# Heading\n\n* item one\n* item two\n\n```swift\nprint(1)\n```",
        "key: value\nlist:\n  - a\n  - b\nnested:\n  inner: 3",
        "$ swift build -c release && .build/release/lore serve --port 8080",
        "__init__ __main__ _private snake_case_var",
        "std::vector<std::string> v{\"a\", \"b\"};",
    ]:
        add(s)

    # --- numbers, dates, currency, math ---------------------------------------
    for s in ["0", "42", "3.14159", "-273.15", "1,000,000", "1.000.000,50", "1e-10", "6.022e23",
              "0xDEADBEEF", "0b1010", "+1 (555) 123-4567", "2024-01-15", "15/01/2024", "2024-01-15T13:45:30.123Z",
              "12:30 PM", "Jan 1, 1970 00:00:00 UTC", "€100", "£50.00", "¥1000", "$9.99", "₹500 ₽200 ₩1000 ₿0.5 ¢",
              "100 %", "50%", "∑ ∫ ∂ ∇ √ ∞ ≈ ≠ ≤ ≥ ± × ÷", "x² + y² = z²", "H₂O and CO₂", "E = mc²",
              "α + β = γ", "∀x ∈ ℝ, ∃y: y > x", "½ ¼ ¾ ⅓", "Ⅻ Ⅳ ⅻ Ⅿ", "①②③", "Chapter XII", "3 × 4 = 12",
              "1st 2nd 3rd 4th", "v1.2.3-beta.4+build.5", "°C °F 37.5°", "π ≈ 3.14", "ℵ₀ ℏ ℓ ℮"]:
        add(s)

    # --- punctuation runs -------------------------------------------------------
    for s in ["...", "Wait...what?!", "?!?!", "--", "—", "a—b–c-d", "«Bonjour»", "“smart quotes”",
              "‘single’", "„German“", "「日本語」", "『二重』", "¿Qué? ¡Sí!", "!!!???...,,,;;;:::",
              "()[]{}<>", "@#$%^&*_+=|\\/~`", "…", "• bullet · middot", "§ ¶ † ‡ ※", "<<>> ><", "***bold***",
              "~~strike~~", "—— ––", "﹏ ＿", "・ 。 、"]:
        add(s)

    # --- fullwidth / compatibility ----------------------------------------------
    for s in ["ＡＢＣ", "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ １２３", "Ｈｅｌｌｏ，ｗｏｒｌｄ！", "㍿ ㈱ ㎞ ㎏",
              "ℌ𝔢𝔩𝔩𝔬", "𝐁𝐨𝐥𝐝 𝑖𝑡𝑎𝑙𝑖𝑐", "Ⓐⓑⓒ", "ᴬᴮᶜ", "x²³⁴", "H₀", "ǲ", "™ ® ©", "℃ ℉ Ω K Å"]:
        add(s)

    # --- special tokens appearing literally in text ------------------------------
    for s in ["[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]", "hello [MASK] world", "a[SEP]b",
              "[cls] lowercase special", "[ CLS ]", "[CLS][SEP][MASK]", "##ing", "##"]:
        add(s)

    # --- truncation ----------------------------------------------------------------
    base = ("Lore is a retrieval-augmented generation service written in Swift. "
            "It ingests documents, splits them into chunks, embeds each chunk with a small "
            "sentence-transformer model, and stores the vectors for fast similarity search. ")
    add(base * 6)   # ~ 200+ tokens (near the limit)
    add(base * 10)  # > 256 tokens
    add(" ".join(str(i) for i in range(400)))
    add("word " * 254)  # 254 words + 2 specials = 256 exactly
    add("word " * 255)  # 257 -> truncated to 256
    add("word " * 253)  # 255
    add("unbelievably " * 100)  # multi-piece words cut mid-word
    add("中文" * 200)
    add("😀 " * 300)
    add(("Ünïcödé façade naïve " * 40).strip())
    return c


def random_mixes(n, seed=20240601):
    rng = random.Random(seed)
    pools = [
        ["hello", "world", "Swift", "retrieval", "Embedding", "QUERY", "token", "chunk", "the", "of",
         "unbelievable", "Lore", "vector", "search", "index", "model", "MiniLM"],
        ["café", "naïve", "Ångström", "Zürich", "façade", "Straße", "İstanbul", "ﬁle", "x²", "Ⅻ", "ＡＢＣ",
         "e\u0301", "\u1100\u1161\u11a8"],
        ["Καλημέρα", "Привет", "مرحبا", "שלום", "नमस्ते", "สวัสดี", "你好", "世界", "こんにちは", "カタカナ", "안녕하세요"],
        ["😀", "👍🏽", "👨\u200d👩\u200d👧", "🇯🇵", "❤️", "🔥", "🫠"],
        ["\x00", "\x07", "\x1b", "\u200b", "\u00ad", "\ufeff", "\u0085", "\u00a0", "\u2028", "\t", "\n", "\r\n", "  "],
        ["https://example.com/a?b=c", "me@example.org", "/usr/bin/env", "C:\\tmp\\x.txt"],
        ["func f() {}", "x += 1", "SELECT *", "{\"k\": [1, 2]}", "<p>&amp;</p>", "a->b", "i++", "def g(x):"],
        ["42", "3.14", "-7", "1,234", "2024-06-01", "€5", "£3", "¥900", "$1.50", "∑", "≤", "×", "½"],
        ["...", "?!", "--", "—", "«»", "“”", "!!!", "()", "[]", "#", "@", "%", "&", "*"],
        ["a" * 99, "b" * 100, "c" * 101, "supercalifragilisticexpialidocious", "xqzvbnmkl"],
    ]
    seps = [" ", " ", " ", "", "\t", "\n", ", ", "-", "/"]
    out = []
    for _ in range(n):
        k = rng.randint(1, 14)
        parts = []
        for _ in range(k):
            pool = pools[rng.randrange(len(pools))]
            tok = pool[rng.randrange(len(pool))]
            if rng.random() < 0.2:
                tok = tok.upper()
            elif rng.random() < 0.1:
                tok = tok.title()
            parts.append(tok)
            parts.append(seps[rng.randrange(len(seps))])
        out.append("".join(parts[:-1]))
    # random code points from selected blocks (excluding surrogates)
    blocks = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF),
              (0x590, 0x5FF), (0x600, 0x6FF), (0x900, 0x97F), (0xE00, 0xE7F), (0x1100, 0x11FF),
              (0x2000, 0x206F), (0x2100, 0x22FF), (0x3040, 0x30FF), (0x4E00, 0x4FFF), (0xAC00, 0xAD00),
              (0xFF00, 0xFFEF), (0x1F300, 0x1F64F), (0x0, 0x1F)]
    for _ in range(40):
        length = rng.randint(1, 40)
        chars = []
        for _ in range(length):
            lo, hi = blocks[rng.randrange(len(blocks))]
            chars.append(chr(rng.randint(lo, hi)))
            if rng.random() < 0.15:
                chars.append(" ")
        out.append("".join(chars))
    return out


def load_slow():
    vocab = os.path.join(MODEL_DIR, "vocab.txt")
    try:
        from transformers.models.bert.tokenization_bert_legacy import BertTokenizerLegacy as Slow  # transformers>=5
    except ImportError:
        from transformers import BertTokenizer as Slow  # transformers<5: BertTokenizer is the slow one
    return Slow(vocab, do_lower_case=True)


def main():
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer

    fast = Tokenizer.from_file(os.path.join(MODEL_DIR, "tokenizer.json"))
    fast.no_padding()
    fast.enable_truncation(max_length=MAX_LEN)
    slow = load_slow()
    auto = AutoTokenizer.from_pretrained(MODEL_DIR)

    texts = fixed_cases() + random_mixes(120)
    seen = set()
    uniq = []
    for t in texts:
        if t not in seen:
            seen.add(t)
            uniq.append(t)

    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    n_slow_diff = 0
    n_auto_diff = 0
    n_trunc = 0
    with open(OUT_PATH, "w", encoding="utf-8", newline="\n") as f:
        for t in uniq:
            ids = fast.encode(t, add_special_tokens=True).ids
            slow_ids = slow(t, add_special_tokens=True, truncation=True, max_length=MAX_LEN)["input_ids"]
            auto_ids = auto(t, add_special_tokens=True, truncation=True, max_length=MAX_LEN,
                            padding=False)["input_ids"]
            assert ids[0] == 101 and ids[-1] == 102 and len(ids) <= MAX_LEN, (t, ids)
            if len(ids) == MAX_LEN:
                n_trunc += 1
            rec = {"text": t, "ids": ids}
            if list(slow_ids) != list(ids):
                n_slow_diff += 1
                rec["slow_differs"] = True
                rec["slow_ids"] = list(slow_ids)
            if list(auto_ids) != list(ids):
                n_auto_diff += 1
            f.write(json.dumps(rec, ensure_ascii=True) + "\n")

    print(f"wrote {len(uniq)} cases to {os.path.relpath(OUT_PATH, ROOT)}")
    print(f"cases at max length {MAX_LEN}: {n_trunc}")
    print(f"slow (BertTokenizer, vocab.txt) disagreements: {n_slow_diff}")
    print(f"AutoTokenizer vs tokenizers.Tokenizer disagreements: {n_auto_diff}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
