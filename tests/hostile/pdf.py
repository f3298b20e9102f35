"""PDF files, good and hostile, and the building blocks that make them with correct
cross-reference offsets (or deliberately wrong ones)."""

from __future__ import annotations

import functools
import io
import struct
import zlib
from collections.abc import Iterable, Mapping

from pypdf import PdfWriter

from tests.hostile.archives import plain_zip

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
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
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


def valid_pdf(size_bytes: int | None = None, *, text: str | None = None) -> bytes:
    """A minimal, valid one-page PDF.

    With ``size_bytes``, comment lines are added to the page's content stream (comments are
    legal there and change nothing on the page) until the file is exactly that long. With
    ``text`` (Latin-1 letters; each line of it one line on the page), the page shows it
    instead of "Jane Doe - Curriculum Vitae" (the font is WinAnsi-encoded Helvetica).
    """
    if size_bytes is None:
        return _simple_pdf(content=_padded_content(0, text))
    padding = 0
    for _attempt in range(5):
        data = _simple_pdf(content=_padded_content(padding, text))
        if len(data) == size_bytes:
            return data
        padding += size_bytes - len(data)
        if padding < 0:
            raise ValueError(f"a valid PDF cannot be as small as {size_bytes} bytes")
    raise AssertionError("padding did not converge")  # pragma: no cover


def _padded_content(padding: int, text: str | None = None) -> bytes:
    """Page content followed by ``padding`` bytes of comment lines ("\n%xxxx")."""
    lines, remaining = [], padding
    while remaining > 0:
        width = min(remaining, 80)
        lines.append((b"\n%" + b"x" * (width - 2))[:width])
        remaining -= width
    if text is None:
        shown = b"BT /F1 24 Tf 72 720 Td (Jane Doe - Curriculum Vitae) Tj ET"
    else:
        shown = (
            b"BT /F1 11 Tf 72 740 Td 14 TL "
            + b" ".join(b"(%s) '" % _pdf_string(line) for line in text.splitlines())
            + b" ET"
        )
    return shown + b"".join(lines)


def _pdf_string(line: str) -> bytes:
    """A line as the inside of a PDF literal string, in the font's WinAnsi encoding."""
    raw = line.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


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


def pdf_slow_to_read(lines: int = 390_000) -> bytes:
    """A valid one-page PDF of a few KB whose compressed content stream expands to `lines`
    text operations (30 bytes, 5 tokens each): by default just under pypdf's own budget of
    2,000,000 tokens per content stream, so pypdf reads the page in full. The checks pass
    it in milliseconds (they never run page content); reading its text costs pypdf about
    8 s per 100,000 lines (on a fast machine), all inside the one page, and gives far more
    than MAX_TEXT_CHARS."""
    content = b"BT /F1 12 Tf 72 712 Td " + b"(zephyr word here) Tj 0 -1 Td " * lines + b"ET"
    objects = _page_objects()
    objects[5] = pdf_stream(b"/Filter /FlateDecode", zlib.compress(content, 9))
    return build_pdf(objects, trailer_extra=b"/Info 6 0 R ")


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
    return valid_pdf() + plain_zip()


def pdf_zip_polyglot_inside() -> bytes:
    """A ZIP archive hidden between the PDF header and its first object, with the PDF's own
    trailer last. Nothing trails ``%%EOF``, yet ZIP tools still open the archive."""
    return build_pdf(_page_objects(), body_prefix=plain_zip())


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
