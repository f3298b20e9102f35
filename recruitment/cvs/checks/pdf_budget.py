"""Bounding the PDF parse: a pre-scan of strings and comments, a guard on what pypdf reads.

The PDF checks (pdf.check_pdf) run on the web worker, so their cost is bounded too. pypdf
parses strings and comments one byte at a time in Python (about a microsecond a byte): a 10 MB
file made of strings would cost many seconds. Before pypdf sees the file, a pre-scan
(scan_file) measures every string and comment outside stream data, with regular expressions
doing the byte-level work, and refuses the file if one of them is too long or all of them
together are (ScanBudget). pypdf must then parse nothing the pre-scan did not measure the same
way (check_parsing_stays_measured): objects start where the pre-scan was between tokens and
their streams are objects of their own, and the objects packed in compressed object streams
are measured once decompressed. What pypdf parses while it opens the file, before any of that
can be checked, is capped (GuardedPdfStream).
"""

from __future__ import annotations

import bisect
import io
import re
from array import array
from collections.abc import Iterator

from pypdf import PdfReader
from pypdf.errors import LimitReachedError
from pypdf.generic import StreamObject

from .errors import rejected

# A long CV exported from Word has a few thousand objects; 100 000 leaves room for
# image-heavy portfolios while bounding the time a hostile file can cost a worker.
MAX_PDF_OBJECTS = 100_000
# Literal and hex strings and comments outside stream data: one of them, and all of them
# together (object streams included). A CV's metadata, link targets and bookmark titles come
# to a few KB; the total caps pypdf's byte-by-byte string parsing at a fraction of a second.
MAX_PDF_STRING_BYTES = 64 * 1024
MAX_PDF_STRING_TOTAL_BYTES = 512 * 1024
# Strings, comments and streams the pre-scan steps through one by one (each is an iteration
# in Python); as many as the objects allowed.
MAX_PDF_TOKENS = MAX_PDF_OBJECTS
# Single-byte reads pypdf may make while opening the file: it parses the cross-reference
# sections and trailers then, from offsets nothing has checked yet. A real file needs a few
# hundred.
MAX_PDF_OPENING_READS = 64 * 1024

# pypdf's whitespace, and the "stream" keyword as it recognises it after a dictionary's end:
# whitespace, "stream", spaces, then CR LF, CR or LF (the data starts after it).
_WS = rb"[\x00\t\n\x0c\r ]"
_STREAM_KEYWORD = _WS + rb"*stream *(?:\r\n|\r|\n)"

# From a position between tokens, skip inside the regex engine everything that starts no
# string, comment or stream data, then name what comes next. "<" and ">" are paired the way
# pypdf reads them: a run of "<" opens dictionaries two by two, and an odd one out opens a
# hex string. pypdf ends a dictionary at ">" and consumes the next byte whatever it is, so a
# run of ">" closes dictionaries two by two and an odd one out swallows the byte after it (a
# "(" or "%" swallowed that way starts nothing). After a dictionary's end may come the
# "stream" keyword. Skipped: other bytes; "<<" runs; ">>" runs; an odd ">" with the ordinary
# byte it swallows. Named: comment, literal or hex string, stream data (its start), and a
# swallowed "%", "(" or "<". The pairs before a stream keyword may backtrack, the others not.
_NEXT_TOKEN = re.compile(
    rb"(?:[^%(<>]++"
    rb"|(?:<<)++(?!<)"
    rb"|(?:>>)++(?!>)(?!" + _STREAM_KEYWORD + rb")"
    rb"|(?:>>)*+>(?!>)(?![\s\S]" + _STREAM_KEYWORD + rb")[^%(<]"
    rb")*+"
    rb"(?:(?P<comment>%)"
    rb"|(?P<literal>\()"
    rb"|(?:<<)*+(?P<hex><)"
    rb"|(?:>>)*(?:>>|>[\s\S])" + _STREAM_KEYWORD + rb"(?P<stream>)"
    rb"|(?:>>)*+>(?P<swallowed>[\s\S]))"
)
# A literal string's bytes up to its next unescaped parenthesis (a backslash escapes any byte).
_LITERAL_RUN = re.compile(rb"(?:[^()\\]++|\\[\s\S])*+")
_END_OF_LINE = re.compile(rb"[\r\n]")
_ENDSTREAM = b"endstream"
# An object's "N G obj" header, with whitespace both of pypdf's readers of it accept.
_OBJECT_HEADER = re.compile(rb"(\d+)[\t\n\x0c\r ]+(\d+)[\t\n\x0c\r ]+obj")
# Digits and whitespace only: an object stream's index of object numbers and offsets.
_OBJECT_STREAM_INDEX = re.compile(rb"[\d\x00\t\n\x0c\r ]*")
# A run of ">" of odd length: a dictionary end that swallows the byte after it.
_ODD_CLOSING_RUN = re.compile(rb"(?<!>)(?:>>)*>(?!>)")


class ScanBudget:
    """What strings, comments and streams may still cost, shared by the pre-scan of the file
    and of its object streams."""

    def __init__(self) -> None:
        self.string_bytes = MAX_PDF_STRING_TOTAL_BYTES
        self.tokens = MAX_PDF_TOKENS

    def charge(self, kind: str, start: int, end: int) -> None:
        """Count one token; refuse the file once the budget is spent."""
        self.tokens -= 1
        if kind in ("comment", "literal", "hex"):
            self.string_bytes -= end - start
        if self.tokens < 0 or self.string_bytes < 0:
            raise rejected("pdf_too_complex")


class Layout:
    """Where the pre-scan found strings, comments and stream data in the file."""

    def __init__(self) -> None:
        # Sorted, non-overlapping [start, end) spans.
        self.starts: array[int] = array("q")
        self.ends: array[int] = array("q")
        # Where each stream's data starts, in order.
        self.stream_starts: array[int] = array("q")

    def add(self, kind: str, start: int, end: int) -> None:
        self.starts.append(start)
        self.ends.append(end)
        if kind == "stream":
            self.stream_starts.append(start)

    def is_inside_a_span(self, position: int) -> bool:
        """Whether ``position`` lies inside a span, past its first byte."""
        index = bisect.bisect_right(self.starts, position) - 1
        return index >= 0 and self.starts[index] < position < self.ends[index]

    def syntax_between(self, data: bytes, start: int, end: int) -> bytes:
        """``data[start:end]`` without the spans in it (a space stands for each)."""
        pieces = []
        index = bisect.bisect_left(self.starts, start)
        position = start
        while index < len(self.starts) and self.starts[index] < end:
            pieces.append(data[position : self.starts[index]])
            position = self.ends[index]
            index += 1
        pieces.append(data[position:end])
        # The space keeps runs of ">" on either side of a span from joining.
        return b" ".join(pieces)


def scan_file(data: bytes, budget: ScanBudget) -> Layout:
    """Measure every string and comment outside stream data, before pypdf parses any.

    Raises pdf_too_complex when one is longer than MAX_PDF_STRING_BYTES or the budget runs out,
    pdf_malformed when a stream has no "endstream" or a string never ends. Stream data is
    skipped unread: images and content streams legitimately hold any bytes, parentheses and
    "<" included. Linear in the file's size; the per-byte work is done by regular expressions
    and bytes.find.
    """
    layout = Layout()
    for kind, start, end in _tokens(data, 0, len(data)):
        budget.charge(kind, start, end)
        if kind != "swallowed":
            layout.add(kind, start, end)
    return layout


def _tokens(data: bytes, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    """Yield ``(kind, start, end)`` for each comment, literal or hex string, stream data span
    and swallowed byte in ``data[start:end]``, as pypdf would tokenise it reading from
    ``start``. A stream's span is its data, up to the first "endstream"."""
    position = start
    while (match := _NEXT_TOKEN.match(data, position, end)) is not None:
        kind = match.lastgroup or ""
        token_start = match.start(kind)
        if kind == "swallowed":
            token_end = resume = match.end()
        elif kind == "stream":
            token_end = data.find(_ENDSTREAM, token_start, end)
            if token_end < 0:
                raise rejected("pdf_malformed")
            resume = token_end + len(_ENDSTREAM)
        else:
            token_end = resume = _string_end(kind, data, token_start, end)
        yield kind, token_start, token_end
        position = resume


def _string_end(kind: str, data: bytes, start: int, end: int) -> int:
    """Where the comment, literal or hex string starting at ``start`` ends (a comment ends
    before its end of line, and may run to ``end``). Looks no further than
    MAX_PDF_STRING_BYTES, so a huge string costs no more than a long one."""
    limit = min(end, start + MAX_PDF_STRING_BYTES)
    if kind == "literal":
        found = _literal_end(data, start, limit)
    elif kind == "hex":
        close = data.find(b">", start, limit)
        found = None if close < 0 else close + 1
    else:
        line_end = _END_OF_LINE.search(data, start, limit)
        found = None if line_end is None else line_end.start()
    if found is not None:
        return found
    if limit < end:
        raise rejected("pdf_too_complex")
    if kind == "comment":
        return end
    raise rejected("pdf_malformed")


def _literal_end(data: bytes, start: int, limit: int) -> int | None:
    """Just past the ")" closing the literal string opened at ``start``, or None if it does
    not close before ``limit``. Balanced parentheses nest and a backslash escapes the next
    byte, as the PDF specification says and pypdf reads. One iteration per parenthesis."""
    depth = 0
    position = start
    while position < limit:
        byte = data[position]
        if byte == 0x28:  # "("
            depth += 1
        elif byte == 0x29:  # ")"
            depth -= 1
            if depth == 0:
                return position + 1
        else:  # a backslash whose escaped byte is past the limit
            return None
        match = _LITERAL_RUN.match(data, position + 1, limit)
        position = match.end() if match else limit
    return None


class GuardedPdfStream(io.BytesIO):
    """The file as pypdf reads it, bounding what the pre-scan cannot vouch for.

    While the reader opens the file, it parses cross-reference sections and trailers from
    offsets the file gives (``startxref``, ``/Prev``), which may point anywhere, even into
    stream data: its single-byte reads, which is how it parses strings, comments and
    whitespace, are capped then (pdf_too_complex). Afterwards pypdf starts parsing only at
    object offsets, which _check_object_offsets vouches for, or where its repair search finds
    an object the cross-reference data lacks; that search is refused (pdf_malformed: a
    repaired file is refused anyway). A refusal is sticky: the stream is closed, so pypdf
    cannot carry on after catching the exception.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self._opening_reads = MAX_PDF_OPENING_READS
        self._opening = True
        self.violation: str | None = None
        # Counted only while the reader opens the file: pypdf reads byte by byte, so a
        # Python method in the way of every read would slow down parsing of every object.
        self.read = self._read_while_opening  # type: ignore[method-assign]

    def opened(self) -> None:
        """The reader has opened the file: reads go straight to BytesIO from now on."""
        self._opening = False
        del self.read

    def _read_while_opening(self, size: int | None = -1, /) -> bytes:
        if size == 1:
            self._opening_reads -= 1
            if self._opening_reads < 0:
                self._refuse("pdf_too_complex")
        return super().read(size)

    def getbuffer(self) -> memoryview:
        # pypdf uses the whole buffer while opening the file, then only to search it for an
        # object the cross-reference data misplaces or lacks.
        if not self._opening:
            self._refuse("pdf_malformed")
        return super().getbuffer()

    def _refuse(self, code: str) -> None:
        self.violation = code
        self.close()
        # The message names no offset or content from the file.
        if code == "pdf_too_complex":
            raise LimitReachedError("PDF parsing budget exceeded")
        raise ValueError("PDF structure disagrees with the pre-scan")


def check_parsing_stays_measured(
    reader: PdfReader, data: bytes, layout: Layout, budget: ScanBudget
) -> None:
    """Before pypdf parses any object: it will parse only what the pre-scan measured, and
    the objects in object streams are measured too."""
    _check_object_offsets(reader, data, layout)
    _check_streams_are_objects(reader, data, layout)
    _check_object_streams(reader, budget)


def _check_object_offsets(reader: PdfReader, data: bytes, layout: Layout) -> None:
    """Every object the cross-reference data places in the file starts, where the pre-scan
    was between tokens, with its own "N G obj" header.

    pypdf parses an object from its offset: one in stream data or inside a string would have
    it parse bytes the pre-scan skipped or measured differently. And pypdf reads "obj" as
    three bytes without looking at them, so a header such as "7 0 o%j" would have it parse,
    as the object, the rest of a line the pre-scan measured as a comment. A mismatched number
    would send pypdf searching the file for the object, which the guard refuses anyway.
    """
    for generation, table in reader.xref.items():
        for number, offset in table.items():
            if not isinstance(offset, int) or offset < 0 or layout.is_inside_a_span(offset):
                raise rejected("pdf_malformed")
            header = _OBJECT_HEADER.match(data, offset)
            if header is None or (int(header[1]), int(header[2])) != (number, generation):
                raise rejected("pdf_malformed")


def _check_streams_are_objects(reader: PdfReader, data: bytes, layout: Layout) -> None:
    """The first stream after each object's header is the object itself, not a stream nested
    in it: brackets balance from the header to the "stream" keyword.

    pypdf reads stream data by its /Length, the pre-scan up to the first "endstream". Data
    that holds the word (no real stream does) would have the pre-scan resume inside it and
    measure the rest of the data, and what follows, out of step with pypdf. That is harmless
    when the stream is an object, as the PDF specification requires: pypdf's parse of the
    object ends with the stream. Nested in an array or a dictionary, pypdf would go on
    parsing after it. Only the first stream counts: pypdf's parse of the object ends there.
    """
    offsets = sorted({offset for table in reader.xref.values() for offset in table.values()})
    streams = layout.stream_starts
    for offset, next_offset in zip(offsets, [*offsets[1:], len(data)], strict=True):
        index = bisect.bisect_right(streams, offset)
        if index == len(streams) or streams[index] >= next_offset:
            continue  # no stream in this object
        if not _brackets_balance(layout.syntax_between(data, offset, streams[index])):
            raise rejected("pdf_malformed")


def _brackets_balance(syntax: bytes) -> bool:
    """Whether arrays and dictionaries opened in ``syntax`` (PDF syntax with its strings,
    comments and stream data taken out) are all closed in it, with ">>" as pypdf reads it."""
    return (
        syntax.count(b"[") == syntax.count(b"]")
        and syntax.count(b"<<") == syntax.count(b">>")
        and _ODD_CLOSING_RUN.search(syntax) is None
    )


def _check_object_streams(reader: PdfReader, budget: ScanBudget) -> None:
    """Measure the strings and comments in compressed object streams, which the pre-scan of
    the raw file cannot see, before pypdf parses any object in them.

    pypdf parses each packed object from the offset the stream's index gives, so each
    object's bytes are measured on their own and must hold the whole object: strings,
    comments and brackets closed, no stream. Otherwise an object would run into the next
    ones, and nested that way the same bytes would be parsed again and again.
    """
    stream_numbers = {number for number, _index in reader.xref_objStm.values()}
    packed_objects = 0
    for number in sorted(stream_numbers):
        # An object stream inside another would be parsed (with its neighbours) before it
        # could be measured here; the PDF specification forbids it anyway.
        if number in reader.xref_objStm or number not in reader.xref.get(0, {}):
            raise rejected("pdf_malformed")
        object_stream = reader.get_object(number)
        if not isinstance(object_stream, StreamObject):
            raise rejected("pdf_malformed")
        content = object_stream.get_data()
        segments = _packed_object_spans(object_stream, content)
        packed_objects += len(segments)
        if packed_objects > MAX_PDF_OBJECTS:
            raise rejected("pdf_too_complex")
        for start, end in segments:
            _check_packed_object(content, start, end, budget)


def _packed_object_spans(object_stream: StreamObject, content: bytes) -> list[tuple[int, int]]:
    """Where each object in an object stream starts and where the next one does, read from
    the stream's index the way pypdf reads it (the first /N pairs of numbers)."""
    count, first = object_stream.get("/N"), object_stream.get("/First")
    if not isinstance(count, int) or not isinstance(first, int):
        raise rejected("pdf_malformed")
    if count < 0 or not 0 <= first <= len(content):
        raise rejected("pdf_malformed")
    if count > MAX_PDF_OBJECTS:
        raise rejected("pdf_too_complex")
    index = content[:first]
    if _OBJECT_STREAM_INDEX.fullmatch(index) is None:
        raise rejected("pdf_malformed")
    numbers = re.findall(rb"\d+", index)
    if len(numbers) < 2 * count:
        raise rejected("pdf_malformed")
    starts = [first + int(offset) for offset in numbers[1 : 2 * count : 2]]
    ends = [*starts[1:], len(content)]
    if any(start >= end for start, end in zip(starts, ends, strict=True)):
        raise rejected("pdf_malformed")
    return list(zip(starts, ends, strict=True))


def _check_packed_object(content: bytes, start: int, end: int, budget: ScanBudget) -> None:
    """Measure one object in a decompressed object stream, and check it is self-contained:
    its strings and comments end within it, and outside them its array and dictionary
    brackets balance (so pypdf's parse of it ends within it too)."""
    spans = Layout()
    for kind, token_start, token_end in _tokens(content, start, end):
        budget.charge(kind, token_start, token_end)
        if kind in ("stream", "swallowed") or (kind == "comment" and token_end == end):
            raise rejected("pdf_malformed")
        spans.add(kind, token_start, token_end)
    if not _brackets_balance(spans.syntax_between(content, start, end)):
        raise rejected("pdf_malformed")
