#!/usr/bin/env python3
"""Lore's PII scanners and Microsoft Presidio, side by side, on a labelled PII set.

    python3 -m venv bench/.venv-pii && bench/.venv-pii/bin/pip install -r bench/requirements-pii.txt
    swiftc -O Sources/LoreGuardrails/PII/*.swift bench/pii-harness/main.swift -o .cache/pii-harness
    bench/.venv-pii/bin/python bench/pii_presidio.py [--set FILE] [--lore .cache/pii-harness] [--no-presidio]
        [--show-dev]

Presidio is run with score_threshold 0 (its default) and 0.4 (its phone recognizer's score), or
the values given with --threshold.

The seven kinds: email, phone, credit_card, iban, us_ssn, ipv4, ipv6 (secrets are left out).
Presidio's entities map as EMAIL_ADDRESS→email, PHONE_NUMBER→phone, CREDIT_CARD→credit_card,
IBAN_CODE→iban, US_SSN→us_ssn, IP_ADDRESS→ipv6 when the span holds ':' else ipv4; others are ignored.

Matching rule (both tools): a positive line is found when a reported span of its kind overlaps the
labelled value and covers the value's first and last digit (for email and ipv6: letter or digit).
(--rule overlap: any overlap, as `lore guard eval` counts.) Every other report of one of the seven
kinds is a false positive: any on a negative line, and on a
positive line one of another kind or one that does not find the value. Duplicate reports (same kind
and span) count once; extra reports that also find the value count neither way.

For pii-faker.jsonl the numbers are given for the development part, the sealed part and both
(sealed: sha256(("lore-split-v1:" + id).encode()).digest()[0] % 2 == 1). --show-dev lists Lore's
misses and false positives in the development part only; sealed lines are only ever counted.

spaCy: no English pipeline (en_core_web_sm/lg) is installable from PyPI under spaCy's own name, and
GitHub is not reachable here, so Presidio runs on spacy.blank("en"): a tokenizer with no NER and no
lemmas. Presidio's pattern recognisers (email, phone via `phonenumbers`, card, IBAN, SSN, IP) do
not need NER; context words, which Presidio matches on lemmas, raise no scores in this setup.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KINDS = ["email", "phone", "credit_card", "iban", "us_ssn", "ipv4", "ipv6"]
PRESIDIO_MAP = {"EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone", "CREDIT_CARD": "credit_card",
                "IBAN_CODE": "iban", "US_SSN": "us_ssn", "IP_ADDRESS": "ip"}


def sealed(item_id):
    return hashlib.sha256(("lore-split-v1:" + item_id).encode()).digest()[0] % 2 == 1


def load(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def significant(kind, value):
    keep = (lambda c: c.isascii() and c.isalnum()) if kind in ("email", "ipv6") else (lambda c: c.isdigit())
    idx = [k for k, c in enumerate(value) if keep(c)]
    return (idx[0], idx[-1]) if idx else (0, len(value) - 1)


RULE = "digits"


def score(items, reports):
    """reports: id -> set of (kind, start, end) in character offsets. Returns per-line outcomes."""
    outcomes = []  # (item, found: bool|None, false positives: list)
    for it in items:
        got = {r for r in reports.get(it["id"], ()) if r[0] in KINDS}
        kind, value = it["kind"], it["value"]
        if kind not in KINDS:  # negative line, or a secret kind: not scored as a positive
            outcomes.append((it, None, sorted(got) if kind is None else []))
            continue
        start = it["text"].index(value)
        first, last = significant(kind, value)
        lo, hi = start + first, start + last
        finds = {r for r in got if r[0] == kind and r[1] < start + len(value) and r[2] > start
                 and (RULE == "overlap" or (r[1] <= lo and r[2] > hi))}
        outcomes.append((it, bool(finds), sorted(got - finds)))
    return outcomes


def table(outcomes):
    pos = {k: 0 for k in KINDS}
    tp = {k: 0 for k in KINDS}
    fp = {k: 0 for k in KINDS}
    for it, found, fps in outcomes:
        if found is not None:
            pos[it["kind"]] += 1
            tp[it["kind"]] += found
        for r in fps:
            fp[r[0]] += 1
    rows = {}
    for k in KINDS + ["all"]:
        p = sum(pos.values()) if k == "all" else pos[k]
        t = sum(tp.values()) if k == "all" else tp[k]
        f = sum(fp.values()) if k == "all" else fp[k]
        rows[k] = (p, t, f, t / p if p else float("nan"), t / (t + f) if t + f else float("nan"))
    return rows


def print_tables(name, outcomes, split):
    parts = [("all", outcomes)]
    if split:
        parts = [("dev", [o for o in outcomes if not sealed(o[0]["id"])]),
                 ("sealed", [o for o in outcomes if sealed(o[0]["id"])]), ("all", outcomes)]
    for part, outs in parts:
        rows = table(outs)
        negs = sum(1 for o in outs if o[1] is None and o[0]["kind"] is None)
        flagged = sum(1 for o in outs if o[1] is None and o[0]["kind"] is None and o[2])
        print(f"\n{name} [{part}]  negatives flagged: {flagged}/{negs}")
        print(f"  {'kind':<12}{'pos':>5}{'found':>7}{'FP':>5}{'recall':>9}{'precision':>11}")
        for k, (p, t, f, r, pr) in rows.items():
            print(f"  {k:<12}{p:>5}{t:>7}{f:>5}{r:>9.3f}{pr:>11.3f}")


def lore_reports(binary, path, items):
    out = subprocess.run([binary], stdin=open(path, "rb"), capture_output=True, check=True).stdout.decode()
    texts = {it["id"]: it["text"] for it in items}
    reports = {}
    for line in out.splitlines():
        parts = line.split("\t")
        if parts[1] == "-":
            continue
        item_id, kind, b0, b1 = parts[0], parts[1], int(parts[2]), int(parts[3])
        raw = texts[item_id].encode()
        c0, c1 = len(raw[:b0].decode()), len(raw[:b1].decode())
        reports.setdefault(item_id, set()).add((kind, c0, c1))
    return reports


def presidio_reports(items, threshold):
    import logging
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)  # no network: it uses its bundled suffix list
    import spacy
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    blank = os.path.join(ROOT, ".cache", "spacy-blank-en")
    if not os.path.exists(blank):
        spacy.blank("en").to_disk(blank)
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": blank}]})
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    entities = list(PRESIDIO_MAP)
    reports = {}
    for it in items:
        for r in analyzer.analyze(text=it["text"], language="en", entities=entities, score_threshold=threshold):
            kind = PRESIDIO_MAP[r.entity_type]
            if kind == "ip":
                kind = "ipv6" if ":" in it["text"][r.start:r.end] else "ipv4"
            reports.setdefault(it["id"], set()).add((kind, r.start, r.end))
    return reports


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default=os.path.join(ROOT, "Tests/Fixtures/guardrails/pii-faker.jsonl"))
    ap.add_argument("--lore", help="the PII harness binary (bench/pii-harness/main.swift)")
    ap.add_argument("--no-presidio", action="store_true")
    ap.add_argument("--threshold", type=float, action="append",
                    help="Presidio score threshold(s) (default: 0, Presidio's own default, and 0.4)")
    ap.add_argument("--show-dev", action="store_true", help="list dev-part misses and false positives")
    ap.add_argument("--rule", choices=["digits", "overlap"], default="digits",
                    help="digits (default): a find must cover the value's digits; overlap: any overlap "
                         "(the rule of `lore guard eval`)")
    args = ap.parse_args()
    global RULE
    RULE = args.rule
    items = load(args.set)
    split = all(it["id"].startswith("pf-") for it in items)
    print(f"set: {os.path.relpath(args.set, ROOT)} ({len(items)} lines)")
    if args.lore:
        outcomes = score(items, lore_reports(args.lore, args.set, items))
        print_tables("Lore", outcomes, split)
        if args.show_dev:
            show_dev("Lore", outcomes, split)
    if not args.no_presidio:
        for threshold in args.threshold or [0.0, 0.4]:
            outcomes = score(items, presidio_reports(items, threshold))
            print_tables(f"Presidio (score >= {threshold})", outcomes, split)
            if args.show_dev:
                show_dev(f"Presidio (score >= {threshold})", outcomes, split)


def show_dev(name, outcomes, split):
    print(f"\n{name}, development part only:")
    for it, found, fps in outcomes:
        if split and sealed(it["id"]):
            continue
        if found is False:
            print(f"  MISS {it['id']} {it['kind']}: {it['value']!r} in {it['text']!r}")
        for r in fps:
            print(f"  FP   {it['id']} {r[0]}: {it['text'][r[1]:r[2]]!r} in {it['text']!r}")


if __name__ == "__main__":
    sys.exit(main())
