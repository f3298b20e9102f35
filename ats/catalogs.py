"""Translation catalogues: the Cyrillic Serbian one is generated from the Latin one, and every
catalogue is compiled to the `.mo` file Django reads.

Run `python -m ats.catalogs` (or `make messages`, which extracts the strings first) after
editing any `.po` file. It needs no Django settings and no gettext tools (polib does the work),
and it is rerun-safe: it rewrites `locale/sr/LC_MESSAGES/django.po` and every `django.mo` from
their sources. tests/test_translations.py fails if either is stale.

Serbian is written in both scripts and maps letter for letter between them, so the Cyrillic
catalogue is the Latin one transliterated. What must not change is kept verbatim:
placeholders, HTML tags and entities, URLs, email addresses, `code`, quoted identifiers
("profile"), file names and a few technical words (PDF, JSON...).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

# polib is a development tool; `to_cyrillic` also serves the running site (message
# templates' Cyrillic text), where only the catalogue functions would need it.
if TYPE_CHECKING:
    import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LATIN = "sr_Latn"
CYRILLIC = "sr"

_DIGRAPHS = {
    "Lj": "Љ", "LJ": "Љ", "lj": "љ",
    "Nj": "Њ", "NJ": "Њ", "nj": "њ",
    "Dž": "Џ", "DŽ": "Џ", "dž": "џ",
}  # fmt: skip
_LETTERS = dict(
    zip(
        "ABVGDĐEŽZIJKLMNOPRSTĆUFHCČŠabvgdđežzijklmnoprstćufhcčš",
        "АБВГДЂЕЖЗИЈКЛМНОПРСТЋУФХЦЧШабвгдђежзијклмнопрстћуфхцчш",
        strict=True,
    )
)
# Words in which "nj", "dž" are two letters (prefix + root), not one: left to letter rules.
_SPLIT_DIGRAPH_PREFIXES = ("nadž", "podž", "odž", "injekc", "konjunk", "konjug")
# Technical words that stay in Latin letters in Cyrillic Serbian text.
_KEPT_WORDS = {
    "CV", "PDF", "DOCX", "JSON", "UTF", "SHA", "ISO", "UTC", "ZIP", "URL", "HTTP", "HTTPS",
    "Linux", "macOS", "Windows", "FILE", "README", "ID", "Word", "ActiveX", "XML", "DDE", "Office",
    "CSV", "HTML",
}  # fmt: skip
_KEPT = re.compile(
    r"%\([^)]+\)[sdfr]|%[sdf%]|\{\w*\}"  # placeholders
    r"|<[^>]+>|&#?\w+;"  # HTML tags and entities
    r"|https?://\S+|[\w.+-]+@[\w-]+\.[\w.-]+"  # URLs and email addresses
    r"|`[^`]*`"  # code
    r"|(?<=[\"„“”])[A-Za-z0-9_./-]+(?=[\"“”])"  # quoted identifiers: "profile", "Z"
    r"|[\w-]*\.(?:json|txt|pdf|docx?|zip|csv)\b|\bcvs/"  # file names and extensions
    r"|(?P<word>\b[A-Za-z]+\b)"  # ASCII words: kept only if technical (_KEPT_WORDS)
)


def to_cyrillic(text: str) -> str:
    """Serbian Latin text in Cyrillic script, with the parts listed above kept verbatim."""
    out: list[str] = []
    position = 0
    for match in _KEPT.finditer(text):
        out.append(_letters(text[position : match.start()]))
        word = match.group("word")
        out.append(_letters(word) if word and word not in _KEPT_WORDS else match.group(0))
        position = match.end()
    out.append(_letters(text[position:]))
    return "".join(out)


def _letters(text: str) -> str:
    out: list[str] = []
    i = 0
    lowered = text.lower()
    while i < len(text):
        pair = text[i : i + 2]
        if pair in _DIGRAPHS and not _splits_digraph(lowered, i):
            out.append(_DIGRAPHS[pair])
            i += 2
            continue
        out.append(_LETTERS.get(text[i], text[i]))
        i += 1
    return "".join(out)


def _splits_digraph(lowered: str, i: int) -> bool:
    """Whether the digraph at `i` is two letters, as in "nadživeti" or "injekcija"."""
    start = i
    while start > 0 and lowered[start - 1].isalpha():
        start -= 1
    word = lowered[start:]
    return any(
        word.startswith(prefix) and start + len(prefix) - 2 <= i < start + len(prefix)
        for prefix in _SPLIT_DIGRAPH_PREFIXES
    )


def cyrillic_catalogue(latin: polib.POFile) -> polib.POFile:
    """The Cyrillic catalogue for the Latin one: same entries, transliterated translations."""
    import polib

    cyrillic = polib.POFile(wrapwidth=79)
    cyrillic.header = "Serbian (Cyrillic) translation, generated from sr_Latn by ats/catalogs.py."
    cyrillic.metadata = {**latin.metadata, "Language": CYRILLIC}
    for entry in latin:
        if entry.obsolete:
            continue
        copy = polib.POEntry(
            msgid=entry.msgid,
            msgctxt=entry.msgctxt,
            msgid_plural=entry.msgid_plural,
            occurrences=entry.occurrences,
            flags=list(entry.flags),
        )
        if entry.msgid_plural:
            copy.msgstr_plural = {n: to_cyrillic(s) for n, s in entry.msgstr_plural.items()}
        else:
            copy.msgstr = to_cyrillic(entry.msgstr)
        cyrillic.append(copy)
    return cyrillic


def catalogue_path(language: str, suffix: str = "po") -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"django.{suffix}"


def languages() -> Iterable[str]:
    return sorted(path.name for path in LOCALE_DIR.iterdir() if catalogue_path(path.name).exists())


def build() -> None:
    """Writes locale/sr from locale/sr_Latn, then every django.mo from its django.po."""
    import polib

    latin = polib.pofile(str(catalogue_path(LATIN)), wrapwidth=79)
    cyrillic_path = catalogue_path(CYRILLIC)
    cyrillic_path.parent.mkdir(parents=True, exist_ok=True)
    cyrillic_catalogue(latin).save(str(cyrillic_path))
    for language in languages():
        polib.pofile(str(catalogue_path(language))).save_as_mofile(
            str(catalogue_path(language, "mo"))
        )
        print(f"compiled {catalogue_path(language, 'mo').relative_to(LOCALE_DIR.parent)}")


if __name__ == "__main__":
    build()
    sys.exit(0)
