"""Shared helpers of the injection-classifier pipeline.

Used by scripts/guard-corpora (builds the labelled data), scripts/train-guard (trains the
weights file) and bench/guardrails_injection.py (the cross-corpus benchmark). Standard library
only, so guard-corpora runs without the venv.
"""
import hashlib
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, ".cache", "guard")
VENV = os.path.join(ROOT, ".cache", "guard-venv")
DATA_DIR = os.path.join(ROOT, "scripts", "guard-data")
REQUIREMENTS = os.path.join(ROOT, "scripts", "requirements-guard.txt")
LORE = os.environ.get("LORE_BIN", os.path.join(ROOT, ".build", "release", "lore"))

ATTACK_CORPORA = ["pyrit", "spikee", "deepteam", "agentdojo"]
SPLIT_SALT = "lore-split-v1:"
SPLIT_RULE = ('part(key) = "sealed" if sha256(("lore-split-v1:" + key).encode()).digest()[0] % 2 == 1 '
              'else "dev"; key = the example id = corpus + ":" + sha256(text)[:16]')
MAX_CHARS = 2000

TRIGGER_WORDS = ["ignore", "instruction", "instructions", "override", "disregard", "forget", "prompt",
                 "system", "role", "pretend", "act as", "assistant", "previous", "bypass", "admin",
                 "sudo", "execute", "print", "reveal", "secret"]
TRIGGER_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in TRIGGER_WORDS) + r")\b", re.I)


def part(key):
    """The committed split rule: "sealed" or "dev"."""
    return "sealed" if hashlib.sha256((SPLIT_SALT + key).encode()).digest()[0] % 2 == 1 else "dev"


def text_hash(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def make_id(corpus, text):
    return corpus + ":" + text_hash(text)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def has_trigger(text):
    return TRIGGER_RE.search(text) is not None


def clean(text):
    """Normalises whitespace at the ends and caps the length at MAX_CHARS (at a space if one is near)."""
    text = text.replace("\r\n", "\n").strip()
    if len(text) > MAX_CHARS:
        cut = text[:MAX_CHARS]
        sp = cut.rfind(" ", MAX_CHARS - 200)
        text = cut[:sp] if sp > 0 else cut
    return text


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


# ---------------------------------------------------------------- language (script + stopwords)

_STOP = {
    "en": "the and you to of is that it for are with this your not be on as have what all do",
    "es": "el la de que y los las en por para una con no es su lo como más pero sus del",
    "fr": "le la les de des et est que une pour dans vous pas sur qui au avec ce il ne",
    "de": "der die das und ist nicht ich sie zu den mit ein eine auf für sich du von dem",
    "it": "il la di che e non per una sono con del della le gli questo come ma più ti",
    "pt": "o a de que e do da em um para não uma os no se na com por mais você",
    "nl": "de het een en van is dat niet je ik op te zijn met voor er die aan",
    "zu": "ukuthi futhi kanye ngoba uma noma kodwa yini lokho wena ngiyabonga ngicela kuyo kwi",
    "gd": "agus an na a tha air gu sin is ann bho mar seo aig ach nach cha gun",
    "ga": "agus an na ar is le go ní tá sé sí atá don mar seo ach bhí chun",
    "sq": "dhe të në një për që është me nga së nuk do i e ju ka si por",
    "id": "dan yang di ini itu untuk dengan tidak ada dari saya anda akan",
    "tr": "ve bir bu da de için ile ne çok gibi daha olan değil sen ben",
}
_STOP = {k: set(v.split()) for k, v in _STOP.items()}
_WORD = re.compile(r"[^\W\d_]+", re.U)


def guess_lang(text):
    """ISO 639-1 guess: the dominant non-Latin script, else the stopword list with most hits.
    Texts that are mostly symbols or encodings return "und"."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 3:
        return "und"
    scripts = {}
    for c in letters:
        o = ord(c)
        if 0x0400 <= o <= 0x04FF: s = "ru"
        elif 0x0600 <= o <= 0x06FF: s = "ar"
        elif 0x0590 <= o <= 0x05FF: s = "he"
        elif 0x0900 <= o <= 0x097F: s = "hi"
        elif 0x0E00 <= o <= 0x0E7F: s = "th"
        elif 0x0370 <= o <= 0x03FF: s = "el"
        elif 0x3040 <= o <= 0x30FF: s = "ja"
        elif 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF: s = "ko"
        elif 0x4E00 <= o <= 0x9FFF: s = "zh"
        elif o < 0x250: s = "latin"
        else: s = "other"
        scripts[s] = scripts.get(s, 0) + 1
    top = max(scripts, key=scripts.get)
    if top == "zh" and scripts.get("ja", 0) > 0:
        top = "ja"
    if top != "latin":
        return top if top != "other" else "und"
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return "und"
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOP.items()}
    best = max(scores, key=lambda k: (scores[k], k == "en"))
    if scores[best] == 0:
        return "en" if all(ord(c) < 128 for c in text) else "und"
    return best


# ---------------------------------------------------------------- attack family (content heuristics)

_FAMILY_RULES = [
    ("tag_smuggling", re.compile("[\U000E0000-\U000E007F]")),
    ("markdown_exfiltration", re.compile(r"!\[[^\]]*\]\(\s*https?://|\]\(https?://[^)]*(\?|%|\[)", re.I)),
    ("html_js_output", re.compile(r"<\s*(script|img|svg|iframe|a\s+href)|onerror\s*=|onload\s*=|javascript:", re.I)),
    ("fake_turns", re.compile(r"(^|\n)\s*(#+\s*)?(system|assistant|user|human|ai)\s*(message)?\s*:|<\|im_start\|>|\[/?INST\]|<\|(system|user|assistant)\|>|###\s*\(?system", re.I)),
    ("prompt_extraction", re.compile(r"(system|initial|original|hidden|secret|previous)\s+(prompt|instructions?|message)|"
                                     r"(reveal|repeat|print|show|output|tell me|share|what (are|were)|dump|leak)\b.{0,40}\b(instructions|prompt|configuration|api key|password|secret)|"
                                     r"text above|everything above|words above", re.I)),
    ("override", re.compile(r"\b(ignore|disregard|forget|override|overrid|bypass)\b.{0,60}\b(instructions?|rules?|guidelines?|directives?|prompts?|constraints?|above|previous|prior|policy|policies|restrictions?)|"
                            r"new (important )?instructions|important instructions|<information>|before you can solve the task", re.I)),
    ("jailbreak_roleplay", re.compile(r"\b(DAN|jailbreak|jailbroken|developer mode|do anything now|pretend|role-?play|roleplay|act as|you are now|from now on|persona|in character|stay in character|unfiltered|uncensored|no (ethical|moral)|without (any )?(restrictions|filters?|censorship)|hypothetical|fictional|story)\b", re.I)),
]


def guess_family(text, lang=None):
    if lang and lang not in ("en", "und"):
        return "multilingual"
    for name, rx in _FAMILY_RULES:
        if rx.search(text):
            return name
    return "other"


# ---------------------------------------------------------------- encodings (for the "encoded" family)

MORSE = {"a": ".-", "b": "-...", "c": "-.-.", "d": "-..", "e": ".", "f": "..-.", "g": "--.", "h": "....",
         "i": "..", "j": ".---", "k": "-.-", "l": ".-..", "m": "--", "n": "-.", "o": "---", "p": ".--.",
         "q": "--.-", "r": ".-.", "s": "...", "t": "-", "u": "..-", "v": "...-", "w": ".--", "x": "-..-",
         "y": "-.--", "z": "--..", "0": "-----", "1": ".----", "2": "..---", "3": "...--", "4": "....-",
         "5": ".....", "6": "-....", "7": "--...", "8": "---..", "9": "----.", ".": ".-.-.-", ",": "--..--",
         "?": "..--..", "'": ".----.", "!": "-.-.--", ":": "---...", "=": "-...-", "-": "-....-"}


def encode(kind, text):
    import base64
    import codecs
    if kind == "base64":
        return base64.b64encode(text.encode()).decode()
    if kind == "hex":
        return text.encode().hex()
    if kind == "rot13":
        return codecs.encode(text, "rot13")
    if kind == "morse":
        return " / ".join(" ".join(MORSE[c] for c in w if c in MORSE) for w in text.lower().split())
    if kind == "tag_smuggling":
        return "".join(chr(0xE0000 + ord(c)) for c in text if ord(c) < 128)
    if kind == "leetspeak":
        table = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7", "A": "4", "E": "3",
                               "I": "1", "O": "0", "S": "5", "T": "7"})
        return text.translate(table)
    raise ValueError(kind)


# ---------------------------------------------------------------- the venv and the lore binary

def venv_python():
    return os.path.join(VENV, "bin", "python")


def ensure_venv():
    """Re-executes the calling script under .cache/guard-venv (created from the pinned requirements)."""
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    if not os.path.exists(venv_python()):
        print("==> creating %s from %s" % (os.path.relpath(VENV, ROOT), os.path.relpath(REQUIREMENTS, ROOT)), file=sys.stderr)
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([os.path.join(VENV, "bin", "pip"), "install", "-q", "-r", REQUIREMENTS])
    os.execv(venv_python(), [venv_python()] + sys.argv)


def lore_feature_names():
    out = subprocess.run([LORE, "guard", "features", "--names"], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip())


def lore_features(rows, batch_file):
    """Feature vectors for rows ({text, where}) from `lore guard features` (same order)."""
    write_jsonl(batch_file, [{"text": r["text"], "where": r["where"]} for r in rows])
    proc = subprocess.run([LORE, "guard", "features", "--file", batch_file], check=True, capture_output=True, text=True)
    vecs = [json.loads(line) for line in proc.stdout.splitlines() if line.strip().startswith("[")]
    if len(vecs) != len(rows):
        raise SystemExit("lore guard features returned %d vectors for %d inputs" % (len(vecs), len(rows)))
    return vecs


# ---------------------------------------------------------------- the feature cache (numpy needed)

FEATURES = None   # .cache/guard/features-<sha256(feature names)[:12]>.npz, one per feature set


def features_path(names):
    if FEATURES:
        return FEATURES
    return os.path.join(CACHE, "features-%s.npz" % hashlib.sha256(json.dumps(names).encode()).hexdigest()[:12])


def feature_key(row):
    return hashlib.sha256((row["where"] + "\0" + row["text"]).encode("utf-8")).hexdigest()[:24]


def load_cache(path):
    if not os.path.exists(path):
        return None, {}, None
    import numpy as np
    z = np.load(path, allow_pickle=False)
    names = json.loads(str(z["names"]))
    return names, {k: i for i, k in enumerate(z["keys"].tolist())}, z["X"]


def features_for(rows, batch=1000):
    """The feature matrix of rows, from the cache or `lore guard features` (what is missing is added)."""
    import numpy as np
    names = lore_feature_names()
    path = features_path(names)
    cached_names, index, X = load_cache(path)
    if cached_names != names:
        index, X = {}, np.zeros((0, len(names)), dtype=np.float32)
    missing, seen = [], set()
    for r in rows:
        k = feature_key(r)
        if k not in index and k not in seen:
            seen.add(k)
            missing.append(r)
    if missing:
        keys = list(index.keys())
        for s in range(0, len(missing), batch):
            part = missing[s:s + batch]
            print("  lore guard features: %d-%d of %d" % (s + 1, s + len(part), len(missing)), file=sys.stderr)
            V = np.asarray(lore_features(part, os.path.join(CACHE, "features-batch.jsonl")), dtype=np.float32)
            X = np.vstack([X, V])
            keys += [feature_key(r) for r in part]
            np.savez(path + ".tmp.npz", keys=np.array(keys), X=X, names=json.dumps(names))
            os.replace(path + ".tmp.npz", path)
        index = {k: i for i, k in enumerate(keys)}
    return names, X[[index[feature_key(r)] for r in rows]]


# ---------------------------------------------------------------- document windows

WINDOW_MAX_BYTES, WINDOW_MIN_WORDS, WINDOW_MAX = 160, 6, 16   # as InjectionWindows.swift


def _words(b, lo, hi):
    """Words in b[lo:hi]: runs of letters and digits (any non-ASCII byte counts as a letter)
    of two or more bytes and no digit, so that a hash or an identifier with digits is none."""
    n = run = 0
    digit = False
    for c in b[lo:hi] + b" ":
        if (0x41 <= c <= 0x5A) or (0x61 <= c <= 0x7A) or c >= 0x80:
            run += 1
        elif 0x30 <= c <= 0x39:
            run += 1
            digit = True
        else:
            n += run >= 2 and not digit
            run = 0
            digit = False
    return n


def windows(text):
    """The texts of a document's windows, exactly as InjectionWindows.swift cuts them (UTF-8
    byte ranges: breaks at blank lines and after . ! ? ; : before white space; a piece of
    fewer than 6 words (letters only: a hash is none) is joined to the next, the last to the one before; pieces of one
    paragraph packed up to 160 bytes; packed coarser past 16 windows); [] when the text is
    one window."""
    b = text.encode("utf-8")
    n = len(b)
    ws = (0x20, 0x09, 0x0D, 0x0A)
    pieces, start, para, i = [], 0, 0, 0

    def emit(lo, hi):
        while lo < hi and b[lo] in ws:
            lo += 1
        while hi > lo and b[hi - 1] in ws:
            hi -= 1
        if lo < hi:
            pieces.append((lo, hi, para))

    while i < n:
        c = b[i]
        if c == 0x0A:
            j = i + 1
            while j < n and b[j] in (0x20, 0x09, 0x0D):
                j += 1
            if j < n and b[j] == 0x0A:
                emit(start, i)
                para += 1
                start = i = j + 1
                continue
        elif c in (0x2E, 0x21, 0x3F, 0x3B, 0x3A) and i + 1 < n and b[i + 1] in ws:
            emit(start, i + 1)
            start = i + 1
        i += 1
    emit(start, n)

    limit = WINDOW_MAX_BYTES
    while True:
        out = []
        for p in pieces:
            if out and (_words(b, out[-1][0], out[-1][1]) < WINDOW_MIN_WORDS
                        or (out[-1][2] == p[2] and p[1] - out[-1][0] <= limit)):
                out[-1] = (out[-1][0], p[1], p[2])
            else:
                out.append(p)
        if len(out) >= 2 and _words(b, out[-1][0], out[-1][1]) < WINDOW_MIN_WORDS:
            out[-2:] = [(out[-2][0], out[-1][1], out[-1][2])]
        if len(out) <= WINDOW_MAX:
            break
        limit *= 2
        pieces = out
        if limit > 4 * WINDOW_MAX_BYTES:
            while len(out) > WINDOW_MAX:
                out = [(out[k][0], out[k + 1][1], out[k + 1][2]) if k + 1 < len(out) else out[k] for k in range(0, len(out), 2)]
            break
    return [b[lo:hi].decode("utf-8", "replace") for lo, hi, _ in out] if len(out) >= 2 else []
