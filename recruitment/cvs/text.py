"""The text of a CV, extracted while the checks parse it, for the talent pool's search
(by the worker, after the upload: recruitment.cvs.extraction).

The extracted text is personal data exactly like the file it comes from: it is stored on
the CV's row (CurriculumVitae.text), exported, erased with the row, and never logged.

Extraction is best effort and bounded: an upload is never refused because its text could
not be read (the result is then ""), the text is capped at MAX_TEXT_CHARS characters, and
a PDF's pages are read only while the time budget lasts (checked between pages: one page
that takes longer is stopped by the worker's time limit, recruitment.cvs.tasks). It runs
on a file the checks have already accepted, on the parse they made (nothing is read twice).
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterable

# About 40 pages of dense text: more than any CV, and a bounded row and search vector.
MAX_TEXT_CHARS = 100_000
# A PDF's pages are read while this much time has not passed (checked between pages), and
# at most this many pages: extraction must not cost a worker what the checks saved it.
PDF_TEXT_SECONDS = 0.5
MAX_PDF_TEXT_PAGES = 60

# Control and format characters (tabs and newlines kept as spaces), and the private-use
# characters the pool's highlighting uses as marks (recruitment.pool.selectors), which
# must never come from a document.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufeff]")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


class TextCollector:
    """Text pieces gathered in document order, up to MAX_TEXT_CHARS in all."""

    def __init__(self, limit: int = MAX_TEXT_CHARS) -> None:
        self._pieces: list[str] = []
        self._room = limit

    @property
    def full(self) -> bool:
        return self._room <= 0

    def add(self, piece: str) -> None:
        if self._room <= 0 or not piece:
            return
        piece = piece[: self._room]
        self._pieces.append(piece)
        self._room -= len(piece)

    def text(self) -> str:
        return clean_text("".join(self._pieces))


def clean_text(text: str) -> str:
    """NFC-normalised text without control characters or runs of blank space, capped."""
    text = _UNWANTED.sub(" ", unicodedata.normalize("NFC", text))
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n\n", text).strip()[:MAX_TEXT_CHARS]


def pdf_text(pages: Iterable[object]) -> str:
    """The text of a PDF's pages (pypdf PageObjects of a reader the checks accepted), read
    in order while the budget lasts; "" if pypdf fails on any of it. No side effects (pypdf's
    log records go nowhere: ats.settings LOGGING)."""
    collector = TextCollector()
    deadline = time.monotonic() + PDF_TEXT_SECONDS
    try:
        for number, page in enumerate(pages):
            if number >= MAX_PDF_TEXT_PAGES or collector.full or time.monotonic() > deadline:
                break
            collector.add(page.extract_text())  # type: ignore[attr-defined]
            collector.add("\n")
    # pypdf raises all kinds of errors on odd content streams; text is a convenience and
    # must never cost the candidate their upload. `from None`-style: nothing is kept of it.
    except Exception:
        return ""
    return collector.text()
