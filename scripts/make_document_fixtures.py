#!/usr/bin/env python3
"""Writes Tests/Fixtures/documents/: the office documents the loaders of issue 22 are tested on.

Run it through scripts/make-document-fixtures, which installs LibreOffice, poppler-utils,
sqlite3-doc and this script's PyPI packages (into .cache/fixtures-venv) first.

Every document is made by real software from pages of Debian's SQLite documentation
(/usr/share/doc/sqlite3, package sqlite3-doc): LibreOffice (headless) converts a page to
DOCX/ODT/EPUB/PDF and converts between formats; python-docx, python-pptx and openpyxl write
documents from the page's structure. The expected facts in manifest.json are taken from the
parsed pages (the generator's inputs), never typed by hand, and each is checked against the
file it describes with a small independent reader below before anything is written, so a
fact in the manifest is known to be present in the fixture.

Output is as deterministic as the tools allow: fixed dates in the properties python-docx,
python-pptx and openpyxl write, fixed ZIP entry times, a seeded salt for the encrypted
files, img2pdf without dates. LibreOffice embeds the time of conversion (and EPUB a random
identifier), so its files differ from run to run in those bytes only.
"""
import datetime as dt
import hashlib
import html
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from contextlib import contextmanager
from importlib import metadata

import lxml.html
from lxml import etree

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "documents")
SRC = "/usr/share/doc/sqlite3"
KEEP = {"README.md"}  # hand-written files in OUT that a run leaves alone

# The source pages: headings, paragraphs, lists and HTML tables.
WRITER_PAGE = "datatype3.html"  # LibreOffice DOCX/ODT/EPUB, python-pptx slides
AUTHORED_PAGE = "printf.html"   # python-docx document, openpyxl workbook
PDF_PAGE = "limits.html"        # text and scanned PDFs

FIXED_DATE = dt.datetime(2024, 1, 1, 0, 0, 0)
ZIP_DATE = (2024, 1, 1, 0, 0, 0)
SEED = 20240101
PASSWORD = "secret"
BOMB_SIZE = 1 << 30  # uncompressed size of the ZIP bomb's word/document.xml
PDF_PAGES = 2
PDF_MAX_BYTES = 400_000

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
ODF_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
ODF_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
ODF_PRES = "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"
ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
XHTML = "http://www.w3.org/1999/xhtml"


def die(msg):
    sys.exit("make-document-fixtures: " + msg)


def norm(s):
    """Collapses every whitespace run (NBSP included) to one space; the manifest's texts are in this form."""
    return " ".join(s.split())


def strip_number(heading):
    """'2.1. Boolean Datatype' -> 'Boolean Datatype' (the numbering SQLite's pages put in headings)."""
    return re.sub(r"^\d+(\.\d+)*\.\s+", "", heading)


# ---------------------------------------------------------------- the source pages
class Page:
    """One SQLite documentation page: the cleaned HTML LibreOffice converts and its blocks."""

    def __init__(self, name):
        self.name = name
        self.path = os.path.join(SRC, name)
        raw = open(self.path, encoding="utf-8").read()
        self.sha256 = hashlib.sha256(raw.encode("utf-8")).hexdigest()
        self.title = norm(html.unescape(re.search(r"<title>(.*?)</title>", raw, re.S).group(1)))
        # The article: from its first heading to the end, without the site's menus, scripts,
        # table of contents and the "last modified" footer (a link to a honeypot).
        start = re.search(r"<h[1-6][ >]", raw).start()
        end = raw.find('<p align="center"><small><i>This page last modified')
        if end < 0:
            end = raw.rfind("</body>")
        body = raw[start:end]
        self.html = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title></head><body>\n%s\n</body></html>\n"
                     % (html.escape(self.title), body))
        doc = lxml.html.document_fromstring(self.html)
        for br in doc.iter("br"):
            br.tail = " " + (br.tail or "")
        self.blocks = []
        self._walk(doc.body)

    def _walk(self, el):
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if re.fullmatch(r"h[1-6]", tag):
                self.blocks.append({"kind": "heading", "level": int(tag[1]), "text": norm(child.text_content())})
            elif tag == "p":
                t = norm(child.text_content())
                if t:
                    self.blocks.append({"kind": "para", "text": t})
            elif tag in ("ul", "ol"):
                items = [norm(li.text_content()) for li in child if li.tag == "li"]
                self.blocks.append({"kind": "list", "ordered": tag == "ol", "items": [i for i in items if i]})
            elif tag == "table":
                rows = []
                for tr in child.iter("tr"):
                    cells = [c for c in tr if c.tag in ("td", "th")]
                    if cells:
                        rows.append({"th": all(c.tag == "th" for c in cells), "cells": [norm(c.text_content()) for c in cells]})
                self.blocks.append({"kind": "table", "rows": [r["cells"] for r in rows], "header": bool(rows) and rows[0]["th"]})
            elif tag == "pre":
                self.blocks.append({"kind": "pre", "text": child.text_content()})
            elif tag in ("script", "style"):
                continue
            else:
                self._walk(child)

    def headings(self):
        return [{"level": b["level"], "text": b["text"]} for b in self.blocks if b["kind"] == "heading"]

    def tables(self):
        return [b for b in self.blocks if b["kind"] == "table"]

    def sections(self, level=1):
        """[(heading block, [blocks up to the next heading of this level or above])]."""
        out = []
        for b in self.blocks:
            if b["kind"] == "heading" and b["level"] <= level:
                out.append((b, []))
            elif out:
                out[-1][1].append(b)
        return out

    def heading_before(self, block):
        i = self.blocks.index(block)
        return next(b for b in reversed(self.blocks[:i]) if b["kind"] == "heading")


SENTENCE = re.compile(r"[A-Z][A-Za-z0-9 ,;:()'\-]{30,190}[a-z0-9)]\.")


def sentences(text):
    return re.split(r"(?<=[.!?])\s+(?=[A-Z])", text)


def plain_sentence(s):
    """A sentence safe to search for in any extracted text: letters, digits, simple punctuation."""
    return bool(SENTENCE.fullmatch(s))


def pick_sentences(page, n=3):
    found = []
    for b in page.blocks:
        if b["kind"] == "para":
            for s in sentences(b["text"]):
                if plain_sentence(s) and s not in found:
                    found.append(s)
    if len(found) < n:
        die("%s: only %d plain sentences" % (page.name, len(found)))
    return [found[0], found[len(found) // 2], found[-1]]


def table_fact(rows):
    """The header cells and 3 body cells (first, middle and last body row) of a table."""
    body = rows[1:]
    picks = [(1, 0), (1 + len(body) // 2, 1 % len(rows[0])), (len(rows) - 1, len(rows[-1]) - 1)]
    return {"rows": len(rows), "columns": len(rows[0]), "header": rows[0],
            "body_cells": [{"row": r, "column": c, "text": rows[r][c]} for r, c in picks]}


# ---------------------------------------------------------------- tools
class Office:
    """soffice --headless with a private, fresh profile (so no user setting leaks in)."""

    def __init__(self, tmp):
        self.profile = os.path.join(tmp, "lo-profile")
        self.version = subprocess.run(["soffice", "--version"], capture_output=True, text=True, check=True).stdout.strip()

    def convert(self, src, fmt, outdir, infilter=None, name=None):
        os.makedirs(outdir, exist_ok=True)
        cmd = ["soffice", "-env:UserInstallation=file://" + self.profile, "--headless", "--norestore"]
        if infilter:
            cmd.append("--infilter=" + infilter)
        cmd += ["--convert-to", fmt, "--outdir", outdir, src]
        env = dict(os.environ, TZ="UTC")
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
        ext = fmt.split(":")[0]
        out = os.path.join(outdir, os.path.splitext(os.path.basename(src))[0] + "." + ext)
        if p.returncode != 0 or not os.path.exists(out):
            die("soffice failed on %s -> %s:\n%s%s" % (src, fmt, p.stdout, p.stderr))
        if name:
            final = os.path.join(outdir, name)
            os.replace(out, final)
            out = final
        return out


def deb_version(pkg):
    return subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True, text=True).stdout.strip()


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


class FixedDatetime(dt.datetime):
    """datetime whose now() is FIXED_DATE: for libraries that stamp their output with the time."""

    @classmethod
    def now(cls, tz=None):
        d = cls(*FIXED_DATE.timetuple()[:6])
        return d.replace(tzinfo=tz) if tz else d


@contextmanager
def fixed_zip_time():
    """Makes zipfile.writestr (used by python-docx, python-pptx, openpyxl) stamp entries with ZIP_DATE."""
    real = zipfile.time

    class FixedTime:
        @staticmethod
        def localtime(*_):
            return time.struct_time(ZIP_DATE + (0, 1, 0))

        time = staticmethod(real.time)

    zipfile.time = FixedTime
    try:
        yield
    finally:
        zipfile.time = real


def zinfo(name, level=9):
    zi = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    zi.compress_type = zipfile.ZIP_DEFLATED
    for attr in ("compress_level", "_compresslevel"):  # Python 3.13+, 3.11/3.12
        try:
            setattr(zi, attr, level)
            break
        except AttributeError:
            pass
    zi.external_attr = 0o644 << 16
    return zi


# ---------------------------------------------------------------- independent readers (checks)
def xml(z, name):
    return etree.fromstring(z.read(name))


def ooxml_text(el, ns):
    out = []
    for n in el.iter():
        if n.tag == "{%s}t" % ns and n.text:
            out.append(n.text)
        elif n.tag in ("{%s}tab" % ns, "{%s}br" % ns):
            out.append(" ")
    return norm("".join(out))


def read_docx(path):
    with zipfile.ZipFile(path) as z:
        styles = {s.get("{%s}styleId" % W): s.find("{%s}name" % W).get("{%s}val" % W)
                  for s in xml(z, "word/styles.xml").iter("{%s}style" % W) if s.find("{%s}name" % W) is not None}
        doc = xml(z, "word/document.xml")
        comments = [ooxml_text(c, W) for c in xml(z, "word/comments.xml").iter("{%s}comment" % W)] \
            if "word/comments.xml" in z.namelist() else []
    paras = []
    for p in doc.iter("{%s}p" % W):
        st = p.find("{%s}pPr/{%s}pStyle" % (W, W))
        name = styles.get(st.get("{%s}val" % W), "") if st is not None else ""
        paras.append((name, ooxml_text(p, W), p.find("{%s}pPr/{%s}numPr" % (W, W)) is not None))
    tables = [[[ooxml_text(tc, W) for tc in tr.iter("{%s}tc" % W)] for tr in tbl.iter("{%s}tr" % W)]
              for tbl in doc.iter("{%s}tbl" % W)]
    headings = [{"level": int(m.group(1)), "text": t} for s, t, _ in paras for m in [re.fullmatch(r"[Hh]eading (\d)", s)] if m]
    return {"paras": paras, "text": " ".join(t for _, t, _ in paras), "headings": headings, "tables": tables, "comments": comments}


def odf_text(el):
    out = []

    def walk(n):
        if n.text:
            out.append(n.text)
        for c in n:
            if c.tag == "{%s}s" % ODF_TEXT:
                out.append(" " * int(c.get("{%s}c" % ODF_TEXT, "1")))
            elif c.tag in ("{%s}tab" % ODF_TEXT, "{%s}line-break" % ODF_TEXT):
                out.append(" ")
            elif c.tag in ("{%s}p" % ODF_TEXT, "{%s}h" % ODF_TEXT):
                out.append(" ")
                walk(c)
                out.append(" ")
            else:
                walk(c)
            if c.tail:
                out.append(c.tail)

    walk(el)
    return norm("".join(out))


def odf_tables(root):
    out = []
    for t in root.iter("{%s}table" % ODF_TABLE):
        rows = []
        for tr in t.iter("{%s}table-row" % ODF_TABLE):
            cells = []
            for tc in tr:
                if tc.tag in ("{%s}table-cell" % ODF_TABLE, "{%s}covered-table-cell" % ODF_TABLE):
                    rep = int(tc.get("{%s}number-columns-repeated" % ODF_TABLE, "1"))
                    cells += [odf_text(tc)] * min(rep, 50)
            rows.append(cells)
        out.append({"name": t.get("{%s}name" % ODF_TABLE), "rows": rows})
    return out


def read_odt(path):
    with zipfile.ZipFile(path) as z:
        root = xml(z, "content.xml")
    body = root.find("{%s}body" % ODF_OFFICE)
    headings = [{"level": int(h.get("{%s}outline-level" % ODF_TEXT, "1")), "text": odf_text(h)} for h in body.iter("{%s}h" % ODF_TEXT)]
    return {"text": odf_text(body), "headings": headings, "tables": [t["rows"] for t in odf_tables(body)]}


XHTML_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "tr", "br", "pre", "blockquote"}


def xhtml_text(el):
    out = []

    def walk(n):
        block = isinstance(n.tag, str) and etree.QName(n).localname in XHTML_BLOCKS
        if block:
            out.append(" ")
        if n.text:
            out.append(n.text)
        for c in n:
            walk(c)
            if c.tail:
                out.append(c.tail)
        if block:
            out.append(" ")

    walk(el)
    return norm("".join(out))


def read_epub(path):
    with zipfile.ZipFile(path) as z:
        if z.read("mimetype") != b"application/epub+zip":
            die("EPUB mimetype")
        opf_path = xml(z, "META-INF/container.xml").find(".//{*}rootfile").get("full-path")
        opf = xml(z, opf_path)
        base = os.path.dirname(opf_path)
        items = {i.get("id"): i for i in opf.iter("{*}item")}
        spine = [os.path.normpath(os.path.join(base, items[r.get("idref")].get("href"))) for r in opf.iter("{*}itemref")]
        nav = next(i for i in items.values() if "nav" in (i.get("properties") or "").split())
        toc = [norm("".join(a.itertext())) for a in xml(z, os.path.normpath(os.path.join(base, nav.get("href")))).iter("{%s}a" % XHTML)]
        texts, tables = [], []
        for s in spine:
            body = xml(z, s).find("{%s}body" % XHTML)
            texts.append(xhtml_text(body))
            for t in body.iter("{%s}table" % XHTML):
                tables.append([[xhtml_text(c) for c in tr if etree.QName(c).localname in ("td", "th")]
                               for tr in t.iter("{%s}tr" % XHTML)])
    return {"text": " ".join(texts), "toc": toc, "spine": spine, "tables": tables}


def rels(z, part):
    d, f = os.path.split(part)
    rp = os.path.join(d, "_rels", f + ".rels")
    if rp not in z.namelist():
        return {}
    return {r.get("Id"): (r.get("Type").rsplit("/", 1)[-1], os.path.normpath(os.path.join(d, r.get("Target"))))
            for r in xml(z, rp).iter("{%s}Relationship" % PR)}


def read_pptx(path):
    slides = []
    with zipfile.ZipFile(path) as z:
        pres = xml(z, "ppt/presentation.xml")
        prels = rels(z, "ppt/presentation.xml")
        for sid in pres.iter("{%s}sldId" % P):
            part = prels[sid.get("{%s}id" % R)][1]
            s = xml(z, part)
            title, body = "", []
            for sp in s.iter("{%s}sp" % P):
                ph = sp.find(".//{%s}nvPr/{%s}ph" % (P, P))
                paras = [ooxml_text(p, A) for p in sp.iter("{%s}p" % A)]
                if ph is not None and ph.get("type") in ("title", "ctrTitle"):
                    title = norm(" ".join(paras))
                else:
                    body += [p for p in paras if p]
            tables = [[[ooxml_text(tc, A) for tc in tr.iter("{%s}tc" % A)] for tr in tbl.iter("{%s}tr" % A)]
                      for tbl in s.iter("{%s}tbl" % A)]
            notes = ""
            for kind, target in rels(z, part).values():
                if kind == "notesSlide":
                    n = xml(z, target)
                    for sp in n.iter("{%s}sp" % P):
                        ph = sp.find(".//{%s}nvPr/{%s}ph" % (P, P))
                        if ph is not None and ph.get("type") == "body":
                            notes = norm(" ".join(ooxml_text(p, A) for p in sp.iter("{%s}p" % A)))
            slides.append({"title": title, "body": body, "notes": notes, "tables": tables})
    return slides


def read_odp(path):
    with zipfile.ZipFile(path) as z:
        root = xml(z, "content.xml")
    slides = []
    for page in root.iter("{%s}page" % ODF_DRAW):
        title, body, notes = "", [], ""
        for frame in page.findall("{%s}frame" % ODF_DRAW):
            cls = frame.get("{%s}class" % ODF_PRES)
            paras = [odf_text(p) for p in frame.iter("{%s}p" % ODF_TEXT)]
            if cls == "title":
                title = norm(" ".join(paras))
            elif frame.find("{%s}table" % ODF_TABLE) is None:
                body += [p for p in paras if p]
        n = page.find("{%s}notes" % ODF_PRES)
        if n is not None:
            for frame in n.iter("{%s}frame" % ODF_DRAW):
                if frame.get("{%s}class" % ODF_PRES) == "notes":
                    notes = odf_text(frame)
        tables = [t["rows"] for t in odf_tables(page)]
        slides.append({"title": title, "body": body, "notes": notes, "tables": tables})
    return slides


def read_ods(path):
    with zipfile.ZipFile(path) as z:
        root = xml(z, "content.xml")
    return odf_tables(root.find("{%s}body" % ODF_OFFICE))


def check(cond, what):
    if not cond:
        die("check failed: " + what)


def check_headings(got, want, what):
    check([(h["level"], h["text"]) for h in got] == [(h["level"], h["text"]) for h in want],
          "%s headings:\n got %s\nwant %s" % (what, got, want))


def check_in(needle, hay, what):
    check(needle in hay, "%s: %r not in the extracted text" % (what, needle))


def check_table(got_tables, fact, what):
    ok = any(len(t) == fact["rows"] and t[0][:fact["columns"]] == fact["header"]
             and all(t[c["row"]][c["column"]] == c["text"] for c in fact["body_cells"]) for t in got_tables)
    check(ok, "%s: no table matches %s (got %s)" % (what, fact, [t[:2] for t in got_tables]))


# ---------------------------------------------------------------- the fixtures
class Build:
    def __init__(self, tmp, stage):
        self.tmp, self.stage = tmp, stage
        self.office = Office(tmp)
        self.pages = {n: Page(n) for n in (WRITER_PAGE, AUTHORED_PAGE, PDF_PAGE)}
        for p in self.pages.values():
            with open(os.path.join(tmp, p.name), "w", encoding="utf-8") as f:
                f.write(p.html)
        self.fixtures = {}

    def src(self, name):
        return os.path.join(self.tmp, name)

    def out(self, rel):
        path = os.path.join(self.stage, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return path

    def add(self, rel, kind, made_by, source, expect):
        self.fixtures[rel] = {"kind": kind, "made_by": made_by, "source": source, "expect": expect}

    def lo(self, how):
        return {"tool": "LibreOffice", "version": self.office.version, "how": how}

    def py(self, dist, how):
        return {"tool": dist, "version": metadata.version(dist), "how": how}

    # 1. LibreOffice: HTML -> DOCX, ODT, EPUB
    def writer_documents(self):
        page = self.pages[WRITER_PAGE]
        headings, sents = page.headings(), pick_sentences(page)
        tables = [table_fact(t["rows"]) for t in page.tables()]
        lo_dir = os.path.join(self.tmp, "writer")
        for ext, fmt, kind in (("docx", "docx:MS Word 2007 XML", "docx"), ("odt", "odt", "odt"), ("epub", "epub", "epub")):
            made = self.office.convert(self.src(page.name), fmt, lo_dir, infilter="HTML (StarWriter)")
            rel = "sqlite-datatypes." + ext
            shutil.copyfile(made, self.out(rel))
            got = {"docx": read_docx, "odt": read_odt, "epub": read_epub}[kind](self.out(rel))
            expect = {"title": page.title, "headings": headings, "sentences": sents, "tables": tables}
            if kind == "epub":
                # LibreOffice's EPUB export (libepubgen) writes headings as styled <p>, one spine
                # section per level-1 heading; the levels survive only in the nav table of contents.
                toc = [h["text"] for h in headings if h["level"] == 1]
                check(got["toc"] == toc, "epub toc %s" % got["toc"])
                expect["toc"] = toc
                expect["heading_markup"] = False
                expect["spine_sections"] = len(got["spine"])
                pos = 0
                for h in headings:
                    i = got["text"].find(h["text"], pos)
                    check(i >= 0, "epub heading %r in order" % h["text"])
                    pos = i
            else:
                check_headings(got["headings"], headings, rel)
                expect["heading_markup"] = True
            for s in sents:
                check_in(s, got["text"], rel)
            for t in tables:
                check_table(got["tables"], t, rel)
            how = "soffice --headless --infilter='HTML (StarWriter)' --convert-to %s %s" % (
                {"docx": 'docx:"MS Word 2007 XML"'}.get(ext, ext), page.name)
            self.add(rel, kind, self.lo(how), page.name, expect)

    # 2. python-docx
    def python_docx(self):
        import docx
        from docx.shared import Pt
        page = self.pages[AUTHORED_PAGE]
        d = docx.Document()
        cp = d.core_properties
        cp.title, cp.author, cp.last_modified_by = page.title, "scripts/make-document-fixtures", "scripts/make-document-fixtures"
        cp.created = cp.modified = FIXED_DATE
        cp.revision = 1
        d.add_heading(page.title, 0)
        headings, bullets, numbered, table, paras = [], [], [], None, []
        commented = None
        for b in page.blocks:
            if b["kind"] == "heading":
                text = strip_number(b["text"])
                d.add_heading(text, b["level"])
                headings.append({"level": b["level"], "text": text})
            elif b["kind"] == "para":
                p = d.add_paragraph(b["text"])
                paras.append(b["text"])
                if commented is None:
                    commented = p
            elif b["kind"] == "list":
                for item in b["items"]:
                    d.add_paragraph(item, style="List Number" if b["ordered"] else "List Bullet")
                (numbered if b["ordered"] else bullets).extend(b["items"])
            elif b["kind"] == "table" and table is None and b["header"]:
                table = b["rows"]
                t = d.add_table(rows=len(table), cols=len(table[0]))
                t.style = "Table Grid"
                for r, row in enumerate(table):
                    for c, text in enumerate(row):
                        cell = t.cell(r, c)
                        cell.text = text
                        if r == 0:
                            for run in cell.paragraphs[0].runs:
                                run.bold = True
                _repeat_header(t)
            elif b["kind"] == "pre":
                p = d.add_paragraph()
                run = p.add_run(b["text"].strip("\n"))
                run.font.name, run.font.size = "Courier New", Pt(9)
        comment_text = "Made from %s by scripts/make-document-fixtures." % page.name
        comment = d.add_comment(commented.runs, text=comment_text, author="Lore fixtures", initials="LF")
        try:
            comment._comment_elm.date = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
        except AttributeError:
            pass
        rel = "python-docx.docx"
        with fixed_zip_time():
            d.save(self.out(rel))
        got = read_docx(self.out(rel))
        want_h = [{"level": 0, "text": page.title}] + headings
        got_h = [{"level": 0, "text": t} for s, t, _ in got["paras"] if s == "Title"] + got["headings"]
        check_headings(got_h, want_h, rel)
        sents = pick_sentences(page)
        for s in sents:
            check_in(s, got["text"], rel)
        tf = table_fact(table)
        check_table(got["tables"], tf, rel)
        check(got["comments"] == [comment_text], "comments %s" % got["comments"])
        check(sum(1 for s, _, _ in got["paras"] if s == "List Bullet") == len(bullets), "bullets")
        check(sum(1 for s, _, _ in got["paras"] if s == "List Number") == len(numbered), "numbered")
        self.add(rel, "docx", self.py("python-docx", "docx.Document(): Title, headings, paragraphs, lists, one table, a comment"),
                 page.name, {"title": page.title, "headings": want_h, "heading_markup": True, "sentences": sents,
                             "tables": [tf], "bulleted_items": bullets, "numbered_items": numbered,
                             "comments": [{"author": "Lore fixtures", "text": comment_text}]})

    # 3. python-pptx, then LibreOffice PPTX -> ODP -> PPTX
    def slides(self):
        import pptx
        from pptx.util import Inches, Pt
        page = self.pages[WRITER_PAGE]
        plan = []
        for head, blocks in page.sections(1):
            # Bullets: the first sentences of the section's paragraphs (or, where none is plain,
            # its first plain sentences); notes: the next plain sentence of the section.
            firsts = [sentences(b["text"])[0] for b in blocks if b["kind"] == "para"]
            every = [s for b in blocks if b["kind"] == "para" for s in sentences(b["text"]) if plain_sentence(s)]
            bullets = [s for s in firsts if plain_sentence(s)][:3] or every[:2]
            rest = [s for s in every if s not in bullets]
            if not bullets:
                die("section %r has no plain first sentence" % head["text"])
            notes = rest[0] if rest else "This slide summarises section %s of %s." % (head["text"].split(" ")[0].rstrip("."), page.title)
            plan.append({"title": strip_number(head["text"]), "bullets": bullets, "notes": notes})
            for b in blocks:
                if b["kind"] == "table" and b["header"]:
                    sub = page.heading_before(b)
                    i = page.blocks.index(b)
                    before = [s for x in page.blocks[:i] if x["kind"] == "para" for s in sentences(x["text"]) if plain_sentence(s)]
                    plan.append({"title": strip_number(sub["text"]), "table": b["rows"],
                                 "notes": before[-1] if before else "A table from %s." % page.title})
        prs = pptx.Presentation()
        cp = prs.core_properties
        cp.title, cp.author, cp.last_modified_by = page.title, "scripts/make-document-fixtures", "scripts/make-document-fixtures"
        cp.created = cp.modified = FIXED_DATE
        cp.revision = 1
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
                                run.font.size = Pt(11)
            else:
                slide = prs.slides.add_slide(prs.slide_layouts[1])  # Title and Content
                slide.shapes.title.text = s["title"]
                tf = slide.placeholders[1].text_frame
                tf.text = s["bullets"][0]
                for line in s["bullets"][1:]:
                    tf.add_paragraph().text = line
            slide.notes_slide.notes_text_frame.text = s["notes"]
        check(len(plan) >= 4 and any("table" in s for s in plan), "slide plan")
        facts = []
        for n, s in enumerate(plan, 1):
            f = {"number": n, "title": s["title"], "body_line": s["bullets"][0] if "bullets" in s else None, "notes": s["notes"]}
            if "table" in s:
                f["table"] = table_fact(s["table"])
            facts.append(f)
        rel = "sqlite-slides.pptx"
        with fixed_zip_time():
            prs.save(self.out(rel))

        def verify(path, slides, what):
            check(len(slides) == len(facts), "%s: %d slides" % (what, len(slides)))
            for f, got in zip(facts, slides):
                check(got["title"] == f["title"], "%s slide %d title %r" % (what, f["number"], got["title"]))
                check(got["notes"] == f["notes"], "%s slide %d notes %r" % (what, f["number"], got["notes"]))
                if f["body_line"]:
                    check(f["body_line"] in got["body"], "%s slide %d body %r" % (what, f["number"], got["body"]))
                if "table" in f:
                    check_table(got["tables"], f["table"], "%s slide %d" % (what, f["number"]))

        verify(self.out(rel), read_pptx(self.out(rel)), rel)
        expect = {"title": page.title, "slides": facts}
        self.add(rel, "pptx", self.py("python-pptx", "pptx.Presentation(): one slide per section, bullets, notes, one table slide"),
                 page.name, expect)
        lo_dir = os.path.join(self.tmp, "impress")
        odp = self.office.convert(self.out(rel), "odp", lo_dir)
        shutil.copyfile(odp, self.out("sqlite-slides.odp"))
        verify(odp, read_odp(odp), "sqlite-slides.odp")
        self.add("sqlite-slides.odp", "odp", self.lo("soffice --headless --convert-to odp sqlite-slides.pptx"), page.name, expect)
        back = self.office.convert(odp, 'pptx:Impress MS PowerPoint 2007 XML', os.path.join(lo_dir, "back"))
        shutil.copyfile(back, self.out("libreoffice-slides.pptx"))
        verify(back, read_pptx(back), "libreoffice-slides.pptx")
        self.add("libreoffice-slides.pptx", "pptx",
                 self.lo('soffice --headless --convert-to pptx:"Impress MS PowerPoint 2007 XML" sqlite-slides.odp'), page.name, expect)

    # 4. openpyxl, recalculated by LibreOffice; then XLSX -> ODS
    def workbook(self):
        import openpyxl
        page = self.pages[AUTHORED_PAGE]
        tables = [t for t in page.tables() if t["header"]][:2]
        check(len(tables) == 2, "two tables with a header row in %s" % page.name)
        sheets = []
        for t in tables:
            name = strip_number(page.heading_before(t)["text"])[:31]
            for row in t["rows"]:
                for v in row:
                    check(not v.startswith("="), "a cell that reads as a formula: %r" % v)
            sheets.append((name, t["rows"]))
        wb = openpyxl.Workbook()
        wb.properties.creator = wb.properties.lastModifiedBy = "scripts/make-document-fixtures"
        wb.properties.created = wb.properties.modified = FIXED_DATE
        wb.remove(wb.active)
        for name, rows in sheets:
            ws = wb.create_sheet(name)
            for row in rows:
                ws.append(row)
        (n1, r1), (n2, r2) = sheets
        q1, q2 = "'%s'" % n1, "'%s'" % n2
        ws = wb.create_sheet("Totals")
        # (label, formula or literal, the value computed here from the inputs)
        totals = [
            ("Rows in %s" % n1, "=COUNTA(%s!A2:A100)" % q1, len(r1) - 1),
            ("Rows in %s" % n2, "=COUNTA(%s!A2:A100)" % q2, len(r2) - 1),
            ("Rows in both", "=SUM(B2:B3)", len(r1) + len(r2) - 2),
            ("Mean rows per sheet", "=AVERAGE(B2:B3)", (len(r1) + len(r2) - 2) / 2),
            ("Length of the first meaning", "=LEN(%s!B2)" % q1, len(r1[1][1])),
            ("First %s" % r1[0][0].lower(), "=%s!A2" % q1, r1[1][0]),
            ("Tables on the page", len(page.tables()), len(page.tables())),
        ]
        ws.append(["Measure", "Value"])
        for label, value, _ in totals:
            ws.append([label, value])
        raw_dir = os.path.join(self.tmp, "openpyxl")
        os.makedirs(raw_dir)
        raw = os.path.join(raw_dir, "sqlite-tables.xlsx")
        import openpyxl.writer.excel as xl_writer
        real_dt = xl_writer.datetime
        xl_writer.datetime = type("datetime_module", (), {"datetime": FixedDatetime, "timezone": dt.timezone})
        try:
            with fixed_zip_time():
                wb.save(raw)  # stamps properties.modified with datetime.now()
        finally:
            xl_writer.datetime = real_dt
        shutil.copyfile(raw, self.out("openpyxl-formulas.xlsx"))
        final = self.office.convert(raw, "xlsx:Calc MS Excel 2007 XML", os.path.join(self.tmp, "calc"))
        shutil.copyfile(final, self.out("sqlite-tables.xlsx"))
        # What LibreOffice computed.
        vals = openpyxl.load_workbook(final, data_only=True)
        forms = openpyxl.load_workbook(final)
        names = [n for n, _ in sheets] + ["Totals"]
        check(vals.sheetnames == names, "sheet names %s" % vals.sheetnames)
        formulas = []
        for i, (label, value, want) in enumerate(totals, start=2):
            ref = "B%d" % i
            got = vals["Totals"][ref].value
            check(got is not None, "Totals!%s has no cached value" % ref)
            check(got == want or (isinstance(want, float) and abs(got - want) < 1e-9), "Totals!%s = %r, want %r" % (ref, got, want))
            f = forms["Totals"][ref].value
            if isinstance(value, str):
                check(isinstance(f, str) and f.startswith("="), "Totals!%s formula %r" % (ref, f))
                formulas.append({"sheet": "Totals", "ref": ref, "label": label, "formula": f, "value": got})
        sheet_facts = []
        for name, rows in sheets:
            body = [{"ref": "A2", "value": rows[1][0]}, {"ref": "B%d" % len(rows), "value": rows[-1][1]}]
            for c in body:
                check(vals[name][c["ref"]].value == c["value"], "%s!%s" % (name, c["ref"]))
            check([c.value for c in vals[name][1]] == rows[0], "%s header" % name)
            sheet_facts.append({"name": name, "rows": len(rows), "header": rows[0], "body_cells": body})
        tot_rows = [["Measure", "Value"]] + [[l, w] for l, _, w in totals]
        sheet_facts.append({"name": "Totals", "rows": len(tot_rows), "header": tot_rows[0],
                            "body_cells": [{"ref": "A2", "value": tot_rows[1][0]}, {"ref": "B8", "value": totals[-1][2]}]})
        # Storage: shared strings and a plain number cell.
        with zipfile.ZipFile(final) as z:
            names_in = z.namelist()
            check("xl/sharedStrings.xml" in names_in, "LibreOffice wrote no sharedStrings.xml")
            sheet_xml = b"".join(z.read(n) for n in names_in if n.startswith("xl/worksheets/sheet"))
        check(re.search(rb'<c [^>]*t="s"', sheet_xml) is not None, "no shared-string cell")
        check(re.search(rb'<c r="B8"(?: s="\d+")?(?: t="n")?><v>%d</v>' % totals[-1][2], sheet_xml) is not None, "Totals!B8 is not a plain number")
        expect = {"sheets": sheet_facts, "formulas": formulas,
                  "shared_strings": True, "number_cell": {"sheet": "Totals", "ref": "B8", "value": totals[-1][2]}}
        self.add("sqlite-tables.xlsx", "xlsx",
                 self.lo('openpyxl wrote the workbook; soffice --headless --convert-to xlsx:"Calc MS Excel 2007 XML" recalculated it'),
                 page.name, expect)
        raw_expect = {"sheets": sheet_facts, "formulas": [dict(f, value=None) for f in formulas], "cached_values": False,
                      "number_cell": {"sheet": "Totals", "ref": "B8", "value": totals[-1][2]}}
        self.fixtures["sqlite-tables.xlsx"]["made_by"]["openpyxl"] = metadata.version("openpyxl")
        check(openpyxl.load_workbook(raw, data_only=True)["Totals"]["B2"].value is None, "openpyxl wrote a cached value")
        self.add("openpyxl-formulas.xlsx", "xlsx", self.py("openpyxl", "openpyxl.Workbook() as written: formulas without cached values"),
                 page.name, raw_expect)
        ods = self.office.convert(final, "ods", os.path.join(self.tmp, "calc-ods"))
        shutil.copyfile(ods, self.out("sqlite-tables.ods"))
        got = read_ods(ods)
        check([t["name"] for t in got] == names, "ods sheet names %s" % [t["name"] for t in got])
        for (name, rows), t in zip(sheets, got):
            check(t["rows"][0][:2] == rows[0] and t["rows"][1][0] == rows[1][0], "ods %s" % name)
        tot = got[2]["rows"]
        for i, f in enumerate(formulas, start=1):
            v = f["value"]
            shown = tot[i][1]
            check(shown == (("%g" % v) if isinstance(v, (int, float)) else v), "ods Totals row %d: %r vs %r" % (i + 1, shown, v))
        self.add("sqlite-tables.ods", "ods", self.lo("soffice --headless --convert-to ods sqlite-tables.xlsx"), page.name,
                 {k: v for k, v in expect.items() if k != "shared_strings"})

    # 5. text PDF and scanned (image-only) PDF
    def pdfs(self):
        import img2pdf
        from PIL import Image
        page = self.pages[PDF_PAGE]
        pdf_dir = os.path.join(self.tmp, "pdf")
        full = self.office.convert(self.src(page.name), "pdf:writer_pdf_Export", pdf_dir, infilter="HTML (StarWriter)")
        for n in range(1, PDF_PAGES + 1):
            run(["pdfseparate", "-f", str(n), "-l", str(n), full, os.path.join(pdf_dir, "p%d.pdf" % n)])
        text_pdf = self.out("text-2pages.pdf")
        run(["pdfunite"] + [os.path.join(pdf_dir, "p%d.pdf" % n) for n in range(1, PDF_PAGES + 1)] + [text_pdf])
        pages = []
        for n in range(1, PDF_PAGES + 1):
            t = run(["pdftotext", "-f", str(n), "-l", str(n), "-enc", "UTF-8", text_pdf, "-"])
            pages.append({"number": n, "text_first_200": norm(t)[:200]})
            check(len(norm(t)) > 200, "page %d has little text" % n)
        for dpi in (150, 120, 100):
            for f in os.listdir(pdf_dir):
                if f.startswith("scan"):
                    os.remove(os.path.join(pdf_dir, f))
            run(["pdftoppm", "-r", str(dpi), "-gray", "-png", text_pdf, os.path.join(pdf_dir, "scan")])
            pngs = sorted(os.path.join(pdf_dir, f) for f in os.listdir(pdf_dir) if f.startswith("scan") and f.endswith(".png"))
            check(len(pngs) == PDF_PAGES, "rendered pages")
            for png in pngs:
                # poppler 22.12 writes -gray PNGs as 8-bit RGB (R = G = B); store them as 8-bit gray.
                with Image.open(png) as im:
                    gray = im.convert("L")
                gray.save(png, optimize=True, dpi=(dpi, dpi))  # keeps the page at its paper size
            data = img2pdf.convert(pngs, nodate=True, engine=img2pdf.Engine.internal)
            if len(data) <= PDF_MAX_BYTES:
                break
        scanned = self.out("scanned-2pages.pdf")
        with open(scanned, "wb") as f:
            f.write(data)
        check(run(["pdftotext", scanned, "-"]).strip() == "", "scanned PDF has a text layer")
        for pdf in (text_pdf, scanned):
            check(re.search(r"^Pages:\s+%d$" % PDF_PAGES, run(["pdfinfo", pdf]), re.M) is not None, "%s pages" % pdf)
        popp = "poppler-utils " + deb_version("poppler-utils")
        self.add("text-2pages.pdf", "pdf",
                 dict(self.lo("soffice --headless --infilter='HTML (StarWriter)' --convert-to pdf limits.html; pages 1-2 kept with pdfseparate + pdfunite"),
                      poppler=popp),
                 page.name, {"pages": pages, "text_layer": True})
        self.add("scanned-2pages.pdf", "pdf",
                 {"tool": "img2pdf", "version": metadata.version("img2pdf"), "poppler": popp,
                  "how": "pdftoppm -r %d -gray -png text-2pages.pdf, PNGs re-saved as 8-bit gray (Pillow), then img2pdf (no text layer)" % dpi,
                  "dpi": dpi},
                 page.name, {"pages": pages, "text_layer": False,
                             "note": "pages hold the text of text-2pages.pdf's pages as images; compare OCR to text_first_200 loosely"})

    # 6. bad inputs
    def bad(self):
        import msoffcrypto
        from msoffcrypto.method import ecma376_agile
        rng = random.Random(SEED)
        from msoffcrypto.method.container import ecma376_encrypted
        ecma376_agile._random_buffer = lambda n: rng.randbytes(n)  # a seeded salt and key: reproducible bytes
        ecma376_encrypted.datetime = FixedDatetime  # the OLE directory's creation/modification times
        for src, rel in (("python-docx.docx", "bad/encrypted.docx"), ("sqlite-tables.xlsx", "bad/encrypted.xlsx")):
            with open(self.out(src), "rb") as f, open(self.out(rel), "wb") as o:
                msoffcrypto.OfficeFile(f).encrypt(PASSWORD, o)
            with open(self.out(rel), "rb") as f:
                check(f.read(8) == bytes.fromhex("d0cf11e0a1b11ae1"), "%s is not an OLE container" % rel)
                f.seek(0)
                office = msoffcrypto.OfficeFile(f)
                check(office.is_encrypted(), "%s not encrypted" % rel)
                office.load_key(password=PASSWORD)
                plain = io.BytesIO()
                office.decrypt(plain)
            with open(self.out(src), "rb") as f:
                check(plain.getvalue() == f.read(), "%s does not decrypt to %s" % (rel, src))
            self.add(rel, "encrypted", {"tool": "msoffcrypto-tool", "version": metadata.version("msoffcrypto-tool"),
                                        "how": "OfficeFile(%s).encrypt(password) (ECMA-376 agile encryption in an OLE/CFB container)" % src},
                     self.fixtures[src]["source"], {"outcome": "reject", "reason": "encrypted", "password": PASSWORD,
                                                    "magic_hex": "d0cf11e0a1b11ae1", "decrypts_to": src})

        head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<w:document xmlns:w="%s"><w:body>' % W)
        tail = "</w:body></w:document>"

        def para(t):
            return "<w:p><w:r><w:t>%s</w:t></w:r></w:p>" % t

        # A ZIP bomb: well-formed XML, 1 GiB of spaces between two paragraphs, about 1 MB on disk.
        rel = "bad/zip-bomb.docx"
        prefix = head + para("This document expands to one gibibyte of whitespace.")
        suffix = para("The end of the bomb.") + tail
        left = BOMB_SIZE - len(prefix) - len(suffix)
        chunk = b" " * (8 << 20)
        with zipfile.ZipFile(self.out(rel), "w") as z:
            _docx_skeleton(z)
            with z.open(zinfo("word/document.xml"), "w") as w:
                w.write(prefix.encode())
                while left:
                    k = min(left, len(chunk))
                    w.write(chunk[:k])
                    left -= k
                w.write(suffix.encode())
        with zipfile.ZipFile(self.out(rel)) as z:
            info = z.getinfo("word/document.xml")
        size = os.path.getsize(self.out(rel))
        check(size < 2_000_000, "zip bomb is %d bytes" % size)
        self.add(rel, "zip-bomb", {"tool": "python zipfile", "version": sys.version.split()[0],
                                   "how": "ZIP_DEFLATED level 9, written in streamed pieces"},
                 None, {"outcome": "reject", "reason": "too large when decompressed", "entry": "word/document.xml",
                        "uncompressed_size": info.file_size, "compressed_size": info.compress_size,
                        "ratio": round(info.file_size / info.compress_size)})

        # Cut off in the middle of an element.
        rel = "bad/malformed.docx"
        whole = head + para("The first paragraph is complete.") + para("The second paragraph is cut off") + tail
        cut = whole.index("cut off") + len("cut off")  # inside <w:t>, two paragraphs before the end
        with zipfile.ZipFile(self.out(rel), "w") as z:
            _docx_skeleton(z)
            z.writestr(zinfo("word/document.xml"), whole[:cut])
        try:
            with zipfile.ZipFile(self.out(rel)) as z:
                etree.fromstring(z.read("word/document.xml"))
            die("malformed.docx parsed")
        except etree.XMLSyntaxError:
            pass
        self.add(rel, "malformed", {"tool": "python zipfile", "version": sys.version.split()[0],
                                    "how": "a DOCX whose word/document.xml stops inside an element"},
                 None, {"outcome": "reject", "reason": "malformed XML", "entry": "word/document.xml",
                        "ends_with": whole[:cut][-20:]})

        # External entity (XXE).
        rel = "bad/xxe.docx"
        visible = "Text before the entity."
        doc = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
               '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>\n'
               '<w:document xmlns:w="%s"><w:body>' % W
               + para(visible) + para("Host: &xxe;") + tail)
        with zipfile.ZipFile(self.out(rel), "w") as z:
            _docx_skeleton(z)
            z.writestr(zinfo("word/document.xml"), doc)
        self.add(rel, "xxe", {"tool": "python zipfile", "version": sys.version.split()[0],
                              "how": "a DOCX whose word/document.xml declares an external entity and uses it"},
                 None, {"outcome": "reject-or-ignore-entity", "reason": "external entity", "entity": "xxe",
                        "entity_system_id": "file:///etc/hostname", "visible_text": visible,
                        "must_not_contain_contents_of": "/etc/hostname"})

        rel = "bad/not-a-zip.pptx"
        with open(self.out(rel), "w") as f:
            f.write("This is plain text with a .pptx name, not a PowerPoint file.\n")
        self.add(rel, "not-a-zip", {"tool": "python", "version": sys.version.split()[0], "how": "a text file"},
                 None, {"outcome": "reject", "reason": "not a ZIP container"})


def _repeat_header(table):
    """Marks a python-docx table's first row as its header row (w:tblHeader)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _docx_skeleton(z):
    z.writestr(zinfo("[Content_Types].xml"),
               '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
               '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
               '<Default Extension="xml" ContentType="application/xml"/>'
               '<Override PartName="/word/document.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
               '</Types>')
    z.writestr(zinfo("_rels/.rels"),
               '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<Relationships xmlns="%s"><Relationship Id="rId1" '
               'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
               'Target="word/document.xml"/></Relationships>' % PR)


def main():
    for tool in ("soffice", "pdftotext", "pdftoppm", "pdfseparate", "pdfunite", "pdfinfo"):
        if shutil.which(tool) is None:
            die("%s not found: run scripts/make-document-fixtures (it installs what is missing)" % tool)
    for page in (WRITER_PAGE, AUTHORED_PAGE, PDF_PAGE):
        if not os.path.exists(os.path.join(SRC, page)):
            die("%s missing: apt-get install sqlite3-doc" % os.path.join(SRC, page))
    with tempfile.TemporaryDirectory(prefix="lore-doc-fixtures-") as tmp:
        stage = os.path.join(tmp, "stage")
        os.makedirs(stage)
        b = Build(tmp, stage)
        b.writer_documents()
        b.python_docx()
        b.slides()
        b.workbook()
        b.pdfs()
        b.bad()
        sq = deb_version("sqlite3-doc")
        manifest = {
            "schema": 1,
            "generator": "scripts/make-document-fixtures",
            "notes": [
                "Texts (headings, sentences, cells, slide lines, notes) are whitespace-collapsed: compare after replacing every run "
                "of whitespace (NBSP, tabs, line breaks such as <w:br/> or <text:line-break/>) in the extracted text with one space.",
                "Expected facts come from the parsed source pages (the generator's inputs) and were checked against each file when it was made.",
                "LibreOffice embeds the conversion time (and EPUB a random identifier), so its files change in those bytes on every run; "
                "python-docx/python-pptx/openpyxl files use fixed dates, and the encrypted files a seeded salt.",
                "Table body_cells: row and column are 0-based, row 0 is the header row.",
            ],
            "tools": {
                "libreoffice": b.office.version,
                "python-docx": metadata.version("python-docx"),
                "python-pptx": metadata.version("python-pptx"),
                "openpyxl": metadata.version("openpyxl"),
                "msoffcrypto-tool": metadata.version("msoffcrypto-tool"),
                "img2pdf": metadata.version("img2pdf"),
                "pillow": metadata.version("pillow"),
                "lxml": metadata.version("lxml"),
                "poppler-utils": deb_version("poppler-utils"),
                "python": sys.version.split()[0],
            },
            "sources": {p.name: {"path": p.path, "package": "sqlite3-doc", "package_version": sq, "title": p.title, "sha256": p.sha256}
                        for p in b.pages.values()},
            "fixtures": {},
        }
        for rel in sorted(b.fixtures):
            f = b.fixtures[rel]
            manifest["fixtures"][rel] = f
        with open(os.path.join(stage, "manifest.json"), "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=2, ensure_ascii=False)
            f.write("\n")
        total = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(stage) for n in ns)
        check(total < 2_600_000, "fixtures total %d bytes" % total)
        # Replace what a previous run wrote; keep the hand-written files.
        os.makedirs(OUT, exist_ok=True)
        for d, _, names in os.walk(OUT, topdown=False):
            for n in names:
                rel = os.path.relpath(os.path.join(d, n), OUT)
                if rel not in KEEP:
                    os.remove(os.path.join(d, n))
            if d != OUT and not os.listdir(d):
                os.rmdir(d)
        for d, _, names in os.walk(stage):
            for n in names:
                src = os.path.join(d, n)
                dst = os.path.join(OUT, os.path.relpath(src, stage))
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copyfile(src, dst)
        for rel in sorted(manifest["fixtures"]) + ["manifest.json"]:
            print("%9d  %s" % (os.path.getsize(os.path.join(OUT, rel)), os.path.relpath(os.path.join(OUT, rel), ROOT)))
        print("%9d  total" % total)


if __name__ == "__main__":
    main()
