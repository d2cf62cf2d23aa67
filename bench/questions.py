"""Question streams for bench/batching, written from a corpus's own words (load only).

Usage: python3 bench/questions.py CORPUS_DIR OUT_DIR [COUNT]
Writes OUT_DIR/distinct.jsonl (COUNT, by default 3,000, different questions) and OUT_DIR/zipf.jsonl (3,000
draws from 300 questions, Zipf weights with s 1.1), one {"question": ...} body per line.
Seeded: the same corpus gives the same streams. Nothing here is an evaluation item: the
questions pair words that occur in the corpus's files under a few fixed question shapes.
"""
import json
import os
import random
import re
import sys

corpus, out = sys.argv[1], sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
words = set()
for root, _, files in os.walk(corpus):
    for name in sorted(files):
        try:
            text = open(os.path.join(root, name), encoding="utf-8").read()
        except (UnicodeDecodeError, OSError):
            continue
        if name.endswith((".html", ".htm")):  # the words of the page, not of its markup
            text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
            text = re.sub(r"<[^>]*>|&[#\w]+;", " ", text)
        words.update(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]{4,}", text))
words = sorted(words)
rng = random.Random(21)
shapes = [
    "How does {a} relate to {b}?",
    "What happens to {a} when {b} changes?",
    "Why would I configure {a} with {b}?",
    "Where is {a} described, and how does it use {b}?",
    "What is the difference between {a} and {b}?",
]
seen = set()
questions = []
while len(questions) < count:
    q = rng.choice(shapes).format(a=rng.choice(words), b=rng.choice(words))
    if q not in seen:
        seen.add(q)
        questions.append(q)
with open(os.path.join(out, "distinct.jsonl"), "w", encoding="utf-8") as f:
    for q in questions:
        f.write(json.dumps({"question": q}) + "\n")
pool = questions[:300]
weights = [1 / (rank + 1) ** 1.1 for rank in range(len(pool))]
with open(os.path.join(out, "zipf.jsonl"), "w", encoding="utf-8") as f:
    for q in rng.choices(pool, weights=weights, k=3000):
        f.write(json.dumps({"question": q}) + "\n")
print(f"bench/questions.py: {len(words)} words, {count} distinct questions, 3000 Zipf draws from 300", file=sys.stderr)
