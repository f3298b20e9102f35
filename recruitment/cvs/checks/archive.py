"""The ZIP container of a DOCX, judged from its central directory before anything is
decompressed: entry count, names, flags, layout (no overlaps, no hidden gaps) and sizes.

Python 3.11's zipfile trusts what it is given: it reads overlapping entries (CVE-2024-0450),
truncates names at NUL bytes and ignores data after the end record. These checks do not.
"""

from __future__ import annotations

import io
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

from .errors import rejected

# Word writes a few dozen parts; even image-heavy CVs stay in the low hundreds.
MAX_ENTRIES = 1000
# Everything the archive would expand to. Far above any real CV, far below a zip bomb.
MAX_TOTAL_UNCOMPRESSED = 100 * 1024 * 1024
# Word's XML compresses 5-20:1; zeros compress ~1000:1. Small entries cannot hurt much
# whatever their ratio, so only entries above the floor are held to the cap.
MAX_COMPRESSION_RATIO = 100
COMPRESSION_RATIO_FLOOR = 1024 * 1024

_DRIVE_LETTER = re.compile(r"^[a-zA-Z]:")
# Local file header and end-of-central-directory record, as in the ZIP specification.
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_END_RECORD = struct.Struct("<4s4H2LH")
# The widest gap allowed between one entry's data and the next header: a ZIP64 data
# descriptor with its optional signature. A wider gap is room to hide another file.
_MAX_DESCRIPTOR_SIZE = 24

# Errors zipfile and zlib raise on damaged or hostile archives.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
    NotImplementedError,
    UnicodeDecodeError,
    struct.error,
)


def open_checked_archive(data: bytes) -> zipfile.ZipFile:
    """Open ``data`` as a ZIP archive whose container passed every check; the caller closes
    it. Raises CvRejected otherwise. No side effects."""
    _check_end_record(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS:
        raise rejected("docx_malformed") from None
    try:
        _check_container(data, archive.infolist(), archive.start_dir)
    except BaseException:
        archive.close()
        raise
    return archive


def _check_container(data: bytes, entries: list[zipfile.ZipInfo], central_offset: int) -> None:
    if len(entries) > MAX_ENTRIES:
        raise rejected("docx_too_many_entries")
    _check_names(entries)
    for entry in entries:
        # Word never encrypts entries (a password-protected .docx is an OLE2 file).
        if entry.flag_bits & 0x41:
            raise rejected("docx_encrypted")
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise rejected("docx_malformed")
        if entry.compress_type == zipfile.ZIP_STORED and entry.compress_size != entry.file_size:
            raise rejected("docx_malformed")
    _check_layout(data, entries, central_offset)
    _check_sizes(entries)


def _check_end_record(data: bytes) -> None:
    """The end-of-central-directory record (plus its comment) must end the file. zipfile
    ignores bytes after it, which is how DOCX/HTML polyglots are made."""
    search_from = max(0, len(data) - _END_RECORD.size - 0xFFFF)
    position = data.rfind(b"PK\x05\x06", search_from)
    if position < 0 or position + _END_RECORD.size > len(data):
        raise rejected("docx_malformed")
    comment_length = _END_RECORD.unpack_from(data, position)[-1]
    if position + _END_RECORD.size + comment_length != len(data):
        raise rejected("docx_malformed")


def _check_names(entries: Iterable[zipfile.ZipInfo]) -> None:
    """No names that escape an extraction directory or mean different things to different
    tools, no symlinks, no two parts with one name (Office compares names ignoring case)."""
    seen: set[str] = set()
    for entry in entries:
        # orig_filename: zipfile cuts ZipInfo.filename at the first NUL byte.
        if _is_unsafe_name(entry.orig_filename) or _is_symlink(entry):
            raise rejected("docx_unsafe_path")
        key = part_key(entry.filename)
        if key in seen:
            raise rejected("docx_unsafe_path")
        seen.add(key)


def _is_unsafe_name(name: str) -> bool:
    """Absolute paths, drive letters, backslashes, NUL bytes, and "..", "." or empty path
    segments (the last three also make two spellings of one name), raw or percent-decoded."""
    for candidate in (name, unquote(name)):
        if "\x00" in candidate or "\\" in candidate or _DRIVE_LETTER.match(candidate):
            return True
        segments = candidate.split("/")
        if segments[-1] == "" and len(segments) > 1:
            segments.pop()  # a directory entry ("word/") ends with a slash
        if any(segment in ("", ".", "..") for segment in segments):
            return True
    return False


def _is_symlink(entry: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(entry.external_attr >> 16)


def _check_layout(data: bytes, entries: list[zipfile.ZipInfo], central_offset: int) -> None:
    """Entries must tile the archive: each local header and its data end before the next
    entry begins, and the last before the central directory.

    Overlapping entries are how non-recursive zip bombs reuse one compressed kernel many
    times over (CVE-2024-0450; Python 3.11's zipfile does not detect them). Gaps wider than a
    data descriptor, or bytes before the first entry, are room to hide another file.
    """
    ordered = sorted(entries, key=lambda entry: entry.header_offset)
    if ordered and ordered[0].header_offset != 0:
        raise rejected("docx_malformed")
    limits = [entry.header_offset for entry in ordered[1:]] + [central_offset]
    for entry, limit in zip(ordered, limits, strict=True):
        end = _local_record_end(data, entry)
        if end > limit:
            raise rejected("docx_overlapping_entries")
        if limit - end > _MAX_DESCRIPTOR_SIZE:
            raise rejected("docx_malformed")


def _local_record_end(data: bytes, entry: zipfile.ZipInfo) -> int:
    """Where an entry's compressed data ends, from its local header and the central
    directory's compressed size. The two copies of the name must agree."""
    start = entry.header_offset
    header = data[start : start + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size:
        raise rejected("docx_malformed")
    fields = _LOCAL_HEADER.unpack(header)
    signature, flags, name_length, extra_length = fields[0], fields[2], fields[9], fields[10]
    if signature != b"PK\x03\x04":
        raise rejected("docx_malformed")
    name_start = start + _LOCAL_HEADER.size
    end: int = name_start + name_length + extra_length + entry.compress_size
    raw_name = data[name_start : name_start + name_length]
    local_name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", errors="replace")
    if local_name != entry.orig_filename:
        raise rejected("docx_malformed")
    return end


def _check_sizes(entries: list[zipfile.ZipInfo]) -> None:
    """Declared sizes only: ZipExtFile stops at the declared size, so a lying header cannot
    make a read return more than this."""
    if sum(entry.file_size for entry in entries) > MAX_TOTAL_UNCOMPRESSED:
        raise rejected("docx_too_large")
    for entry in entries:
        if (
            entry.file_size > COMPRESSION_RATIO_FLOOR
            and entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1)
        ):
            raise rejected("docx_compression_ratio")


class CappedReader:
    """A read-only stream that fails once more than ``limit`` bytes come out of ``raw``.
    zipfile already stops at the declared size; this counter does not rely on it."""

    def __init__(self, raw: Any, limit: int) -> None:
        self._raw = raw
        self._limit = limit
        self._count = 0

    def read(self, size: int = -1) -> bytes:
        wanted = self._limit + 1 - self._count if size < 0 else size
        chunk: bytes = self._raw.read(max(wanted, 0))
        self._count += len(chunk)
        if self._count > self._limit:
            raise rejected("docx_malformed")
        return chunk


def part_key(name: str) -> str:
    """How Office identifies a part: percent-decoded, no leading slash, case-insensitive."""
    return unquote(name).lstrip("/").casefold()
