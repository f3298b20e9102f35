"""An upload handler that stops writing a file to disk once it passes the CV size limit."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import HttpRequest


class SizeCappedUploadHandler(TemporaryFileUploadHandler):
    """Stream each uploaded file to a temporary file, but write at most ``max_bytes`` of it.

    Further chunks are discarded but still counted, and ``file_complete`` returns the file
    with ``.size`` set to the real total, so a form (or ``inspect_cv``, which checks
    ``.size``) rejects it as too large without the excess ever reaching the disk. The
    content of such a file is truncated: always check ``.size`` first.

    ``max_bytes`` defaults to ``settings.CV_MAX_BYTES``, read when the handler is built
    (Django builds one per request), never at import. Install it as the only handler for
    the request: it consumes every chunk, so later handlers receive none. Side effects: one
    temporary file per uploaded file, removed by Django when the request ends.
    """

    def __init__(self, request: HttpRequest | None = None, *, max_bytes: int | None = None) -> None:
        super().__init__(request)
        self.max_bytes = int(settings.CV_MAX_BYTES) if max_bytes is None else max_bytes
        self.received = 0

    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, bytes] | None = None,
    ) -> None:
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        room = self.max_bytes - self.received
        if room > 0:
            self.file.write(raw_data[:room])
        self.received += len(raw_data)
        return None  # consumed: later handlers must not store what this one refused

    def file_complete(self, file_size: int) -> UploadedFile | None:
        self.file.seek(0)
        self.file.size = self.received
        return self.file
