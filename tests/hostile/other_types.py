"""Files that are not a PDF or DOCX at all (executables, HTML, images, an old .doc),
and PDFs that fail on size or framing rather than content."""

from __future__ import annotations

import struct
import zlib

from tests.hostile.pdf import valid_pdf

# --------------------------------------------------------------------------------------------
# Not a PDF or DOCX at all
# --------------------------------------------------------------------------------------------


def windows_executable() -> bytes:
    """The start of a Windows PE executable (``MZ`` ... ``PE``)."""
    header = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 56 + struct.pack("<L", 64))
    return bytes(header) + b"PE\x00\x00" + b"\x00" * 200


def elf_executable() -> bytes:
    """The start of a Linux ELF executable."""
    return b"\x7fELF\x02\x01\x01" + b"\x00" * 120


def html_with_script() -> bytes:
    """An HTML page with a script, as a stored-XSS attempt would upload."""
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def plain_text() -> bytes:
    """A CV typed as plain text."""
    return b"Jane Doe\nSenior engineer\n\nExperience: ten years of Python.\n"


def png_image() -> bytes:
    """A 1x1 PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">L", len(data)) + body + struct.pack(">L", zlib.crc32(body))

    header = struct.pack(">2L5B", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def legacy_word_doc() -> bytes:
    """An OLE2 compound file header: an old ``.doc`` or a password-protected Word file."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def pdf_after_leading_bytes() -> bytes:
    """A valid PDF preceded by a UTF-8 byte order mark (lenient viewers scan for the header)."""
    return b"\xef\xbb\xbf" + valid_pdf()


def empty_file() -> bytes:
    """Zero bytes."""
    return b""


def oversized_cv(max_bytes: int) -> bytes:
    """A valid PDF exactly one byte larger than ``max_bytes``."""
    return valid_pdf(size_bytes=max_bytes + 1)
