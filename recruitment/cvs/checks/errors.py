"""Why a CV was refused: a stable machine code plus a message a candidate can act on.

Messages say what is wrong and what to do. They never contain the file name or anything read
from the file: both are attacker-controlled, and the message is shown on a page and may be
logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    # Only in django-stubs: lazy text, whose runtime class is built by django.utils.functional.lazy.
    from django.utils.functional import _StrOrPromise

REJECTION_MESSAGES: Mapping[str, _StrOrPromise] = {
    "empty": _("Your CV file is empty. Please choose your CV file again."),
    "too_large": _(
        "Your CV is too large. Please upload a smaller file (for example a PDF "
        "without large images)."
    ),
    "unsupported_type": _(
        "We accept CVs as PDF or Word (.docx) files only. Please save your CV "
        "in one of these formats and try again."
    ),
    "unsafe_link": _(
        "Your CV contains a link we cannot accept (for example to a script, a "
        "local file or a program). Please use ordinary web or email links only "
        "and try again."
    ),
    "pdf_malformed": _(
        "Your PDF appears to be damaged or is not a standard PDF. Please export "
        "it again (for example with “Save as PDF” in your word processor) and "
        "try again."
    ),
    "pdf_encrypted": _(
        "Your PDF is password-protected or restricted (for example against "
        "copying or printing). Please save a copy without protection and try "
        "again."
    ),
    "pdf_trailing_data": _(
        "Your PDF has extra data after the end of the document. Please "
        "export it again as a plain PDF and try again."
    ),
    "pdf_polyglot": _(
        "Your PDF also contains another kind of file hidden inside it. Please "
        "export it again as a plain PDF and try again."
    ),
    "pdf_active_content": _(
        "Your CV contains embedded scripts, attachments or automatic "
        "actions. Please save it as a plain PDF and try again."
    ),
    "pdf_too_complex": _(
        "Your PDF is too complex for us to check. Please export a simpler "
        "version (for example by printing it to PDF) and try again."
    ),
    "docx_malformed": _(
        "Your Word file appears to be damaged. "
        "Please save it again as a Word document (.docx) or as PDF and try again."
    ),
    "docx_encrypted": _(
        "Your Word file is password-protected or encrypted. Please save a copy "
        "without a password, as .docx or PDF, and try again."
    ),
    "docx_too_many_entries": _(
        "Your Word file has an unusually large number of internal parts. "
        "Please save it again as a Word document (.docx) or as PDF and try again."
    ),
    "docx_too_large": _(
        "Your Word file expands to more data than we accept. Please remove "
        "large images or save your CV as PDF and try again."
    ),
    "docx_compression_ratio": _(
        "Your Word file contains unusually compressed data. "
        "Please save it again as a Word document (.docx) or as PDF and try again."
    ),
    "docx_unsafe_path": _(
        "Your Word file contains internal parts with unsafe or conflicting names. "
        "Please save it again as a Word document (.docx) or as PDF and try again."
    ),
    "docx_overlapping_entries": _(
        "Your Word file has an invalid internal structure. "
        "Please save it again as a Word document (.docx) or as PDF and try again."
    ),
    "docx_macros": _(
        "Your CV contains macros. Please save it as a regular Word document "
        "(.docx) or as PDF and try again."
    ),
    "docx_embedded_content": _(
        "Your CV contains embedded objects or controls (for example an "
        "embedded file, chart data or an ActiveX control). Please remove "
        "them or save your CV as PDF and try again."
    ),
    "docx_external_relationship": _(
        "Your CV loads content from outside the document (for "
        "example a linked template or picture). Please remove the "
        "linked content or save your CV as PDF and try again."
    ),
    "docx_content_type": _(
        "Your file is not a regular Word document (it may be a "
        "macro-enabled document, a template or another Office format). "
        "Please save it as a Word document (.docx) or as PDF and try again."
    ),
    "docx_unsafe_xml": _(
        "Your Word file contains XML features we do not accept. "
        "Please save it again as a Word document (.docx) or as PDF and try again."
    ),
    "docx_active_content": _(
        "Your CV contains fields that run commands (DDE). Please remove "
        "them or save your CV as PDF and try again."
    ),
}

# An .doc file and a password-protected .docx look the same from outside (both are OLE2
# compound files), so the message names both.
OLE2_MESSAGE = _(
    "Your CV looks like an older Word (.doc) file or a password-protected Word "
    "document. Please save it as PDF, or as a Word (.docx) file without a "
    "password, and try again."
)


class CvRejected(Exception):
    """A CV failed validation. ``code`` is stable (for logs, metrics and tests); ``message``
    is lazily translated text for the candidate."""

    code: str
    message: _StrOrPromise

    def __init__(self, code: str, message: _StrOrPromise) -> None:
        # str(exc) is the code only: safe to log, unlike anything derived from the file.
        super().__init__(code)
        self.code = code
        self.message = message


def rejected(code: str) -> CvRejected:
    """The CvRejected for ``code`` with its standard message."""
    return CvRejected(code, REJECTION_MESSAGES[code])


def too_large(max_bytes: int) -> CvRejected:
    """The "too_large" rejection, naming the limit so the candidate knows what to aim for."""
    megabytes = max_bytes / (1024 * 1024)

    def message() -> str:
        # Rendered when shown, in the language and number format of that moment.
        limit = number_format(megabytes, decimal_pos=0 if megabytes.is_integer() else 1)
        return gettext(
            "Your CV is larger than %(limit)s MB. Please upload a smaller file (for example a "
            "PDF without large images)."
        ) % {"limit": limit}

    return CvRejected("too_large", lazy(message, str)())
