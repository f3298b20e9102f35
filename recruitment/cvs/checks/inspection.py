"""``inspect_cv``: decide what an uploaded CV is from its bytes, and whether to accept it.

The file name and the client's Content-Type are never consulted: both are chosen by whoever
uploads the file. The type comes from magic bytes, and the content type stored and served
later is the one chosen here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import IO, Literal

from .docx import check_docx
from .errors import OLE2_MESSAGE, CvRejected, rejected, too_large
from .pdf import check_pdf

PDF_CONTENT_TYPE = "application/pdf"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_CHUNK_SIZE = 64 * 1024
_PDF_MAGIC = b"%PDF-"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class InspectedCv:
    """An accepted CV, described by the server (nothing here comes from the client)."""

    kind: Literal["pdf", "docx"]
    content_type: str
    size: int
    sha256: str  # hex digest of the whole file
    # The document's text for the talent pool's search (recruitment.cvs.text): personal
    # data, stored on the CV's row; "" when it could not be read, None when it was not
    # asked for (an upload: the worker reads it later, recruitment.cvs.extraction).
    # Not compared (two reads of the same bytes are the same CV) and never in a repr, so
    # no traceback or log line can carry it.
    text: str | None = field(default=None, compare=False, repr=False)


def inspect_cv(fileobj: IO[bytes], *, max_bytes: int, read_text: bool = False) -> InspectedCv:
    """Validate a CV by its content; raise CvRejected when it must not be stored. With
    `read_text`, the result carries the document's text, read by the same parse (best
    effort, capped); without it (an upload being answered), the text is None: reading it
    costs a PDF more than all the checks, so the worker does it after the upload
    (recruitment.cvs.extraction).

    Reads ``fileobj`` from position 0 in chunks, holding at most ``max_bytes`` (plus one
    chunk) in memory, and stops as soon as the limit is passed. The position is reset to 0
    before returning or raising. No other side effects (nothing is written or logged), so it
    is safe to call repeatedly. Accepts Django's UploadedFile: a ``size`` attribute above
    ``max_bytes`` (as SizeCappedUploadHandler reports for a truncated upload) is rejected
    before anything is read.
    """
    try:
        data, sha256 = _read_capped(fileobj, max_bytes)
        kind = _sniff(data)
        if kind == "pdf":
            text = check_pdf(data, read_text=read_text)
            content_type = PDF_CONTENT_TYPE
        else:
            text = check_docx(data, read_text=read_text)
            content_type = DOCX_CONTENT_TYPE
        return InspectedCv(
            kind=kind, content_type=content_type, size=len(data), sha256=sha256, text=text
        )
    finally:
        fileobj.seek(0)


def _read_capped(fileobj: IO[bytes], max_bytes: int) -> tuple[bytes, str]:
    """The whole file and its SHA-256, or too_large as soon as it passes ``max_bytes``."""
    declared_size = getattr(fileobj, "size", None)
    if isinstance(declared_size, int) and declared_size > max_bytes:
        raise too_large(max_bytes)
    fileobj.seek(0)
    digest = hashlib.sha256()
    buffer = bytearray()
    while chunk := fileobj.read(_CHUNK_SIZE):
        buffer += chunk
        if len(buffer) > max_bytes:
            raise too_large(max_bytes)
        digest.update(chunk)
    if not buffer:
        raise rejected("empty")
    return bytes(buffer), digest.hexdigest()


def _sniff(data: bytes) -> Literal["pdf", "docx"]:
    """The kind of file by its first bytes. Viewers that tolerate a PDF header later in the
    file are exactly why the header must be at byte 0: anything before it is a polyglot."""
    if data.startswith(_PDF_MAGIC):
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        return "docx"
    if data.startswith(_OLE2_MAGIC):
        raise CvRejected("unsupported_type", OLE2_MESSAGE)
    raise rejected("unsupported_type")
