"""CV validation by content, never by file name or the client's Content-Type.

``inspect_cv`` accepts a PDF or a Word .docx and describes it (kind, server-chosen content
type, size, SHA-256), or raises ``CvRejected`` with a stable code and a message for the
candidate. ``SizeCappedUploadHandler`` keeps oversized uploads off the disk.
"""

from .errors import REJECTION_MESSAGES, CvRejected
from .handlers import SizeCappedUploadHandler
from .inspection import DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE, InspectedCv, inspect_cv

__all__ = [
    "DOCX_CONTENT_TYPE",
    "PDF_CONTENT_TYPE",
    "REJECTION_MESSAGES",
    "CvRejected",
    "InspectedCv",
    "SizeCappedUploadHandler",
    "inspect_cv",
]
