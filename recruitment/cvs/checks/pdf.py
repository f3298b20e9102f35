"""PDF checks: a strict parse, nothing after ``%%EOF``, no hidden archive, no active content.

Recruiters open CVs in desktop viewers and browsers, so a CV must be a document and nothing
more: no scripts, no actions that run or fetch anything by themselves, no attachments.

The checks run on the web worker, so their cost is bounded too: see pdf_budget.
"""

from __future__ import annotations

import io
import logging
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    TextStringObject,
)

from ..text import pdf_text
from .errors import CvRejected, rejected
from .links import is_unsafe_link
from .pdf_budget import (
    MAX_PDF_OBJECTS,
    GuardedPdfStream,
    ScanBudget,
    check_parsing_stays_measured,
    scan_file,
)

# Every node the walk touches (numbers and names inside dictionaries and arrays included).
MAX_PDF_NODES = 2_000_000

# Names that make a viewer run code, launch programs, open other files, submit data or carry
# attachments. pypdf decodes "#xx" escapes, so "/J#61vaScript" arrives here as "/JavaScript".
# They are checked wherever they appear (as keys, e.g. /JS, /AA, /EmbeddedFiles, /XFA, or as
# values, e.g. /S /Launch, /Type /EmbeddedFile, /Subtype /RichMedia).
ACTIVE_CONTENT_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/AA",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        # JavaScript run when a 3D annotation is instantiated.
        "/OnInstantiate",
    }
)

# Whitespace as PDF defines it; some producers pad the end of the file with it.
_PDF_WHITESPACE = b"\x00\t\n\x0c\r "


def check_pdf(data: bytes, *, read_text: bool = False) -> str | None:
    """Raise CvRejected unless ``data`` is a plain, unencrypted PDF. With ``read_text``,
    return its text (best effort, bounded: recruitment.cvs.text, "" when it cannot be
    read); else None. No side effects."""
    _check_nothing_after_end(data)
    _check_no_hidden_archive(data)
    budget = ScanBudget()
    layout = scan_file(data, budget)
    stream = GuardedPdfStream(data)
    with _pypdf_warnings() as pypdf_warnings:
        try:
            reader = PdfReader(stream, strict=True, xref_stream_maximum_entries=MAX_PDF_OBJECTS)
            stream.opened()
            if reader.is_encrypted:
                raise rejected("pdf_encrypted")
            check_parsing_stays_measured(reader, data, layout, budget)
            _check_objects(reader)
        except CvRejected:
            raise
        # Opening an AES-encrypted file needs an optional crypto library; either way the
        # file is encrypted, and recruiters must be able to open it.
        except (DependencyError, FileNotDecryptedError):
            raise rejected("pdf_encrypted") from None
        # pypdf raises a wide variety of exceptions on hostile input (PdfReadError, but also
        # ValueError, KeyError, TypeError, RecursionError...). Every one means "not a PDF we
        # can vouch for". `from None` keeps pypdf's message, which may quote the file, out of
        # tracebacks and logs.
        except Exception as error:
            # The guard's own refusal may reach here wrapped in pypdf's exceptions.
            code = stream.violation or (
                "pdf_too_complex" if _hit_a_limit(error) else "pdf_malformed"
            )
            raise rejected(code) from None
    # pypdf swallows some exceptions in strict mode too; a refusal from the guard stands.
    if stream.violation:
        raise rejected(stream.violation)
    # In strict mode pypdf still *repairs* some defects (e.g. an object missing from the
    # cross-reference table, found by scanning the raw bytes) and only logs a warning. A
    # repair is where viewers disagree about what the file contains, so it is an error here.
    if pypdf_warnings.count:
        raise rejected("pdf_malformed")
    # Only now, on the parse the checks accepted: nothing the text reading does can change
    # the verdict (a failure there leaves the text empty).
    return pdf_text(reader.pages) if read_text else None


def _hit_a_limit(error: BaseException) -> bool:
    """Whether pypdf gave up because of one of its resource limits (it sometimes wraps
    LimitReachedError in a PdfReadError)."""
    current: BaseException | None = error
    for _depth in range(10):
        if current is None:
            return False
        if isinstance(current, LimitReachedError):
            return True
        current = current.__cause__ or current.__context__
    return False


def _check_nothing_after_end(data: bytes) -> None:
    """Reject data after the last ``%%EOF``: it is how PDF/HTML and PDF/ZIP polyglots are
    built (each format's reader ignores the other's bytes)."""
    end = data.rfind(b"%%EOF")
    if end < 0:
        raise rejected("pdf_malformed")
    if data[end + len(b"%%EOF") :].strip(_PDF_WHITESPACE):
        raise rejected("pdf_trailing_data")


def _check_no_hidden_archive(data: bytes) -> None:
    """Reject a PDF that ZIP tools also open. A ZIP can sit between PDF objects with the PDF
    trailer last, which the trailing-data check cannot see; ZIP readers find it anyway."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            has_entries = bool(archive.infolist())
    # zipfile raises assorted errors on bytes that are not an archive; any failure to open
    # one means there is no archive to worry about.
    except Exception:
        return
    if has_entries:
        raise rejected("pdf_polyglot")


# --------------------------------------------------------------------------------------------
# Walking the objects
# --------------------------------------------------------------------------------------------


def _check_objects(reader: PdfReader) -> None:
    """Walk every object reachable from the trailer and every object the cross-reference
    data lists (including objects inside compressed object streams, which pypdf decodes):
    content that nothing references is still content a lenient viewer may find.

    Iterative with a visited set, so reference cycles and deep nesting cannot recurse or
    loop; node and object counts are capped.
    """
    references = _listed_references(reader)
    if len(references) > MAX_PDF_OBJECTS:
        raise rejected("pdf_too_complex")
    pending: list[Any] = [reader.trailer, *references]
    seen: set[tuple[int, int]] = set()
    visited = 0
    while pending:
        node = pending.pop()
        visited += 1
        if visited > MAX_PDF_NODES:
            raise rejected("pdf_too_complex")
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key not in seen:
                seen.add(key)
                if len(seen) > MAX_PDF_OBJECTS:
                    raise rejected("pdf_too_complex")
                pending.append(reader.get_object(node))
        elif isinstance(node, DictionaryObject):  # stream dictionaries included
            _check_dictionary(node)
            # dict.items, not DictionaryObject's accessors: keep references unresolved so
            # they go through the visited set above.
            for key, value in dict.items(node):
                pending.append(key)
                pending.append(value)
        elif isinstance(node, ArrayObject):
            pending.extend(list.__iter__(node))
        elif isinstance(node, NameObject) and node in ACTIVE_CONTENT_NAMES:
            raise rejected("pdf_active_content")


def _listed_references(reader: PdfReader) -> list[IndirectObject]:
    """One reference per object in the cross-reference tables and object streams."""
    references = [
        IndirectObject(number, generation, reader)
        for generation, table in reader.xref.items()
        for number in table
    ]
    references += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    return references


def _check_dictionary(dictionary: DictionaryObject) -> None:
    """Checks that depend on a dictionary's shape rather than on a single name."""
    open_action = _resolved(dictionary, "/OpenAction")
    # LaTeX (hyperref) and others set /OpenAction to a destination ("open at page 1, fit
    # width"), which runs nothing. Any other action would fire by itself on opening: a
    # script, a launched program, or a URL opened without a click (tracking, phishing).
    if isinstance(open_action, DictionaryObject) and (
        _resolved(open_action, "/S") != "/GoTo" or "/Next" in open_action
    ):
        raise rejected("pdf_active_content")
    if _resolved(dictionary, "/S") == "/URI":
        target = _resolved(dictionary, "/URI")
        if not isinstance(target, (TextStringObject, ByteStringObject)):
            raise rejected("pdf_malformed")
        text = target.decode("latin-1") if isinstance(target, bytes) else str(target)
        if is_unsafe_link(text):
            raise rejected("unsafe_link")


def _resolved(dictionary: DictionaryObject, key: str) -> Any:
    """The value under ``key`` with an indirect reference followed (None when absent)."""
    value = dict.get(dictionary, key)
    return None if value is None else value.get_object()


class _WarningCounter(logging.Handler):
    """Counts pypdf warnings logged by one thread (other requests may be parsing too).
    It never formats records: their text can quote the file."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        # record.thread is None only when logging.logThreads is off; count it then, since
        # a missed warning is worse than a refused CV.
        if record.thread in (self.thread, None):
            self.count += 1


@contextmanager
def _pypdf_warnings() -> Iterator[_WarningCounter]:
    """Count warnings pypdf logs in this thread while the block runs.

    Side effect: a handler is attached to the "pypdf" logger for the duration. pypdf logs
    through child loggers ("pypdf._reader"...), which propagate to it; if the project's
    logging configuration raises their level above WARNING, nothing is counted.
    """
    counter = _WarningCounter()
    logger = logging.getLogger("pypdf")
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
