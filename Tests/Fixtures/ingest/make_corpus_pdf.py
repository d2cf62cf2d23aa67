#!/usr/bin/env python3
"""Builds the demo corpus PDF, corpus/reference/printing-press-history.pdf (3 pages).

Run from anywhere:  python3 Tests/Fixtures/ingest/make_corpus_pdf.py
The output is deterministic (no timestamps), so re-running it gives identical bytes.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_pdf import write_pdf  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
OUT = os.path.join(ROOT, "corpus", "reference", "printing-press-history.pdf")

PAGES = [
    [
        "# A Short History of the Printing Press",
        "",
        "Before printing, every book in Europe was copied by hand. A scribe in a monastery "
        "or, from the thirteenth century on, in a commercial workshop near a university "
        "might need several months to copy a single Bible. Books were therefore rare and "
        "expensive, and every copy introduced new errors.",
        "",
        "# Printing before Gutenberg",
        "",
        "Printing itself is much older than the European press. In China, woodblock printing "
        "was in use by the seventh century: a whole page was carved in relief into a block "
        "of wood, inked, and pressed onto paper. The Diamond Sutra, dated 868, is the oldest "
        "surviving printed book with a date. Around 1040 the artisan Bi Sheng made movable "
        "type from baked clay, and in Korea a collection of Buddhist teachings known as the "
        "Jikji was printed with movable metal type in 1377, more than seventy years before "
        "the first European book printed that way.",
        "",
        "Movable type spread slowly in East Asia for a practical reason: Chinese writing "
        "needs thousands of distinct characters, so carving a single block per page was "
        "often no more work than sorting and setting individual pieces of type.",
        "",
        "# Gutenberg in Mainz",
        "",
        "Johannes Gutenberg, a goldsmith from Mainz, developed his printing system around "
        "1440 to 1450. His achievement was not one invention but a combination that worked "
        "together: a hand mould for casting large numbers of identical letters quickly; an "
        "alloy of lead, tin and antimony that melted at a low temperature and cooled without "
        "shrinking; an oil-based ink that clung to metal type, unlike the water-based inks "
        "used for woodblocks; and a screw press adapted from the presses used to make wine "
        "and paper.",
    ],
    [
        "# The Gutenberg Bible",
        "",
        "Gutenberg\u2019s best-known work, the 42-line Bible, was completed in Mainz around "
        "1455. About 180 copies were printed, some on paper and some on vellum; 49 are known "
        "to survive, not all of them complete. Its two columns of 42 lines, its dense Gothic "
        "type and its even black ink made it look like a fine manuscript \u2014 which was "
        "exactly the point, since buyers judged books by the standards of the scriptorium. "
        "Initials and decorations were still added by hand after printing.",
        "",
        "Gutenberg did not grow rich. In 1455 his financier, Johann Fust, sued him for the "
        "repayment of loans, and the workshop and much of its equipment passed to Fust and "
        "his son-in-law Peter Sch\u00f6ffer, a former scribe who had worked with Gutenberg.",
        "",
        "# How a hand press worked",
        "",
        "A compositor picked letters from a type case \u2014 capitals in the upper case, small "
        "letters in the lower case, which is where the terms uppercase and lowercase come "
        "from \u2014 and set them line by line in a composing stick. The lines were locked "
        "into a frame called a forme. The forme was inked with leather ink balls, a damp "
        "sheet of paper was laid over it, and the pressman pulled the bar of the screw press "
        "to bring the platen down. Two men working a press could print roughly 250 sheets "
        "an hour on one side. After printing, the type was cleaned and distributed back into "
        "the case to be used again.",
        "",
        "# Spread across Europe",
        "",
        "Printing spread with astonishing speed. By 1500 presses were at work in more than "
        "250 European towns, and they had produced an estimated 20 million copies of about "
        "30,000 editions. Books printed before 1501 are called incunabula, from the Latin for "
        "cradle. Venice became the leading centre: Aldus Manutius published portable editions "
        "of the classics in small formats and commissioned the first italic type in 1501.",
    ],
    [
        "# Consequences",
        "",
        "Cheaper books changed who could read and what they read. Identical copies meant "
        "that scholars in different cities could refer to the same page and the same error, "
        "and corrections could be collected in a new edition instead of being lost. "
        "Historians connect the press with the rapid spread of the Protestant Reformation "
        "after 1517, when Martin Luther\u2019s pamphlets were reprinted across Germany within "
        "weeks; with the standardization of spelling and of national languages; and with "
        "the growth of science, in which precise diagrams and tables could at last be "
        "reproduced without copying errors.",
        "",
        "# Later improvements",
        "",
        "The basic wooden hand press changed little for 350 years. Around 1800 Charles "
        "Stanhope built an all-iron press that needed much less force. In 1814 The Times of "
        "London was printed on Friedrich Koenig\u2019s steam-powered cylinder press, which "
        "produced about 1,100 sheets an hour. The rotary press of the mid-nineteenth century, "
        "printing from curved plates onto a continuous roll of paper, made cheap daily "
        "newspapers possible. Typesetting was mechanized last: Ottmar Mergenthaler\u2019s "
        "Linotype machine of 1886 cast a whole line of type at once from a keyboard.",
        "",
        "# Key dates",
        "",
        "868 \u2014 Diamond Sutra printed from woodblocks in China.",
        "c. 1040 \u2014 Bi Sheng\u2019s movable clay type.",
        "1377 \u2014 Jikji printed with movable metal type in Korea.",
        "c. 1455 \u2014 Gutenberg\u2019s 42-line Bible completed in Mainz.",
        "1501 \u2014 First italic type, for Aldus Manutius in Venice.",
        "1814 \u2014 The Times printed on a steam-powered press.",
        "1886 \u2014 Mergenthaler\u2019s Linotype machine.",
    ],
]


def main():
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    data = write_pdf(OUT, PAGES, title="A Short History of the Printing Press")
    print("wrote %s (%d bytes)" % (os.path.relpath(OUT, ROOT), len(data)))


if __name__ == "__main__":
    main()
