#!/usr/bin/env python3
"""Helper of bench/documents: Lore's document loaders against Microsoft's MarkItDown.

Subcommands (bench/documents calls them; each can be run by hand with bench/.venv-documents):

  corpus DIR [--docroot D]      make the corpus (once; a stamp in DIR/corpus.json tells whether
                                it is up to date): DOCX, PPTX and XLSX files made from pages of
                                Debian's SQLite documentation, and truth/KIND/NAME.json for each
  markitdown --out OUT FILE...  MarkItDown().convert(FILE).text_content for every file in this
                                one process; OUT gets the texts and the timings (import, init, loop)
  report RECORDS CORPUS RESULT  scores the outputs of the last run, prints the table, writes RESULT

The corpus is made as scripts/make_document_fixtures.py makes the fixtures of the loaders (its
functions are imported from there): each page is stripped of the site's chrome and converted by
LibreOffice (headless, --infilter="HTML (StarWriter)") to DOCX; python-pptx writes one slide per
section of a page; openpyxl writes one sheet per HTML table of a page (plus a sheet of formulas)
and LibreOffice re-saves the workbook so that the formulas have cached values.
"""
import argparse
import collections
import hashlib
import html
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)

# Bump when the way the corpus is made changes (the corpus is rebuilt when the stamp differs).
CORPUS_VERSION = 3
KINDS = ("docx", "pptx", "xlsx")

N_DOCX = 30          # the pages with the most words (see select_pages)
N_PPTX = 15          # of those, the ones with the most level-1 sections (>= 4)
N_XLSX = 10          # the pages with the most tables that have a header row (>= 2)
MIN_PARAS = 20       # "real article text": at least this many <p> paragraphs ...
MAX_WORDS = 25_000   # ... and at most this many words (leaves out requirements.html, capi3ref.html)
SLIDE_BULLETS = 5    # bullets per slide: the first sentences of the section's first paragraphs
SLIDE_NOTES = 3      # sentences in a slide's notes: the second sentences of those paragraphs
SLIDE_TABLE_ROWS = 12
SLIDE_TABLE_CELL = 300

BLOCK_TAGS = {"address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt",
              "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
              "li", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
              "text"}  # <text> of an inline SVG (the syntax diagrams): LibreOffice imports each as words

TOKEN = re.compile(r"[^\W_]+")


def die(msg):
    sys.exit("documents_bench.py: " + msg)


def log(msg):
    print("==> " + msg, file=sys.stderr, flush=True)


def norm(s):
    return " ".join(s.split())


def tokens(text):
    """Lower-cased word tokens: runs of letters and digits (anything else separates)."""
    return TOKEN.findall(text.lower())


def fixtures_module():
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import make_document_fixtures as mdf  # noqa: E402
    return mdf


# ---------------------------------------------------------------- corpus
def visible_text(el, svg=True):
    """The text a reader sees in an lxml element: block elements separated by line breaks,
    <script> and <style> left out. The words of inline SVG diagrams count: LibreOffice's HTML
    import keeps them (as one paragraph per diagram)."""
    out = []

    def walk(n):
        tag = n.tag if isinstance(n.tag, str) else ""
        local = tag.rsplit("}", 1)[-1].lower()
        if local in ("script", "style") or not tag or (local == "svg" and not svg):
            return
        block = local in BLOCK_TAGS
        if block:
            out.append("\n")
        if n.text:
            out.append(n.text)
        for c in n:
            walk(c)
            if c.tail:
                out.append(c.tail)
        if block:
            out.append("\n")

    walk(el)
    return "".join(out)


def page_blocks(el):
    """The page's visible text as a list of block texts (whitespace-collapsed, non-empty)."""
    return [norm(line) for line in visible_text(el).split("\n") if norm(line)]


def html_tables(doc):
    """Every <table> outside another table: rows of whitespace-collapsed cell texts."""
    out = []
    for t in doc.iter("table"):
        if any(a.tag == "table" for a in t.iterancestors()):
            continue
        rows = []
        for tr in t.iter("tr"):
            if next((a for a in tr.iterancestors() if a.tag == "table"), None) is not t:
                continue
            cells = [c for c in tr if c.tag in ("td", "th")]
            if cells:
                rows.append({"th": all(c.tag == "th" for c in cells), "cells": [norm(visible_text(c)) for c in cells]})
        if rows:
            out.append({"rows": [r["cells"] for r in rows], "header": rows[0]["th"]})
    return out


def sqlite_pages(mdf, docroot):
    """Every top-level page the fixture script's Page() can read, with its statistics."""
    import lxml.html
    mdf.SRC = docroot
    seen, pages = set(), []
    for name in sorted(os.listdir(docroot)):
        if not name.endswith(".html"):
            continue
        try:
            page = mdf.Page(name)
        except (AttributeError, SystemExit):  # no heading or no <title>: an index or a stub
            continue
        if page.sha256 in seen:  # fileformat.html and fileformat2.html are the same page
            continue
        seen.add(page.sha256)
        doc = lxml.html.document_fromstring(page.html)
        for br in doc.iter("br"):
            br.tail = " " + (br.tail or "")
        blocks = page_blocks(doc.body)
        pages.append({
            "page": page, "doc": doc, "blocks": blocks,
            "words": len(tokens(visible_text(doc.body, svg=False))),  # the prose, without the diagrams
            "paras": sum(1 for b in page.blocks if b["kind"] == "para"),
            "sections": len(page.sections(1)),
            "header_tables": sum(1 for b in page.blocks if b["kind"] == "table" and b["header"] and b["rows"]),
        })
    return pages


def select_pages(pages):
    article = [p for p in pages if p["paras"] >= MIN_PARAS and p["words"] <= MAX_WORDS]
    by_words = sorted(article, key=lambda p: (-p["words"], p["page"].name))
    docx = by_words[:N_DOCX]
    pptx = sorted((p for p in docx if p["sections"] >= 4), key=lambda p: (-p["sections"], p["page"].name))[:N_PPTX]
    xlsx = sorted((p for p in pages if p["header_tables"] >= 2),
                  key=lambda p: (-p["header_tables"], -p["words"], p["page"].name))[:N_XLSX]
    return docx, pptx, xlsx


def stem(page):
    return os.path.splitext(page.name)[0]


def table_cells(rows):
    return [c for row in rows for c in row if c]


def make_docx(mdf, office, p, tmp, outdir):
    page = p["page"]
    src = os.path.join(tmp, page.name)
    with open(src, "w", encoding="utf-8") as f:
        f.write(page.html)
    made = office.convert(src, "docx:MS Word 2007 XML", os.path.join(tmp, "writer"), infilter="HTML (StarWriter)")
    dst = os.path.join(outdir, stem(page) + ".docx")
    shutil.copyfile(made, dst)
    cells = [c for t in html_tables(p["doc"]) for c in table_cells(t["rows"])]
    return dst, {"text": "\n".join(p["blocks"]), "blocks": p["blocks"], "table_cells": cells}


def slide_plan(mdf, page):
    plan = []
    for head, blocks in page.sections(1):
        paras = [mdf.sentences(b["text"]) for b in blocks if b["kind"] == "para"]
        paras = [s for s in paras if s and s[0]]
        bullets = [s[0] for s in paras[:SLIDE_BULLETS]]
        notes = " ".join(s[1] for s in paras[:SLIDE_BULLETS] if len(s) > 1)
        if not bullets:
            items = [i for b in blocks if b["kind"] == "list" for i in b["items"]]
            bullets = items[:SLIDE_BULLETS]
        if not bullets:
            continue
        if not notes:
            notes = "This slide summarises section %s of %s." % (head["text"].split(" ")[0].rstrip("."), page.title)
        plan.append({"title": mdf.strip_number(head["text"]) or page.title, "bullets": bullets, "notes": " ".join(notes.split()[:120])})
        for b in blocks:
            if b["kind"] == "table" and b["header"] and len(b["rows"]) >= 2:
                rows = [[c[:SLIDE_TABLE_CELL] for c in r] for r in b["rows"][:SLIDE_TABLE_ROWS]]
                width = max(len(r) for r in rows)
                rows = [r + [""] * (width - len(r)) for r in rows]
                sub = page.heading_before(b)
                plan.append({"title": mdf.strip_number(sub["text"]) or page.title, "table": rows,
                             "notes": "A table from %s, section %s." % (page.title, sub["text"])})
    return plan


def make_pptx(mdf, p, outdir):
    import pptx
    from pptx.util import Inches, Pt
    page = p["page"]
    plan = slide_plan(mdf, page)
    prs = pptx.Presentation()
    cp = prs.core_properties
    cp.title, cp.author, cp.last_modified_by = page.title, "bench/documents", "bench/documents"
    cp.created = cp.modified = mdf.FIXED_DATE
    cp.revision = 1
    texts, cells = [], []
    for s in plan:
        if "table" in s:
            slide = prs.slides.add_slide(prs.slide_layouts[5])  # Title Only
            slide.shapes.title.text = s["title"]
            rows = s["table"]
            shape = slide.shapes.add_table(len(rows), len(rows[0]), Inches(0.5), Inches(1.6), Inches(9), Inches(5))
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    cell = shape.table.cell(r, c)
                    cell.text = text
                    for para in cell.text_frame.paragraphs:
                        for run in para.runs:
                            run.font.size = Pt(10)
            texts.append(s["title"])
            texts += table_cells(rows)
            cells += table_cells(rows)
        else:
            slide = prs.slides.add_slide(prs.slide_layouts[1])  # Title and Content
            slide.shapes.title.text = s["title"]
            tf = slide.placeholders[1].text_frame
            tf.text = s["bullets"][0]
            for line in s["bullets"][1:]:
                tf.add_paragraph().text = line
            texts.append(s["title"])
            texts += s["bullets"]
        slide.notes_slide.notes_text_frame.text = s["notes"]
        texts.append(s["notes"])
    dst = os.path.join(outdir, stem(page) + ".pptx")
    with mdf.fixed_zip_time():
        prs.save(dst)
    return dst, {"text": "\n".join(texts), "blocks": texts, "table_cells": cells, "slides": len(plan)}


def sheet_name(text, used):
    name = re.sub(r"[\[\]:*?/\\']", " ", text)
    name = norm(name)[:31].strip() or "Table"
    base, n = name, 2
    while name.lower() in used:
        suffix = " (%d)" % n
        name = base[:31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def make_xlsx(mdf, office, p, tmp, outdir):
    import openpyxl
    page = p["page"]
    tables = [b for b in page.blocks if b["kind"] == "table" and b["header"] and b["rows"]]
    wb = openpyxl.Workbook()
    wb.properties.creator = wb.properties.lastModifiedBy = "bench/documents"
    wb.properties.created = wb.properties.modified = mdf.FIXED_DATE
    wb.remove(wb.active)
    used, sheets, texts, cells = set(), [], [], []
    for t in tables:
        name = sheet_name(mdf.strip_number(page.heading_before(t)["text"]), used)
        ws = wb.create_sheet(name)
        for r, row in enumerate(t["rows"], start=1):
            for c, v in enumerate(row, start=1):
                if not v:
                    continue
                cell = ws.cell(row=r, column=c, value=v)
                cell.data_type = "s"  # a text like "=" or "==" (lang_expr.html) stays text
        nonempty_a = sum(1 for row in t["rows"][1:] if row and row[0])
        sheets.append((name, nonempty_a, len(t["rows"])))
        vals = table_cells(t["rows"])
        texts += vals
        cells += vals
    ws = wb.create_sheet(sheet_name("Summary", used))
    ws.append(["Sheet", "Rows", "Body rows with a first cell"])
    summary = [["Sheet", "Rows", "Body rows with a first cell"]]
    for i, (name, nonempty_a, nrows) in enumerate(sheets, start=2):
        q = "'%s'" % name.replace("'", "''")
        ws.append([name, nrows, "=COUNTA(%s!A2:A%d)" % (q, max(nrows, 2))])
        summary.append([name, str(nrows), str(nonempty_a)])
    total_row = len(sheets) + 2
    ws.append(["Total", "=SUM(B2:B%d)" % (total_row - 1), "=SUM(C2:C%d)" % (total_row - 1)])
    summary.append(["Total", str(sum(s[2] for s in sheets)), str(sum(s[1] for s in sheets))])
    raw_dir = os.path.join(tmp, "openpyxl")
    os.makedirs(raw_dir, exist_ok=True)
    raw = os.path.join(raw_dir, stem(page) + ".xlsx")
    with mdf.fixed_zip_time():
        wb.save(raw)
    final = office.convert(raw, "xlsx:Calc MS Excel 2007 XML", os.path.join(tmp, "calc"))
    # LibreOffice computed the formulas: check the cached values against ours.
    got = openpyxl.load_workbook(final, data_only=True)
    sws = got[got.sheetnames[-1]]
    for r, want in enumerate(summary, start=1):
        have = [sws.cell(row=r, column=c).value for c in (1, 2, 3)]
        have = ["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)) for v in have]
        if have != want:
            die("%s: Summary row %d is %r, expected %r (no cached values?)" % (final, r, have, want))
    dst = os.path.join(outdir, stem(page) + ".xlsx")
    shutil.copyfile(final, dst)
    stexts = table_cells(summary)
    texts += stexts
    cells += stexts
    return dst, {"text": "\n".join(texts), "blocks": texts, "table_cells": cells, "sheets": len(sheets) + 1}


def versions():
    from importlib import metadata
    out = {}
    for p in ("markitdown", "mammoth", "python-pptx", "openpyxl", "pandas", "lxml"):
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = None
    return out


def deb_version(pkg):
    return subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True, text=True).stdout.strip()


def corpus_key(docroot, lo_version):
    from importlib import metadata
    mdf_src = open(os.path.join(ROOT, "scripts", "make_document_fixtures.py"), "rb").read()
    return {
        "corpus_version": CORPUS_VERSION,
        "docroot": docroot,
        "sqlite3_doc": deb_version("sqlite3-doc"),
        "libreoffice": lo_version,
        "python_pptx": metadata.version("python-pptx"),
        "openpyxl": metadata.version("openpyxl"),
        "make_document_fixtures_sha256": hashlib.sha256(mdf_src).hexdigest(),
    }


def cmd_corpus(args):
    out = os.path.abspath(args.dir)
    lo_version = subprocess.run(["soffice", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    key = corpus_key(args.docroot, lo_version)
    stamp = os.path.join(out, "corpus.json")
    try:
        have = json.load(open(stamp, encoding="utf-8"))
        if have.get("key") == key and all(os.path.exists(os.path.join(out, f["path"])) for f in have["files"]):
            print("corpus up to date: %s (%d files)" % (out, len(have["files"])), file=sys.stderr)
            return
    except (OSError, ValueError, KeyError):
        pass
    mdf = fixtures_module()
    log("making the corpus in %s (once; LibreOffice converts about %d files)" % (out, N_DOCX + N_XLSX))
    pages = sqlite_pages(mdf, args.docroot)
    docx, pptx, xlsx = select_pages(pages)
    if len(docx) < N_DOCX or len(pptx) < N_PPTX or len(xlsx) < N_XLSX:
        die("too few pages: %d DOCX, %d PPTX, %d XLSX" % (len(docx), len(pptx), len(xlsx)))
    if os.path.exists(out):
        shutil.rmtree(out)
    for d in KINDS + tuple("truth/" + k for k in KINDS):
        os.makedirs(os.path.join(out, d))
    files = []
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="lore-bench-documents-") as tmp:
        office = mdf.Office(tmp)
        made = []
        for i, p in enumerate(docx, 1):
            log("docx %2d/%d %s" % (i, len(docx), p["page"].name))
            made.append(("docx", p) + make_docx(mdf, office, p, tmp, os.path.join(out, "docx")))
        for i, p in enumerate(pptx, 1):
            log("pptx %2d/%d %s" % (i, len(pptx), p["page"].name))
            made.append(("pptx", p) + make_pptx(mdf, p, os.path.join(out, "pptx")))
        for i, p in enumerate(xlsx, 1):
            log("xlsx %2d/%d %s" % (i, len(xlsx), p["page"].name))
            made.append(("xlsx", p) + make_xlsx(mdf, office, p, tmp, os.path.join(out, "xlsx")))
    for kind, p, path, truth in made:
        name = os.path.basename(path)
        truth.update({"file": kind + "/" + name, "source": p["page"].path, "source_sha256": p["page"].sha256,
                      "title": p["page"].title, "words": len(tokens(truth["text"]))})
        tpath = os.path.join(out, "truth", kind, name + ".json")
        with open(tpath, "w", encoding="utf-8") as f:
            json.dump(truth, f, indent=1, ensure_ascii=False)
            f.write("\n")
        files.append({"kind": kind, "path": kind + "/" + name, "truth": os.path.relpath(tpath, out),
                      "source": p["page"].name, "bytes": os.path.getsize(path), "words": truth["words"],
                      "table_cells": len(truth["table_cells"])})
    manifest = {
        "key": key,
        "made_seconds": round(time.time() - t0, 1),
        "tools": {"libreoffice": lo_version, **versions(), "python": platform.python_version()},
        "how": {
            "docx": "page stripped of the site's chrome (scripts/make_document_fixtures.py Page), then "
                    "soffice --headless --infilter='HTML (StarWriter)' --convert-to docx:'MS Word 2007 XML'",
            "pptx": "python-pptx: per level-1 section a slide (title, the first sentences of its paragraphs as bullets, "
                    "the second sentences as notes), and a table slide per table with a header row (first %d rows)" % SLIDE_TABLE_ROWS,
            "xlsx": "openpyxl: a sheet per table with a header row and a Summary sheet of formulas (COUNTA, SUM); "
                    "soffice --headless --convert-to xlsx:'Calc MS Excel 2007 XML' computed the cached values",
        },
        "selection": {
            "docx": "pages with >= %d <p> and <= %d words (diagrams not counted), duplicates removed: the %d with the most words"
                    % (MIN_PARAS, MAX_WORDS, N_DOCX),
            "pptx": "of the DOCX pages, the %d with the most level-1 sections (>= 4)" % N_PPTX,
            "xlsx": "pages with >= 2 tables with a header row: the %d with the most such tables" % N_XLSX,
        },
        "files": files,
    }
    with open(stamp, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    counts = collections.Counter(f["kind"] for f in files)
    log("corpus made in %.0f s: %s" % (time.time() - t0, ", ".join("%d %s" % (counts[k], k) for k in KINDS)))


# ---------------------------------------------------------------- MarkItDown side
def cmd_markitdown(args):
    t0 = time.perf_counter()
    from markitdown import MarkItDown
    t1 = time.perf_counter()
    md = MarkItDown()
    t2 = time.perf_counter()
    texts, errors, per_file = {}, {}, {}
    for path in args.files:
        a = time.perf_counter()
        try:
            texts[path] = md.convert(path).text_content
        except Exception as e:  # a failure is a result (no text), not the end of the run
            errors[path] = "%s: %s" % (type(e).__name__, str(e)[:300])
        per_file[path] = time.perf_counter() - a
    t3 = time.perf_counter()
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"import_seconds": t1 - t0, "init_seconds": t2 - t1, "loop_seconds": t3 - t2,
                   "per_file_seconds": per_file, "texts": texts, "errors": errors}, f, ensure_ascii=False)


# ---------------------------------------------------------------- scoring and report
MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


MD_INLINE_TAG = re.compile(r"</?(?:u|sup|sub)>", re.I)  # what markdownify keeps as HTML (no Markdown for it)
MD_BREAK_TAG = re.compile(r"<br\s*/?>", re.I)


def md_plain(text):
    """MarkItDown's Markdown read as text: links and images by their text, the HTML it keeps
    for underlines, superscripts and line breaks (<u>, <sup>, <br>) dropped, backslash escapes undone."""
    text = MD_BREAK_TAG.sub(" ", MD_INLINE_TAG.sub("", MD_LINK.sub(r"\1", text)))
    return MD_ESCAPE.sub(r"\1", text)


DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})


def cell_form(text):
    """Text as cells are compared: backslash escapes undone (Markdown tables: Lore's and
    MarkItDown's escape '|', MarkItDown also '*' and '_'), Unicode hyphens and dashes as '-'
    (a DOCX w:noBreakHyphen reads as either), whitespace runs collapsed."""
    return norm(MD_ESCAPE.sub(r"\1", text).translate(DASHES))


def recall(truth_tokens, got_tokens):
    t = collections.Counter(truth_tokens)
    n = sum(t.values())
    return sum((t & collections.Counter(got_tokens)).values()) / n if n else 1.0


def cells_found(cells, text):
    flat = cell_form(text)
    return sum(1 for c in cells if cell_form(c) in flat)


def contains_seq(block_tokens, hay):
    return (" " + " ".join(block_tokens) + " ") in hay


def reader_text(mdf, path, kind):
    """The text of a file as the fixture script's small independent XML readers (and openpyxl's
    cached values) see it: what the file holds, the ceiling for both sides."""
    if kind == "docx":
        return "\n".join(t for _, t, _ in mdf.read_docx(path)["paras"])
    if kind == "pptx":
        out = []
        for sl in mdf.read_pptx(path):
            out += [sl["title"]] + sl["body"] + [c for t in sl["tables"] for r in t for c in r] + [sl["notes"]]
        return "\n".join(out)
    import openpyxl
    wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    vals = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for v in row:
                if v is not None:
                    vals.append(str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
    wb.close()
    return "\n".join(vals)


def score(corpus_dir, files, texts_lore, texts_md):
    mdf = fixtures_module()
    per_file = []
    for f in files:
        truth = json.load(open(os.path.join(corpus_dir, f["truth"]), encoding="utf-8"))
        tt = tokens(truth["text"])
        row = {"file": f["path"], "kind": f["kind"], "bytes": f["bytes"], "truth_words": len(tt),
               "truth_cells": len(truth["table_cells"])}
        seqs = {}
        try:
            rt = reader_text(mdf, os.path.join(corpus_dir, f["path"]), f["kind"])
            row["file_reader"] = {"ok": True, "recall": recall(tt, tokens(rt)),
                                  "cells": cells_found(truth["table_cells"], rt), "chars": len(rt)}
        except Exception as e:  # the reference is a help to read the figures, not a side
            row["file_reader"] = {"ok": False, "recall": None, "cells": None, "error": "%s: %s" % (type(e).__name__, e)}
        for side, text in (("lore", texts_lore.get(f["path"])), ("markitdown", texts_md.get(f["path"]))):
            if text is None:
                row[side] = {"ok": False, "recall": 0.0, "cells": 0, "chars": 0}
                seqs[side] = " "
                continue
            plain = md_plain(text) if side == "markitdown" else text
            row[side] = {"ok": True, "recall": recall(tt, tokens(plain)),
                         "cells": cells_found(truth["table_cells"], plain), "chars": len(text)}
            seqs[side] = " " + " ".join(tokens(plain)) + " "
        # Blocks of the truth (paragraphs, slide lines, cells) with >= 4 words that one side has
        # word for word (as a token sequence) and the other has not.
        misses = {"lore": [], "markitdown": []}
        for b in truth["blocks"]:
            bt = tokens(b)
            if len(bt) < 4:
                continue
            in_l, in_m = contains_seq(bt, seqs["lore"]), contains_seq(bt, seqs["markitdown"])
            if in_m and not in_l:
                misses["lore"].append(b)
            elif in_l and not in_m:
                misses["markitdown"].append(b)
        row["blocks_only_markitdown_has"] = misses["lore"]
        row["blocks_only_lore_has"] = misses["markitdown"]
        per_file.append(row)
    return per_file


def summarize(rows):
    out = {"files": len(rows), "bytes": sum(r["bytes"] for r in rows), "truth_cells": sum(r["truth_cells"] for r in rows)}
    ref = [r["file_reader"] for r in rows if r["file_reader"]["ok"]]
    out["file_reader"] = {
        "files": len(ref),
        "recall_mean": statistics.mean(r["recall"] for r in ref) if ref else None,
        "cells_fraction": (sum(r["cells"] for r in ref) / out["truth_cells"]) if ref and out["truth_cells"] and len(ref) == len(rows) else None,
    }
    for side in ("lore", "markitdown"):
        out[side] = {
            "failed": sum(1 for r in rows if not r[side]["ok"]),
            "recall_mean": statistics.mean(r[side]["recall"] for r in rows) if rows else None,
            "recall_min": min(r[side]["recall"] for r in rows) if rows else None,
            "cells_found": sum(r[side]["cells"] for r in rows),
            "cells_fraction": (sum(r[side]["cells"] for r in rows) / out["truth_cells"]) if out["truth_cells"] else None,
        }
    return out


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def load_lore_texts(path, corpus_dir):
    """Lore's JSON Lines: the text of a document is the concatenation of its sections' texts."""
    texts = {}
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        src = obj.get("source")
        if not src or "sections" not in obj:
            continue
        rel = os.path.relpath(os.path.realpath(src), os.path.realpath(corpus_dir))
        texts[rel] = "".join(s.get("text", "") for s in obj["sections"])
    return texts


def cmd_report(args):
    E = os.environ
    records = [json.loads(l) for l in open(args.records) if l.strip()]
    corpus_dir = os.path.abspath(args.corpus)
    manifest = json.load(open(os.path.join(corpus_dir, "corpus.json"), encoding="utf-8"))
    files = manifest["files"]
    last_run = max(r["run"] for r in records)

    texts_lore, texts_md, md_errors, lore_rc = {}, {}, {}, {}
    for kind in KINDS:
        lr = next(r for r in records if r["side"] == "lore" and r["kind"] == kind and r["run"] == last_run)
        texts_lore.update(load_lore_texts(lr["out"], corpus_dir))
        lore_rc[kind] = lr["rc"]
        mr = next(r for r in records if r["side"] == "markitdown" and r["kind"] == kind and r["run"] == last_run)
        m = json.load(open(mr["out"], encoding="utf-8"))
        for path, text in m["texts"].items():
            texts_md[os.path.relpath(path, corpus_dir)] = text
        for path, err in m["errors"].items():
            md_errors[os.path.relpath(path, corpus_dir)] = err
    # Same output on every run? (Lore: the bytes it printed; MarkItDown: its texts.)
    stable = {"lore": True, "markitdown": True}
    for side in stable:
        for kind in KINDS:
            digests = {r["out_sha256"] for r in records if r["side"] == side and r["kind"] == kind}
            stable[side] &= len(digests) == 1

    per_file = score(corpus_dir, files, texts_lore, texts_md)

    # Speed: per kind, the median over runs; overall, the median over runs of the sum over kinds.
    runs = sorted({r["run"] for r in records})

    def secs(side, kind, field="seconds"):
        return [next(r for r in records if r["side"] == side and r["kind"] == kind and r["run"] == i)[field] for i in runs]

    kinds_out = {}
    for kind in KINDS + ("all",):
        rows = [r for r in per_file if kind == "all" or r["kind"] == kind]
        s = summarize(rows)
        ks = KINDS if kind == "all" else (kind,)
        lore_s = [sum(x) for x in zip(*(secs("lore", k) for k in ks))]
        md_loop = [sum(x) for x in zip(*(secs("markitdown", k, "loop_seconds") for k in ks))]
        md_proc = [sum(x) for x in zip(*(secs("markitdown", k) for k in ks))]
        md_imp = [sum(x) for x in zip(*(secs("markitdown", k, "import_seconds") for k in ks))]
        md_init = [sum(x) for x in zip(*(secs("markitdown", k, "init_seconds") for k in ks))]
        mb = s["bytes"] / 1e6
        speed = {}
        for name, xs in (("lore", lore_s), ("markitdown_in_process", md_loop), ("markitdown_process", md_proc)):
            med = statistics.median(xs)
            speed[name] = {"runs_seconds": [round(x, 4) for x in xs], "median_seconds": round(med, 4),
                           "files_per_second": round(s["files"] / med, 2) if med > 0 else None,
                           "mb_per_second": round(mb / med, 3) if med > 0 else None}
        speed["markitdown_import_seconds_median"] = round(statistics.median(md_imp), 4)
        speed["markitdown_init_seconds_median"] = round(statistics.median(md_init), 4)
        s["mb"] = round(mb, 3)
        s["speed"] = speed
        s["ratios_lore_over_markitdown"] = {
            "recall": ratio(s["lore"]["recall_mean"], s["markitdown"]["recall_mean"]),
            "cells": ratio(s["lore"]["cells_fraction"], s["markitdown"]["cells_fraction"]),
            "speed_vs_in_process": ratio(speed["markitdown_in_process"]["median_seconds"], speed["lore"]["median_seconds"]),
            "speed_vs_process": ratio(speed["markitdown_process"]["median_seconds"], speed["lore"]["median_seconds"]),
        }
        kinds_out[kind] = s

    busy = [r for r in records if r.get("swift_build_running")]
    allk = kinds_out["all"]
    goals = {
        "recall_at_least_markitdown": allk["lore"]["recall_mean"] >= allk["markitdown"]["recall_mean"],
        "at_least_5x_faster_than_in_process": (allk["ratios_lore_over_markitdown"]["speed_vs_in_process"] or 0) >= 5,
        "at_least_5x_faster_than_process": (allk["ratios_lore_over_markitdown"]["speed_vs_process"] or 0) >= 5,
    }
    result = {
        "benchmark": "documents",
        "date_utc": E["B_DATE"],
        "runs": len(runs),
        "corpus": {"dir": corpus_dir, "key": manifest["key"], "tools": manifest["tools"], "how": manifest["how"],
                   "selection": manifest["selection"],
                   "counts": {k: sum(1 for f in files if f["kind"] == k) for k in KINDS}},
        "machine": {"nproc": int(E["B_NPROC"]), "cpu_model": E["B_CPU"], "mem_total_kb": int(E["B_MEM_KB"] or 0),
                    "kernel": platform.release(), "arch": platform.machine()},
        "lore": {"binary": E["B_LORE"], "binary_sha256": E["B_LORE_SHA"], "git_commit": E["B_GIT_COMMIT"],
                 "git_dirty": E["B_GIT_DIRTY"] == "true",
                 "command": "lore extract FILE... --json (one process per kind, all its files)",
                 "exit_codes_last_run": lore_rc, "output_stable_across_runs": stable["lore"]},
        "markitdown": {"command": "MarkItDown().convert(path).text_content in one Python process per kind",
                       "timing": "in_process: the loop over the files only (after import and MarkItDown()); "
                                 "process: the whole `python documents_bench.py markitdown` process (start, import, init, loop)",
                       "python": platform.python_version(), "packages": versions(), "errors_last_run": md_errors,
                       "output_stable_across_runs": stable["markitdown"]},
        "measures": {
            "recall": "mean over files of |truth tokens ∩ extracted tokens| / |truth tokens| (multisets of lower-cased runs of letters and digits)",
            "cells": "truth table cells (whitespace-collapsed) found as substrings of the extracted text (whitespace-collapsed), over all cells",
            "markdown": "MarkItDown's Markdown is read with links as their text and backslash escapes undone before scoring; "
                        "for cells, both sides' texts and the truth also have backslash escapes undone and Unicode hyphens read as '-'",
            "file_reader": "the same measures on the text of the fixture script's independent XML readers (openpyxl for XLSX): "
                           "the share of the truth that is in the file at all",
        },
        "swift_build_running_during_timed_runs": [{"side": r["side"], "kind": r["kind"], "run": r["run"]} for r in busy],
        "kinds": kinds_out,
        "goals": goals,
        "per_file": per_file,
    }
    with open(args.result, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print_report(result)
    print("Results: " + args.result)


def pct(x, digits=1):
    return "n/a" if x is None else "%.*f%%" % (digits, 100 * x)


def rat(x, spec=".2f"):
    return "n/a" if x is None else format(x, spec)


def print_report(res):
    counts = res["corpus"]["counts"]
    print()
    print("Document benchmark: Lore `extract` vs MarkItDown %s on %s (sqlite3-doc %s pages), %d run(s) per side, alternating"
          % (res["markitdown"]["packages"]["markitdown"], ", ".join("%d %s" % (counts[k], k.upper()) for k in KINDS),
             res["corpus"]["key"]["sqlite3_doc"], res["runs"]))
    m = res["machine"]
    print("Machine: %d CPU(s), %s, %d MiB RAM, %s" % (m["nproc"], m["cpu_model"], m["mem_total_kb"] // 1024, m["arch"]))
    print()
    hdr = ("%-5s %5s %6s | %-19s %6s %7s | %-19s %6s %7s" % ("kind", "files", "MB", "text recall L / M", "file", "ratio",
                                                            "cells found L / M", "file", "ratio"))
    print(hdr)
    print("-" * len(hdr))
    for k in KINDS + ("all",):
        s = res["kinds"][k]
        r = s["ratios_lore_over_markitdown"]
        print("%-5s %5d %6.2f | %8s / %8s %6s %7s | %8s / %8s %6s %7s" % (
            k, s["files"], s["mb"], pct(s["lore"]["recall_mean"], 2), pct(s["markitdown"]["recall_mean"], 2), pct(s["file_reader"]["recall_mean"], 2),
            rat(r["recall"], ".3f"), pct(s["lore"]["cells_fraction"]), pct(s["markitdown"]["cells_fraction"]),
            pct(s["file_reader"]["cells_fraction"]), rat(r["cells"], ".3f")))
    print("L = Lore, M = MarkItDown; ratio = L / M. file: what the file holds, read by the small XML readers of "
          "scripts/make_document_fixtures.py (openpyxl for XLSX), the ceiling of both sides. Truth cells: %s."
          % ", ".join("%s %d" % (k, res["kinds"][k]["truth_cells"]) for k in KINDS))
    print()
    hdr = ("%-5s | %-22s | %-22s | %-22s | %-16s" % ("kind", "Lore s  files/s  MB/s", "MarkItDown loop s  f/s",
                                                      "MarkItDown proc s  f/s", "Lore speed ratio"))
    print(hdr)
    print("-" * len(hdr))
    for k in KINDS + ("all",):
        sp = res["kinds"][k]["speed"]
        r = res["kinds"][k]["ratios_lore_over_markitdown"]
        lo, mi, mp = sp["lore"], sp["markitdown_in_process"], sp["markitdown_process"]
        print("%-5s | %6.3f %7.1f %7.2f | %8.3f %6.1f %6.2f | %8.3f %6.1f %6.2f | %5s× / %5s×" % (
            k, lo["median_seconds"], lo["files_per_second"] or 0, lo["mb_per_second"] or 0,
            mi["median_seconds"], mi["files_per_second"] or 0, mi["mb_per_second"] or 0,
            mp["median_seconds"], mp["files_per_second"] or 0, mp["mb_per_second"] or 0,
            rat(r["speed_vs_in_process"], ".1f"), rat(r["speed_vs_process"], ".1f")))
    sp = res["kinds"]["all"]["speed"]
    print("Speeds are medians of %d runs. Lore: the wall clock of `lore extract FILES --json` (one process per kind, "
          "process start included). MarkItDown loop: the convert() loop only, excluding the interpreter start, the import "
          "(median %.2f s per process) and MarkItDown() (median %.2f s); MarkItDown proc: the whole Python process. "
          "Ratio = MarkItDown s / Lore s (loop / proc). MB/s and files/s of the input files."
          % (res["runs"], sp["markitdown_import_seconds_median"] / len(KINDS), sp["markitdown_init_seconds_median"] / len(KINDS)))
    print()
    a = res["kinds"]["all"]
    g = res["goals"]
    print("Goals (issue): Lore's text recall >= MarkItDown's: %s (%s vs %s); Lore >= 5× faster: %s (%s× vs the loop, %s× vs the process)"
          % ("MET" if g["recall_at_least_markitdown"] else "NOT MET", pct(a["lore"]["recall_mean"], 2), pct(a["markitdown"]["recall_mean"], 2),
             "MET" if g["at_least_5x_faster_than_in_process"] else ("MET vs the process only" if g["at_least_5x_faster_than_process"] else "NOT MET"),
             rat(a["ratios_lore_over_markitdown"]["speed_vs_in_process"], ".1f"), rat(a["ratios_lore_over_markitdown"]["speed_vs_process"], ".1f")))
    print()
    worst = sorted(res["per_file"], key=lambda r: r["lore"]["recall"] - r["markitdown"]["recall"])[:5]
    print("Files where Lore's recall trails MarkItDown's most:")
    for r in worst:
        print("  %-26s Lore %6s  MarkItDown %6s  cells %d/%d vs %d/%d  (%d truth blocks only MarkItDown has)" % (
            r["file"], pct(r["lore"]["recall"]), pct(r["markitdown"]["recall"]), r["lore"]["cells"], r["truth_cells"],
            r["markitdown"]["cells"], r["truth_cells"], len(r["blocks_only_markitdown_has"])))
    shown = 0
    for r in res["per_file"]:
        for b in r["blocks_only_markitdown_has"][:2]:
            if shown == 0:
                print("Text MarkItDown has and Lore misses (examples; all in the JSON's per_file[].blocks_only_markitdown_has):")
            print("  %s: %s" % (r["file"], b if len(b) <= 150 else b[:147] + "..."))
            shown += 1
            if shown >= 8:
                break
        if shown >= 8:
            break
    n_l = sum(len(r["blocks_only_markitdown_has"]) for r in res["per_file"])
    n_m = sum(len(r["blocks_only_lore_has"]) for r in res["per_file"])
    print("Truth blocks (>= 4 words) only MarkItDown has word for word: %d; only Lore has: %d" % (n_l, n_m))
    print()
    warnings = []
    for side in ("lore", "markitdown"):
        failed = [r["file"] for r in res["per_file"] if not r[side]["ok"]]
        if failed:
            warnings.append("%s gave no text for %d file(s): %s" % (side, len(failed), ", ".join(failed[:10])))
    if not res["lore"]["output_stable_across_runs"]:
        warnings.append("Lore's output differed between runs")
    if not res["markitdown"]["output_stable_across_runs"]:
        warnings.append("MarkItDown's output differed between runs")
    if any(rc != 0 for rc in res["lore"]["exit_codes_last_run"].values()):
        warnings.append("lore extract exit codes (last run): %s" % res["lore"]["exit_codes_last_run"])
    if res["swift_build_running_during_timed_runs"]:
        warnings.append("a Swift build (swift-frontend/swift-build) was running during %d timed run(s): timings are unreliable"
                        % len(res["swift_build_running_during_timed_runs"]))
    for w in warnings:
        print("warning: " + w)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("corpus")
    c.add_argument("dir")
    c.add_argument("--docroot", default="/usr/share/doc/sqlite3")
    c.set_defaults(fn=cmd_corpus)
    m = sub.add_parser("markitdown")
    m.add_argument("--out", required=True)
    m.add_argument("files", nargs="+")
    m.set_defaults(fn=cmd_markitdown)
    r = sub.add_parser("report")
    r.add_argument("records")
    r.add_argument("corpus")
    r.add_argument("result")
    r.set_defaults(fn=cmd_report)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
