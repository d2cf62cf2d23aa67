#!/usr/bin/env python3
"""(Re)creates the generated ingest fixtures deterministically.

    python3 Tests/Fixtures/ingest/make_fixtures.py

Writes, relative to this directory:
  good/doc.pdf          2 pages: "PAGEONE alpha" / "PAGETWO beta"
  bad/truncated.pdf     the first 40% of good/doc.pdf's bytes
  bad/binary.txt        PNG signature + 1 KB of seeded random bytes (contains NULs)
  bad/invalid-utf8.txt  English text with invalid UTF-8 sequences and a truncated
                        multibyte character at the very end
  bad/empty.txt         0 bytes
  bad/whitespace.md     only spaces, tabs and newlines
All other fixtures are hand-written text files. Output is byte-identical on every run.
"""
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_pdf import build_pdf  # noqa: E402

TRUNCATE_FRACTION = 0.40


def write(rel, data):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    print("%-22s %6d bytes" % (rel, len(data)))


def main():
    pdf = build_pdf([["PAGEONE alpha"], ["PAGETWO beta"]], title="Fixture PDF")
    write("good/doc.pdf", pdf)
    write("bad/truncated.pdf", pdf[: int(len(pdf) * TRUNCATE_FRACTION)])

    rng = random.Random(20240415)
    png_signature = b"\x89PNG\r\n\x1a\n"
    ihdr = b"\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
    body = bytes(rng.randrange(256) for _ in range(1024 - len(png_signature) - len(ihdr)))
    write("bad/binary.txt", png_signature + ihdr + body)

    invalid = (
        b"This file is mostly ordinary English text about INVALIDUTF8 handling.\n"
        b"Here comes a lone byte order mark pair: \xff\xfe and the text goes on.\n"
        b"An invalid two-byte sequence \xc3\x28 follows the word sequence.\n"
        b"A stray continuation byte \x80 and an overlong slash \xc0\xaf appear here.\n"
        b"Valid accents still decode: caf\xc3\xa9 and na\xc3\xafve.\n"
        b"The last character is a truncated euro sign: \xe2\x82"
    )
    write("bad/invalid-utf8.txt", invalid)

    write("bad/empty.txt", b"")
    write("bad/whitespace.md", b"   \n\t\n  \t  \n\n\t\t\n    \n")


if __name__ == "__main__":
    main()
