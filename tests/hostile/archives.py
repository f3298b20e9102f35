"""ZIP archives byte by byte: entries with any name, flags, sizes or offsets, for the
DOCX files and the polyglots built on them."""

from __future__ import annotations

import dataclasses
import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# --------------------------------------------------------------------------------------------
# ZIP building blocks
# --------------------------------------------------------------------------------------------

ZIP_STORED = 0
ZIP_DEFLATED = 8
S_IFLNK = 0o120000


@dataclass(frozen=True)
class RawZipEntry:
    """One ZIP entry, written byte for byte by ``build_zip`` (no sanitising, unlike zipfile).

    ``payload`` is what is stored (already deflated when ``method`` is 8). ``file_size`` and
    ``crc`` are what the headers *declare*. ``header_offset`` overrides where the central
    directory says the local header is; ``write_local=False`` writes no local header at all
    (the entry exists only in the central directory, pointing at someone else's data);
    ``in_central_directory=False`` writes only the local record (data no index mentions).
    """

    name: bytes
    payload: bytes
    file_size: int
    crc: int
    method: int = ZIP_DEFLATED
    flags: int = 0
    external_attr: int = 0
    header_offset: int | None = None
    write_local: bool = True
    in_central_directory: bool = True


def raw_entry(name: str | bytes, data: bytes, **overrides: Any) -> RawZipEntry:
    """A deflated, UTF-8-named ``RawZipEntry`` whose declared size and CRC match ``data``;
    ``overrides`` replace any field (e.g. ``flags``, ``external_attr``)."""
    entry = RawZipEntry(
        name=name.encode("utf-8") if isinstance(name, str) else name,
        payload=deflate(data),
        file_size=len(data),
        crc=zlib.crc32(data),
        flags=0x800,
    )
    return dataclasses.replace(entry, **overrides)


def deflate(data: bytes) -> bytes:
    """Raw deflate, as stored inside ZIP entries."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def build_zip(entries: Iterable[RawZipEntry], *, trailing: bytes = b"") -> bytes:
    """Write local headers, the central directory and the end record for ``entries``."""
    out = bytearray()
    central = bytearray()
    count = 0
    for entry in entries:
        local_offset = len(out)
        if entry.write_local:
            out += struct.pack(
                "<4s5H3L2H",
                b"PK\x03\x04",
                20,
                entry.flags,
                entry.method,
                0,
                0x21,
                entry.crc,
                len(entry.payload),
                entry.file_size,
                len(entry.name),
                0,
            )
            out += entry.name + entry.payload
        if not entry.in_central_directory:
            continue
        offset = local_offset if entry.header_offset is None else entry.header_offset
        central += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            0x0314,  # made by: Unix (so external_attr carries file mode bits)
            20,
            entry.flags,
            entry.method,
            0,
            0x21,
            entry.crc,
            len(entry.payload),
            entry.file_size,
            len(entry.name),
            0,
            0,
            0,
            0,
            entry.external_attr,
            offset,
        )
        central += entry.name
        count += 1
    central_offset = len(out)
    out += central
    out += struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), central_offset, 0
    )
    return bytes(out + trailing)


def plain_zip() -> bytes:
    """An ordinary ZIP archive with no Office structure at all."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("readme.txt", "Not a CV.\n")
        archive.writestr("payload/run.sh", "#!/bin/sh\necho owned\n")
    return buffer.getvalue()
