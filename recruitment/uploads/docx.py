"""DOCX checks: a regular Word document, with nothing that runs or fetches anything.

A DOCX is a ZIP archive of XML parts ("Office Open XML"). Attacks come in three layers: the
container (zip bombs, overlapping entries, path tricks; checked in ``archive.py`` before any
entry is decompressed), the package (macros, ActiveX, embedded OLE objects, templates fetched
from the network) and the XML (entity expansion, external entities, DDE fields). Each layer
is checked before the next is read.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import defusedxml
import defusedxml.ElementTree

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
# DDE and DDEAUTO fields ask Word to start a program and read its output.
_DDE_FIELD = re.compile(r"\bDDE(?:AUTO)?\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Relationship:
    kind: str  # last segment of the Type URI, case-folded: "hyperlink", "image"...
    target: str
    external: bool


def check_docx(data: bytes) -> None:
    """Raise CvRejected unless ``data`` is a regular Word document with no active content.
    No side effects: everything is read from ``data`` in memory."""
    with open_checked_archive(data) as archive:
        _check_package(archive, {part_key(entry.filename): entry for entry in archive.infolist()})


# --------------------------------------------------------------------------------------------
# The package: what the parts are and what they point at.
# --------------------------------------------------------------------------------------------


def _check_package(archive: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo]) -> None:
    content_types_entry = parts.get("[content_types].xml")
    # No [Content_Types].xml: a plain ZIP, an OpenDocument file, a JAR... not Word at all.
    if content_types_entry is None:
        raise rejected("unsupported_type")
    content_types = _ContentTypes.parse(_read_small_part(archive, content_types_entry))
    _check_part_names(parts)
    _check_main_document(archive, parts, content_types)
    _check_part_content_types(parts, content_types)
    for key, entry in parts.items():
        if key.endswith(".rels"):
            for relationship in _read_relationships(archive, entry):
                _check_relationship(relationship)
    for key, entry in parts.items():
        if key.endswith(".xml"):
            _check_xml_part(archive, entry)


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


def _check_xml_part(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    """Parse an XML part as a stream (no DTDs or entities) and look for DDE fields.

    A field's instructions may be split over several runs ("DD" + "EAUTO ..."), so the
    instruction text of each paragraph is joined before matching.
    """
    instructions: list[str] = []
    try:
        with archive.open(entry) as raw:
            stream = CappedReader(raw, entry.file_size)
            events = defusedxml.ElementTree.iterparse(stream, events=("end",), forbid_dtd=True)
            for _event, element in events:
                name = _local_name(element.tag)
                if name == "instrText":
                    instructions.append(element.text or "")
                elif name == "fldSimple":
                    instructions.extend(
                        value for key, value in element.attrib.items() if key.endswith("instr")
                    )
                elif name == "p":
                    _check_field_instructions(instructions)
                    element.clear()  # keep memory flat on large documents
            _check_field_instructions(instructions)
    except defusedxml.DefusedXmlException:
        raise rejected("docx_unsafe_xml") from None
    except (defusedxml.ElementTree.ParseError, *ZIP_ERRORS):
        raise rejected("docx_malformed") from None


def _check_field_instructions(instructions: list[str]) -> None:
    if _DDE_FIELD.search("".join(instructions)):
        raise rejected("docx_active_content")
    instructions.clear()


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
