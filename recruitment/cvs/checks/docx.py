"""DOCX checks: a regular Word document, with nothing that runs or fetches anything.

A DOCX is a ZIP archive of XML parts ("Office Open XML"). Attacks come in three layers: the
container (zip bombs, overlapping entries, path tricks; checked in ``archive.py`` before any
entry is decompressed), the package (macros, ActiveX, embedded OLE objects, templates fetched
from the network) and the XML (entity expansion, external entities, and fields that run a
program or pull in a file or URL when Word updates them). Each layer is checked before the
next is read.

Which parts are XML, and which hold the text Word renders, is read from the package itself
([Content_Types].xml and the relationships), never guessed from part names: Word finds its
main document through ``_rels/.rels`` whatever it is called.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import defusedxml
import defusedxml.ElementTree

from ..text import TextCollector
from .archive import ZIP_ERRORS, CappedReader, open_checked_archive, part_key
from .errors import rejected
from .links import is_unsafe_link

# [Content_Types].xml and .rels parts are a few KB; they are read whole, so they are capped.
MAX_SMALL_PART = 5 * 1024 * 1024

MAIN_DOCUMENT_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)

# Relationship types (last segment of the Type URI, case-folded) that pull in code or
# foreign objects, wherever their targets live.
_MACRO_RELATIONSHIPS = frozenset(
    {"vbaproject", "wordvbadata", "keymapcustomizations", "attachedtoolbars"}
)
_EMBEDDING_RELATIONSHIPS = frozenset(
    {"oleobject", "package", "control", "activexcontrolbinary", "afchunk"}
)
# Substrings of part content types (case-folded) that mean the same.
_MACRO_CONTENT_TYPES = (
    "vbaproject",
    "vbadata",
    "macroenabled",
    "keymapcustomizations",
    "attachedtoolbars",
)
_EMBEDDING_CONTENT_TYPES = ("oleobject", "activex")

# Word stores printer settings (a DEVMODE structure, not code) as .bin parts; every other
# .bin part in a Word package is a VBA project, an OLE object or an ActiveX control.
_PRINTER_SETTINGS = re.compile(r"word/printersettings/printersettings\d*\.bin")
_HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
_LOCAL_TEMPLATE = re.compile(r"^(file:///)?[a-z]:[\\/]")

# Relationship types (case-folded) whose targets Word reads as WordprocessingML text, where
# fields live. Their targets are scanned whatever content type they declare.
_STORY_RELATIONSHIPS = frozenset(
    {"officedocument", "header", "footer", "footnotes", "endnotes", "comments", "glossarydocument"}
)

# Fields (names case-folded) that make Word start a program and read its output.
_COMMAND_FIELDS = frozenset({"dde", "ddeauto"})
# Fields that make Word read another file or a URL when it updates them (on open, on print,
# or when the reader presses F9): a tracking hit for a URL, an NTLM hash for a UNC path
# ("\\\\host\\share"), a local file for anything else. INCLUDE and DATA are Word 6 names
# that Word still honours; RD reads another document's headings into a table of contents.
_EXTERNAL_FIELDS = frozenset(
    {"includepicture", "includetext", "include", "import", "link", "rd", "database", "data"}
)
# Instruction text outside any field's code is never written by Word; if it holds one of the
# names above anywhere, it is refused rather than second-guessed.
_LOOSE_FIELD_NAME = re.compile(
    r"\b(?:ddeauto|dde|includepicture|includetext|include|import|link|rd|database|data)\b",
    re.IGNORECASE,
)
# The code of one field is kept up to this many characters; its name comes first, and no
# field a CV needs (a HYPERLINK's URL, a citation's data) comes near it.
MAX_FIELD_CODE = 16 * 1024
# Fields nest ({ IF { PAGE } = 1 ... }); Word's own documents stay a few levels deep.
MAX_FIELD_DEPTH = 64
# XML element nesting; nested tables and text boxes stay far below this.
MAX_XML_DEPTH = 1024
# Stands in a field's code for what Word computes when it updates the field: a nested
# field's result or a symbol character. XML text cannot contain U+0000, so no document can
# forge it.
_COMPUTED = "\x00"
# Run content that Word reads as white space inside a field's code.
_WHITESPACE_ELEMENTS = frozenset({"tab", "ptab", "br", "cr"})
# Run content that Word turns into a character of its choosing.
_COMPUTED_ELEMENTS = frozenset({"sym", "noBreakHyphen", "softHyphen"})
# Invisible format characters (Unicode category Cf) that an editor may drop or ignore.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\ufff9-\ufffb\U000e0001\U000e0020-\U000e007f]"
)
_LEADING = re.compile(r'[\s"]*')
# A field's name ends at white space, a quote (INCLUDEPICTURE"http://..."), a switch or
# computed text; the second pattern reads quotes as Word's shell-like joining might.
_FIELD_NAME = re.compile(r'[^\s"\\\x00]*')
_FIELD_NAME_WITH_QUOTES = re.compile(r"[^\s\\\x00]*")
# One argument of a field: a quoted string (in which \\ and \" are escapes) or a bare word.
_FIELD_ARGUMENT = re.compile(r'"((?:\\.|[^"\\])*)"?|([^\s"]+)', re.DOTALL)
_FIELD_ESCAPE = re.compile(r'\\([\\"])')
# Switches that take a value: HYPERLINK's location, tooltip and target frame, and the
# format switches every field may carry.
_SWITCHES_WITH_VALUE = frozenset({"\\l", "\\o", "\\t", "\\*", "\\#", "\\@"})


@dataclass(frozen=True)
class _Relationship:
    kind: str  # last segment of the Type URI, case-folded: "hyperlink", "image"...
    target: str
    external: bool


def check_docx(data: bytes, *, read_text: bool = False) -> str | None:
    """Raise CvRejected unless ``data`` is a regular Word document with no active content.
    With ``read_text``, return the text of its main document (gathered while it is checked,
    capped: see recruitment.cvs.text); else None. No side effects: everything is read from
    ``data`` in memory."""
    text = TextCollector() if read_text else None
    with open_checked_archive(data) as archive:
        _check_package(
            archive, {part_key(entry.filename): entry for entry in archive.infolist()}, text
        )
    return text.text() if text is not None else None


# --------------------------------------------------------------------------------------------
# The package: what the parts are and what they point at.
# --------------------------------------------------------------------------------------------


def _check_package(
    archive: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo], text: TextCollector | None
) -> None:
    content_types_entry = parts.get("[content_types].xml")
    # No [Content_Types].xml: a plain ZIP, an OpenDocument file, a JAR... not Word at all.
    if content_types_entry is None:
        raise rejected("unsupported_type")
    content_types = _ContentTypes.parse(_read_small_part(archive, content_types_entry))
    _check_part_names(parts)
    _check_main_document(archive, parts, content_types)
    _check_part_content_types(parts, content_types)
    stories: set[str] = set()
    main: set[str] = set()
    for key, entry in parts.items():
        if _is_relationships_part(key):
            for relationship in _read_relationships(archive, entry):
                _check_relationship(relationship)
                if relationship.kind in _STORY_RELATIONSHIPS and not relationship.external:
                    target = _relationship_target(key, relationship.target)
                    stories.add(target)
                    if relationship.kind == "officedocument" and key == "_rels/.rels":
                        main.add(target)
    for key, entry in parts.items():
        if key in stories or _is_xml_part(key, content_types):
            # The body's text is gathered by the same parse (the search's CV text).
            _check_xml_part(archive, entry, text if key in main else None)


def _is_relationships_part(key: str) -> bool:
    # OPC fixes where relationships live ("<folder>/_rels/<source>.rels"); they are read as
    # relationships, with the same XML protections, never scanned as text.
    return key.endswith(".rels")


def _is_xml_part(key: str, content_types: _ContentTypes) -> bool:
    """Whether a part is XML Word may read: by its declared content type (a main document
    named word/document.dat is still XML), or by its name, as before. Pictures are not:
    Word draws an SVG as an image, and SVG exports often carry a DOCTYPE."""
    if key == "[content_types].xml" or _is_relationships_part(key):
        return False
    content_type = (content_types.of(key) or "").split(";", 1)[0].strip()
    is_xml_type = content_type.endswith("+xml") or content_type in ("application/xml", "text/xml")
    return (is_xml_type and not content_type.startswith("image/")) or key.endswith(".xml")


def _relationship_target(relationships_key: str, target: str) -> str:
    """The part key an internal relationship points at: its target, resolved against the
    folder of the source part ("word/_rels/document.xml.rels" speaks for "word/")."""
    folder = posixpath.dirname(posixpath.dirname(relationships_key))
    path = target.split("#", 1)[0].replace("\\", "/")
    return part_key(posixpath.normpath(posixpath.join("/" + folder, path)))


def _check_part_names(parts: Iterable[str]) -> None:
    """Macro projects, ActiveX controls and embedded objects, recognised by where Word
    stores them (the relationship and content-type checks catch them under other names)."""
    for key in parts:
        segments = key.split("/")
        base = segments[-1]
        if "vbaproject" in base or base.startswith("vbadata"):
            raise rejected("docx_macros")
        if "activex" in segments or "embeddings" in segments:
            raise rejected("docx_embedded_content")
        if base.endswith(".bin") and not _PRINTER_SETTINGS.fullmatch(key):
            raise rejected("docx_embedded_content")


def _check_main_document(
    archive: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo], content_types: _ContentTypes
) -> None:
    """The part the package root points at must be a plain Word document: not macro-enabled
    (.docm), not a template (.dotx/.dotm), not a spreadsheet or presentation."""
    root_relationships = parts.get("_rels/.rels")
    if root_relationships is None:
        raise rejected("docx_malformed")
    office_documents = [
        relationship
        for relationship in _read_relationships(archive, root_relationships)
        if relationship.kind == "officedocument"
    ]
    if len(office_documents) != 1 or office_documents[0].external:
        raise rejected("docx_malformed")
    main_part = part_key(posixpath.normpath("/" + office_documents[0].target))
    if main_part not in parts:
        raise rejected("docx_malformed")
    if content_types.of(main_part) != MAIN_DOCUMENT_CONTENT_TYPE:
        raise rejected("docx_content_type")


def _check_part_content_types(parts: Iterable[str], content_types: _ContentTypes) -> None:
    """Judge the content type of each part that exists (a stale declaration for a part that
    is gone harms nobody, and Word leaves them behind)."""
    for key in parts:
        content_type = content_types.of(key) or ""
        if any(marker in content_type for marker in _MACRO_CONTENT_TYPES):
            raise rejected("docx_macros")
        if any(marker in content_type for marker in _EMBEDDING_CONTENT_TYPES):
            raise rejected("docx_embedded_content")


def _check_relationship(relationship: _Relationship) -> None:
    """Word fetches the targets of external relationships by itself when the document opens
    (templates, pictures, frames, OLE links): that is template injection, tracking pixels
    and Windows credential leaks. Hyperlinks are the exception: CVs link to profiles and
    portfolios, and Word only follows a hyperlink when the reader clicks it."""
    if relationship.kind in _MACRO_RELATIONSHIPS:
        raise rejected("docx_macros")
    if relationship.kind in _EMBEDDING_RELATIONSHIPS:
        raise rejected("docx_embedded_content")
    if not relationship.external:
        return
    if relationship.kind == "hyperlink":
        if is_unsafe_link(relationship.target):
            raise rejected("unsafe_link")
        return
    # Documents made from Word's own resume templates name the template by file name
    # ("TM16392910[[fn=...]].dotx") or by a local drive path; Word looks it up on the
    # reader's own disk, so nothing is fetched. Anything network-shaped is rejected.
    if relationship.kind == "attachedtemplate" and _is_local_template(relationship.target):
        return
    raise rejected("docx_external_relationship")


def _is_local_template(target: str) -> bool:
    compact = unquote(target).strip().casefold()
    if _LOCAL_TEMPLATE.match(compact):
        return "\\\\" not in compact and "//" not in compact.removeprefix("file:///")
    return not any(character in compact for character in ":/\\")


# --------------------------------------------------------------------------------------------
# XML parts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ContentTypes:
    defaults: dict[str, str]  # extension -> content type, both case-folded
    overrides: dict[str, str]  # part key -> content type, both case-folded

    @classmethod
    def parse(cls, xml: bytes) -> _ContentTypes:
        root = _parse_xml(xml)
        defaults, overrides = {}, {}
        for element in root:
            name = _local_name(element.tag)
            content_type = (element.get("ContentType") or "").strip().casefold()
            if name == "Default":
                defaults[(element.get("Extension") or "").casefold()] = content_type
            elif name == "Override":
                overrides[part_key(element.get("PartName") or "")] = content_type
        return cls(defaults, overrides)

    def of(self, part: str) -> str | None:
        """The content type of a part (its key), as Office resolves it."""
        if part in self.overrides:
            return self.overrides[part]
        extension = part.rsplit(".", 1)[-1] if "." in part.rsplit("/", 1)[-1] else ""
        return self.defaults.get(extension)


def _read_relationships(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> list[_Relationship]:
    root = _parse_xml(_read_small_part(archive, entry))
    relationships = []
    for element in root.iter():
        if _local_name(element.tag) != "Relationship":
            continue
        target = element.get("Target") or ""
        mode = (element.get("TargetMode") or "").strip().casefold()
        relationships.append(
            _Relationship(
                kind=(element.get("Type") or "").strip().rsplit("/", 1)[-1].casefold(),
                target=target,
                # A URL or network path marked internal is still fetched from outside.
                external=mode == "external" or _looks_remote(target),
            )
        )
    return relationships


def _looks_remote(target: str) -> bool:
    compact = target.strip()
    return bool(_HAS_SCHEME.match(compact)) or compact.startswith(("//", "\\"))


def _check_xml_part(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, text: TextCollector | None = None
) -> None:
    """Parse an XML part as a stream (no DTDs or entities) and check every field in it;
    with ``text``, gather the part's visible text into it (runs' text, a space for a tab, a
    line break at each paragraph's end).

    Elements are dropped as soon as they end, so memory stays flat however large the part.
    """
    fields = _FieldScanner()
    open_elements: list[Any] = []
    try:
        with archive.open(entry) as raw:
            stream = CappedReader(raw, entry.file_size)
            events = defusedxml.ElementTree.iterparse(
                stream, events=("start", "end"), forbid_dtd=True
            )
            for event, element in events:
                if event == "start":
                    open_elements.append(element)
                    if len(open_elements) > MAX_XML_DEPTH:
                        raise rejected("docx_malformed")
                    fields.element_started(element)
                    continue
                open_elements.pop()
                fields.element_ended(element)
                if text is not None:
                    _gather_text(element, text)
                element.clear()
                # Children end in document order and each is removed as it ends, so the
                # element that just ended is its parent's first child.
                if open_elements and len(open_elements[-1]) and open_elements[-1][0] is element:
                    del open_elements[-1][0]
        fields.part_ended()
    except defusedxml.DefusedXmlException:
        raise rejected("docx_unsafe_xml") from None
    except (defusedxml.ElementTree.ParseError, *ZIP_ERRORS):
        raise rejected("docx_malformed") from None


def _gather_text(element: Any, text: TextCollector) -> None:
    """The visible text an element that just ended adds (field codes are not text)."""
    name = _local_name(element.tag)
    if name == "t":
        text.add(element.text or "")
    elif name in ("tab", "br", "cr"):
        text.add(" ")
    elif name == "p":
        text.add("\n")


class _FieldCode:
    """The code of one field as it is read ("INCLUDEPICTURE "http://..." \\d"), kept up to
    MAX_FIELD_CODE characters."""

    def __init__(self) -> None:
        self._pieces: list[str] = []
        self._size = 0
        self.truncated = False

    def add(self, text: str) -> None:
        room = MAX_FIELD_CODE - self._size
        if len(text) > room:
            self.truncated = True
            text = text[:room]
        if text:
            self._pieces.append(text)
            self._size += len(text)
            if len(self._pieces) > 256:  # a code split over thousands of runs
                self._pieces = ["".join(self._pieces)]

    def text(self) -> str:
        return "".join(self._pieces)


class _Field:
    """A complex field being read: its code until its separate mark, then None."""

    __slots__ = ("code",)

    def __init__(self) -> None:
        self.code: _FieldCode | None = _FieldCode()


class _FieldScanner:
    """Follows the fields of one part as its elements start and end, in document order.

    A simple field carries its code in one attribute (``w:fldSimple/@w:instr``). A complex
    field is a begin mark, its code (``w:instrText`` in any number of runs, even across
    paragraphs, with nested fields whose results Word splices into it), a separate mark, its
    result, and an end mark. Each field's code is checked when it is complete.
    """

    def __init__(self) -> None:
        self._open: list[_Field] = []  # complex fields open at this point, innermost last
        self._loose = _FieldCode()  # instruction text that belongs to no field's code
        # The open fields as each enclosing mc:Choice or mc:Fallback began.
        self._branches: list[list[tuple[_Field, bool]]] = []

    def element_started(self, element: Any) -> None:
        if _local_name(element.tag) in ("Choice", "Fallback"):
            self._branches.append(self._field_state())

    def element_ended(self, element: Any) -> None:
        name = _local_name(element.tag)
        if name in ("instrText", "delInstrText"):
            self._instruction_text(element.text or "")
        elif name in ("t", "delText"):
            # Word reads any text between the begin and separate marks as code.
            self._add_to_code(element.text or "")
        elif name == "fldChar":
            self._field_mark((_attribute(element, "fldCharType") or "").strip().casefold())
        elif name == "fldSimple":
            self._add_to_code(_COMPUTED)
            code = _FieldCode()
            code.add(_attribute(element, "instr") or "")
            _check_field_code(code)
        elif name in _WHITESPACE_ELEMENTS:
            self._add_to_code(" ")
        elif name in _COMPUTED_ELEMENTS:
            self._add_to_code(_COMPUTED)
        elif name == "p":
            self._check_loose_text()
        elif name in ("Choice", "Fallback"):
            # Word reads one branch of an mc:AlternateContent and skips the others, so a
            # field mark in one branch only would make Word and this scanner see different
            # fields. Word's own branches hold whole fields.
            if self._field_state() != self._branches.pop():
                raise rejected("docx_malformed")
        elif name == "mailMerge":
            # A mail-merge main document: on open Word offers to run its query against the
            # data source its connection string names, anywhere on the network.
            raise rejected("docx_external_relationship")

    def part_ended(self) -> None:
        """Fields left open at the end of the part are checked as they stand."""
        for field in self._open:
            if field.code is not None:
                _check_field_code(field.code)
        self._check_loose_text()

    def _field_state(self) -> list[tuple[_Field, bool]]:
        return [(field, field.code is None) for field in self._open]

    def _add_to_code(self, text: str) -> None:
        if self._open and (code := self._open[-1].code) is not None:
            code.add(text)

    def _instruction_text(self, text: str) -> None:
        if self._open and (code := self._open[-1].code) is not None:
            code.add(text)
            return
        self._loose.add(text)
        if self._loose.truncated:
            raise rejected("docx_malformed")  # pages of instructions outside any field

    def _field_mark(self, kind: str) -> None:
        if kind == "begin":
            # The nested field's result becomes part of the enclosing field's code.
            self._add_to_code(_COMPUTED)
            if len(self._open) >= MAX_FIELD_DEPTH:
                raise rejected("docx_malformed")
            self._open.append(_Field())
        elif kind == "separate":
            if self._open and (code := self._open[-1].code) is not None:
                _check_field_code(code)
                self._open[-1].code = None
        elif kind == "end" and self._open:
            code = self._open.pop().code
            if code is not None:
                _check_field_code(code)

    def _check_loose_text(self) -> None:
        """Instruction text outside a field's code (Word never writes it) is refused when it
        names a command or external field anywhere; paragraph by paragraph, so a name split
        over runs is found."""
        match = _LOOSE_FIELD_NAME.search(_normalized(self._loose.text()))
        if match is not None:
            raise rejected(_field_rejection(match.group().casefold()))
        self._loose = _FieldCode()


def _check_field_code(code: _FieldCode) -> None:
    """Refuse a field that runs a program, reads a file or URL, or whose name Word computes
    when it updates the field; check a HYPERLINK's target as links are checked."""
    text = _normalized(code.text())
    text = text[len(_prefix(_LEADING, text)) :]
    if text.startswith("="):
        return  # a formula ("= { PAGE } + 1") computes a number
    plain = _prefix(_FIELD_NAME, text)
    quoted = _prefix(_FIELD_NAME_WITH_QUOTES, text)
    names = {plain.casefold(), quoted.replace('"', "").casefold()}
    for name in names:
        if name in _COMMAND_FIELDS or name in _EXTERNAL_FIELDS:
            raise rejected(_field_rejection(name))
    # A name touching computed text ("DD{ QUOTE "E" }AUTO", "{ QUOTE DDE } ...") is only
    # known once Word has computed it.
    if text[len(plain) :].startswith(_COMPUTED) or text[len(quoted) :].startswith(_COMPUTED):
        raise rejected("docx_active_content")
    if "hyperlink" in names:
        _check_hyperlink_field(text[len(plain) :], truncated=code.truncated)


def _check_hyperlink_field(arguments: str, *, truncated: bool) -> None:
    """A HYPERLINK field is a link the reader clicks; its target is held to the same rules as
    a hyperlink relationship. Location, tooltip and frame values name nothing outside."""
    if truncated:
        raise rejected("unsafe_link")
    skip_value = False
    for match in _FIELD_ARGUMENT.finditer(arguments):
        quoted, bare = match.groups()
        if skip_value:
            skip_value = False
            continue
        if bare is not None and len(bare) == 2 and bare.startswith("\\"):
            skip_value = bare.casefold() in _SWITCHES_WITH_VALUE
            continue
        target = quoted if quoted is not None else bare
        if (
            _COMPUTED in target
            or is_unsafe_link(target)
            or is_unsafe_link(_FIELD_ESCAPE.sub(r"\1", target))
        ):
            raise rejected("unsafe_link")


def _prefix(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.match(text)
    return match.group() if match else ""


def _field_rejection(name: str) -> str:
    return "docx_active_content" if name in _COMMAND_FIELDS else "docx_external_relationship"


def _normalized(text: str) -> str:
    """Field text as Word may read it: compatibility forms folded (full-width letters are
    letters) and invisible format characters dropped."""
    if text.isascii():
        return text
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))


def _attribute(element: Any, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace (Transitional or Strict)."""
    for key, value in element.attrib.items():
        if key.rsplit("}", 1)[-1] == name:
            return str(value)
    return None


def _parse_xml(xml: bytes) -> Any:
    """Parse a small XML part; DTDs (so entity bombs and external entities) are refused."""
    try:
        return defusedxml.ElementTree.fromstring(xml, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        raise rejected("docx_unsafe_xml") from None
    except (defusedxml.ElementTree.ParseError, ValueError):
        raise rejected("docx_malformed") from None


def _read_small_part(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    """Read a whole part that should be small, never more than its declared size."""
    if entry.file_size > MAX_SMALL_PART:
        raise rejected("docx_too_large")
    try:
        with archive.open(entry) as raw:
            return CappedReader(raw, entry.file_size).read()
    except ZIP_ERRORS:
        raise rejected("docx_malformed") from None


def _local_name(tag: Any) -> str:
    """An element's name without its namespace (Transitional and Strict OOXML differ)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
