#!/usr/bin/env python3
"""The injection classifier across attack corpora: train on some corpora, test on the others.

Folds (the attack corpora are pyrit, spikee, deepteam and agentdojo; docs/GUARD-DATA.md):
  A     train pyrit,deepteam   -> test spikee,agentdojo
  B     train spikee,agentdojo -> test pyrit,deepteam
  loco  leave one corpus out: train three, test the fourth (four folds)
Each fold runs `scripts/train-guard --train-corpora X,Y --out .cache/guard/fold-NAME.json` (the
benign training examples are always the dev part), then scores the held-out corpora's attacks
and the sealed benign examples (Debian doc passages and generated questions, most with trigger
words) twice:
  classifier   the classifier alone, in Python, over Lore's cached feature vectors (a document's
               windows too, against the file's window threshold);
  detector     the whole detector, `lore guard eval --injection-set ... --injection-model ...`
               (classifier + structural checks + decode-and-reclassify of encoded runs).
Prints aggregates only (no texts): detection and false-positive rates overall, per family,
per language and per where. Goal: detection >= 0.90 at <= 1% false positives.

Usage: bench/guardrails_injection.py [--folds A,B,loco] [--model logistic_regression|mlp] [--c C]
                                     [--benign N] [--classifier-only] [--loco-detector] [--final]
  --benign N   sealed benign examples scored by `lore guard eval` per fold (a seeded sample,
               default 2400; the classifier-only column always uses all of them)
  --loco-detector  also run `lore guard eval` on the leave-one-corpus-out folds (slow: it embeds
               every test text again; by default they are scored by the classifier alone)
  --final      also train the shipped model on all four corpora
               (Sources/LoreGuardrails/Resources/injection-classifier.json)
Environment: LORE_BIN (default .build/release/lore)
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
import guard_common as gc  # noqa: E402

gc.ensure_venv()
import numpy as np  # noqa: E402

FOLDS = {"A": ["pyrit", "deepteam"], "B": ["spikee", "agentdojo"]}
TRAIN = os.path.join(gc.ROOT, "scripts", "train-guard")


def classifier_scores(model, X):
    Z = (X - np.array(model["mean"])) / np.array(model["scale"])
    for layer in model["layers"]:
        W = np.array(layer["weights"]).reshape(layer["out"], layer["in"])
        Z = Z @ W.T + np.array(layer["bias"])
        Z = np.maximum(Z, 0) if layer["activation"] == "relu" else 1 / (1 + np.exp(-Z))
    return Z[:, 0]


def rate(hits, total):
    return "%5.3f (%d/%d)" % (hits / total if total else 0.0, hits, total)


def group_rates(rows, flags, key):
    out = {}
    for r, f in zip(rows, flags):
        k = r.get(key) if not callable(key) else key(r)
        h, t = out.get(k, (0, 0))
        out[k] = (h + int(f), t + 1)
    return out


def lore_eval(test_file, model_file):
    cmd = [gc.LORE, "guard", "eval", "--injection-set", test_file, "--injection-model", model_file, "--json"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print("  lore guard eval failed (%d): %s" % (p.returncode, p.stderr.strip()[-400:]), file=sys.stderr)
        return None
    try:
        o = json.loads(p.stdout)
        if "injection" not in o:            # keyed by set path
            o = next(iter(o.values()))
        inj = o["injection"]
        return {re.sub(r"([A-Z])", r"_\1", k).lower(): v for k, v in inj.items()}
    except (ValueError, KeyError, TypeError, StopIteration):
        print("  lore guard eval: unexpected output", file=sys.stderr)
        return None


def print_table(title, cls, det, order=None):
    """cls: {key: (hits, total)} from the classifier; det: {key: {hits, total}} from lore, or None."""
    keys = order or sorted(set(cls) | set(det or {}), key=lambda k: (-(cls.get(k, (0, 0))[1]), str(k)))
    print("  %-28s %-22s %s" % (title, "classifier", "detector" if det is not None else ""))
    for k in keys:
        c = cls.get(k)
        d = (det or {}).get(k)
        print("  %-28s %-22s %s" % (k, rate(*c) if c else "-", rate(d["hits"], d["total"]) if d else ("-" if det is not None else "")))


def run_fold(name, train, test, attacks, benign_sealed, benign_eval, a):
    out = os.path.join(gc.CACHE, "fold-%s.json" % name)
    cmd = [TRAIN, "--train-corpora", ",".join(train), "--out", out, "--model", a.model, "--c", str(a.c)]
    subprocess.check_call(cmd)
    with open(out) as f:
        model = json.load(f)
    t = model["threshold"]
    test_att = [r for r in attacks if r["corpus"] in test]
    rows = test_att + benign_sealed
    names, X = gc.features_for(rows)
    if names != model["feature_names"]:
        raise SystemExit("bench: %s was trained on other features than `lore guard features` now gives "
                         "(was the binary rebuilt meanwhile?): run again" % out)
    s = classifier_scores(model, X.astype(np.float64))
    flag = s >= t
    # A document's windows, each against the window threshold (as the ingest-time scan does).
    tw = model.get("window_threshold", t)
    wins = [(i, {"text": w, "where": "document"}) for i, r in enumerate(rows) if r["where"] == "document" for w in gc.windows(r["text"])]
    if wins:
        _, XW = gc.features_for([w for _, w in wins])
        for (i, _), p in zip(wins, classifier_scores(model, XW.astype(np.float64))):
            flag[i] |= p >= tw
    att_flag, ben_flag = flag[:len(test_att)], flag[len(test_att):]

    det = None
    if not a.classifier_only:
        test_file = os.path.join(gc.CACHE, "fold-%s-test.jsonl" % name)
        keep = ("id", "text", "label", "where", "lang", "family", "corpus")
        rows_out = [{k: r[k] for k in keep} for r in test_att + benign_eval]
        for r in rows_out[len(test_att):]:      # benign families split by trigger words
            r["family"] += "+trigger" if gc.has_trigger(r["text"]) else ""
        gc.write_jsonl(test_file, rows_out)
        print("  lore guard eval: %d attacks + %d benign sealed" % (len(test_att), len(benign_eval)), file=sys.stderr)
        det = lore_eval(test_file, out)

    print()
    print("== fold %s: train %s -> test %s   (threshold %.3f, windows %.3f, %s)" % (name, "+".join(train), "+".join(test), t, tw, a.model))
    print("  %-28s %-22s %s" % ("", "classifier", "detector"))
    print("  %-28s %-22s %s" % ("detection (attacks)", rate(int(att_flag.sum()), len(att_flag)),
                                "%5.3f (n=%d)" % (det["detection_rate"], det["attacks"]) if det else ""))
    print("  %-28s %-22s %s" % ("false positives (benign)", rate(int(ben_flag.sum()), len(ben_flag)),
                                "%5.3f (n=%d)" % (det["false_positive_rate"], det["benign"]) if det else ""))
    in_sample = {r["id"] for r in benign_eval}
    sample_flag = [f for r, f in zip(benign_sealed, ben_flag) if r["id"] in in_sample]
    print("  %-28s %-22s %s" % ("FP on the detector's sample", rate(int(sum(sample_flag)), len(sample_flag)), ""))
    trig = group_rates(benign_sealed, ben_flag, lambda r: "%s, trigger=%s" % (r["family"], r["trigger"]))
    print_table("benign FP by kind", trig, None)
    print_table("detection by corpus", group_rates(test_att, att_flag, "corpus"), det and det.get("detection_by_corpus"))
    print_table("detection by family", group_rates(test_att, att_flag, "family"), det and det.get("detection_by_family"))
    print_table("detection by lang", group_rates(test_att, att_flag, "lang"), det and det.get("detection_by_language"))
    print_table("detection by where", group_rates(test_att, att_flag, "where"), det and det.get("detection_by_where"))
    print_table("detection, bare or planted", group_rates(test_att, att_flag, lambda r: "planted in a doc chunk" if r.get("planted") else "bare"), None)
    if det:
        print_table("detector FP by family", {}, det.get("false_positive_by_family"))
        print_table("detector FP by where", {}, det.get("false_positive_by_where"))
    return {"fold": name, "classifier_detection": float(att_flag.mean()), "classifier_fp": float(ben_flag.mean()),
            "detector_detection": det and det["detection_rate"], "detector_fp": det and det["false_positive_rate"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folds", default="A,B,loco")
    ap.add_argument("--model", default="logistic_regression", choices=["logistic_regression", "mlp"])
    ap.add_argument("--c", type=float, default=0.1)
    ap.add_argument("--benign", type=int, default=2400)
    ap.add_argument("--classifier-only", action="store_true")
    ap.add_argument("--loco-detector", action="store_true")
    ap.add_argument("--final", action="store_true")
    a = ap.parse_args()
    if not os.access(gc.LORE, os.X_OK):
        raise SystemExit("bench/guardrails_injection.py: no %s: run scripts/build first" % gc.LORE)
    if not os.path.exists(os.path.join(gc.CACHE, "manifest.json")):
        subprocess.check_call([os.path.join(gc.ROOT, "scripts", "guard-corpora")])
    attacks = gc.read_jsonl(os.path.join(gc.CACHE, "attacks.jsonl"))
    benign = gc.read_jsonl(os.path.join(gc.CACHE, "benign.jsonl"))
    benign_sealed = [r for r in benign if r["part"] == "sealed"]
    # the sample lore guard eval scores: every kind in proportion, trigger-word examples first
    r = random.Random("lore-guard-bench")
    trig = [x for x in benign_sealed if x["trigger"]]
    plain = [x for x in benign_sealed if not x["trigger"]]
    r.shuffle(trig)
    r.shuffle(plain)
    n_plain = min(len(plain), a.benign // 6)
    benign_eval = trig[:a.benign - n_plain] + plain[:n_plain]

    folds = []
    for f in a.folds.split(","):
        if f in FOLDS:
            folds.append((f, FOLDS[f], [c for c in gc.ATTACK_CORPORA if c not in FOLDS[f]]))
        elif f == "loco":
            for c in gc.ATTACK_CORPORA:
                folds.append(("loco-" + c, [x for x in gc.ATTACK_CORPORA if x != c], [c]))
        else:
            raise SystemExit("unknown fold %s" % f)
    print("attacks: %d (%s); benign sealed: %d (%d with trigger words); lore guard eval scores %d of them"
          % (len(attacks), ", ".join("%s %d" % (c, sum(1 for x in attacks if x["corpus"] == c)) for c in gc.ATTACK_CORPORA),
             len(benign_sealed), len(trig), len(benign_eval)))
    summary = []
    for name, train, test in folds:
        # leave-one-corpus-out folds are scored by the classifier alone unless --loco-detector
        only = a.classifier_only or (name.startswith("loco-") and not a.loco_detector)
        summary.append(run_fold(name, train, test, attacks, benign_sealed, benign_eval,
                                argparse.Namespace(**dict(vars(a), classifier_only=only))))
    print()
    print("== summary (goal: detection >= 0.90 at false positives <= 0.01)")
    print("  %-18s %-12s %-12s %-12s %-12s" % ("fold", "cls det", "cls FP", "det det", "det FP"))
    for s in summary:
        f = lambda v: "%.3f" % v if v is not None else "-"  # noqa: E731
        print("  %-18s %-12s %-12s %-12s %-12s" % (s["fold"], f(s["classifier_detection"]), f(s["classifier_fp"]),
                                                   f(s["detector_detection"]), f(s["detector_fp"])))
    if a.final:
        print()
        print("==> the shipped model: all four corpora")
        subprocess.check_call([TRAIN, "--model", a.model, "--c", str(a.c)])


if __name__ == "__main__":
    main()
