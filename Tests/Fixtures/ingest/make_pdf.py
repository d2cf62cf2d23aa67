#!/usr/bin/env python3
"""Minimal, dependency-free PDF writer used to build test fixtures and the demo corpus PDF.

Writes a valid PDF 1.4 file by hand: one standard Type1 font (Helvetica, plus
Helvetica-Bold for headings) with WinAnsiEncoding, one content stream per page,
and a correct cross-reference table.

Usage as a library:

    from make_pdf import build_pdf, write_pdf
    write_pdf("out.pdf", [["Page one line"], ["# Heading", "Page two text"]])

Each page is a list of paragraphs (strings). A paragraph that starts with "# "
is drawn as a bold heading. Long paragraphs are word-wrapped; an empty string
adds a blank line.

Usage from the command line (one text file per page):

    python3 make_pdf.py out.pdf page1.txt page2.txt
"""
import sys

PAGE_W, PAGE_H = 612, 792  # US Letter, points
MARGIN = 72
BODY_SIZE, HEAD_SIZE = 11, 14
LEADING = 15
WRAP_CHARS = 84  # rough wrap width for 11pt Helvetica in a 468pt column
MAX_LINES = (PAGE_H - 2 * MARGIN) // LEADING  # lines that fit on one page


def _escape(text):
    """Encode text as WinAnsi (cp1252) and escape it for a PDF literal string."""
    raw = text.encode("cp1252", errors="replace")
    out = bytearray()
    for b in raw:
        if b in (0x5C, 0x28, 0x29):  # \ ( )
            out += b"\\" + bytes([b])
        elif b < 0x20 or b > 0x7E:
            out += b"\\%03o" % b
        else:
            out.append(b)
    return bytes(out)


def _wrap(paragraph, width=WRAP_CHARS):
    words = paragraph.split()
    if not words:
        return [""]
    lines, cur = [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = w if not cur else cur + " " + w
    lines.append(cur)
    return lines


def _page_stream(paragraphs):
    ops = [b"BT", b"%d TL" % LEADING, b"%d %d Td" % (MARGIN, PAGE_H - MARGIN)]
    first = True
    for para in paragraphs:
        if para.startswith("# "):
            font, size, lines = b"/F2", HEAD_SIZE, [para[2:].strip()]
        else:
            font, size, lines = b"/F1", BODY_SIZE, _wrap(para)
        ops.append(b"%s %d Tf" % (font, size))
        for line in lines:
            if not first:
                ops.append(b"T*")
            first = False
            if line:
                ops.append(b"(" + _escape(line) + b") Tj")
    ops.append(b"ET")
    if ops.count(b"T*") + 1 > MAX_LINES:
        raise ValueError("page text does not fit on one page (%d lines > %d)"
                         % (ops.count(b"T*") + 1, MAX_LINES))
    return b"\n".join(ops) + b"\n"


def build_pdf(pages, title=None):
    """Return the bytes of a PDF with one page per entry in `pages`."""
    objects = []  # object bodies; object number = index + 1

    def add(body):
        objects.append(body)
        return len(objects)

    catalog = add(None)          # 1, filled in below
    pages_obj = add(None)        # 2
    font1 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    font2 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    kids = []
    for paragraphs in pages:
        stream = _page_stream(paragraphs)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream")
        page = add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> /Contents %d 0 R >>"
            % (pages_obj, PAGE_W, PAGE_H, font1, font2, content)
        )
        kids.append(page)
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    objects[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    info = None
    if title:
        info = add(b"<< /Title (" + _escape(title) + b") /Producer (make_pdf.py) >>")

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    out += b"0000000000 65535 f \n"
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    if info:
        trailer += b" /Info %d 0 R" % info
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def write_pdf(path, pages, title=None):
    data = build_pdf(pages, title=title)
    with open(path, "wb") as f:
        f.write(data)
    return data


def _paragraphs_from_text(text):
    """Split a text file into paragraphs on blank lines; keep '# ' headings."""
    paras = []
    for block in text.split("\n\n"):
        block = block.strip()
        if not block:
            continue
        if block.startswith("# ") and "\n" in block:
            head, rest = block.split("\n", 1)
            paras.append(head)
            paras.append(" ".join(rest.split()))
        elif block.startswith("# "):
            paras.append(block)
        else:
            paras.append(" ".join(block.split()))
        paras.append("")
    return paras


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: make_pdf.py OUT.pdf PAGE1.txt [PAGE2.txt ...]")
    pages = []
    for p in sys.argv[2:]:
        with open(p, encoding="utf-8") as f:
            pages.append(_paragraphs_from_text(f.read()))
    write_pdf(sys.argv[1], pages)
