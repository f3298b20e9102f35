# ruff: noqa: RUF001  (Serbian Cyrillic is the point of these tests)
"""Searching the pool by what people can do: words inside a PDF or a DOCX CV, with and
without diacritics, in Latin for Cyrillic and back; ranked, paginated, highlighted safely."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from recruitment.careers.services import ApplicantData, submit_application
from recruitment.cvs.checks import inspect_cv
from recruitment.cvs.transliteration import CYRILLIC_TO_LATIN, to_latin
from recruitment.models import Application, Posting, RetentionConsent
from recruitment.pipeline.services import postings as posting_services
from recruitment.pool import selectors
from recruitment.pool.selectors import PoolFilters, search_pool
from recruitment.retention.services import consents
from tests.factories import ApplicationFactory
from tests.harness.applying import cv_replaced, texts_read
from tests.hostile.docx import valid_docx
from tests.hostile.pdf import valid_pdf
from tests.recruitment.pool.builders import ids, person

pytestmark = pytest.mark.django_db


def applied_with(posting: Posting, name: str, cv: bytes, filename: str) -> Application:
    """Applies through the service with `cv`, then confirms the talent-pool consent."""
    application = submit_application(
        posting=posting,
        applicant=ApplicantData(
            full_name=name,
            email=f"{name.split()[0].lower()}@example.com",
            phone="",
            cover_letter="",
            consents_to_talent_pool=True,
            language="en",
        ),
        cv=io.BytesIO(cv),
        cv_filename=filename,
        inspected=inspect_cv(io.BytesIO(cv), max_bytes=len(cv)),
    )
    texts_read()
    consents.confirm_consent(
        candidate=application.candidate,
        consent_id=RetentionConsent.objects.get(application=application).pk,
    )
    return application


def found(query: str, **filters: object) -> set[object]:
    page = search_pool(PoolFilters(query=query, **filters), now=timezone.now())  # type: ignore[arg-type]
    return ids(page.object_list)


def test_a_skill_written_only_inside_a_pdf_or_a_docx_is_found(posting: Posting) -> None:
    from_pdf = applied_with(
        posting, "Ana Pdf", valid_pdf(text="Ana Kovacevic\nSkills: Kubernetes, Terraform"), "a.pdf"
    )
    from_docx = applied_with(
        posting, "Bora Docx", valid_docx(text="Бора Ђурић\nВештине: Erlang, Elixir"), "b.docx"
    )

    assert from_pdf.cvs.get().text.startswith("Ana Kovacevic")
    assert found("terraform") == {from_pdf.candidate_id}
    assert found("elixir") == {from_docx.candidate_id}
    # With and without diacritics.
    assert found("Kovačević") == {from_pdf.candidate_id}
    assert found("djuric") == found("Đurić") == {from_docx.candidate_id}
    # Latin for Cyrillic and Cyrillic for Latin.
    assert found("vestine") == {from_docx.candidate_id}
    assert found("Ковачевић") == {from_pdf.candidate_id}
    assert found("Бора") == found("Bora") == {from_docx.candidate_id}
    assert found("cobol") == set()


def test_the_transliteration_in_sql_is_the_one_in_python(posting: Posting) -> None:
    letters = "".join(CYRILLIC_TO_LATIN) + "".join(CYRILLIC_TO_LATIN).upper() + " Abc-ёЯ"
    # The whole alphabet, and each letter alone (a text whose only Cyrillic is "љ").
    with connection.cursor() as cursor:
        for text in [letters, "plain Latin, čćžšđ", *letters]:
            cursor.execute("SELECT ats_translit(%s)", [text])
            assert cursor.fetchone()[0] == to_latin(text)


def test_the_better_match_ranks_first_and_pages_follow(posting: Posting) -> None:
    now = timezone.now()
    weak = person(posting, now=now, cover_letter="Some python. " + "Gardening. " * 30)
    strong = person(posting, now=now, cover_letter="Python, python and more python every day")
    others = [person(posting, now=now, cover_letter=f"Rust {n}") for n in range(45)]

    ranked = search_pool(PoolFilters(query="python"), now=now)
    assert [p.candidate.pk for p in ranked.object_list] == [
        strong.candidate_id,
        weak.candidate_id,
    ]
    pages = [search_pool(PoolFilters(query="rust"), now=now, page_number=n) for n in (1, 2, 3)]
    assert [len(page.object_list) for page in pages] == [20, 20, 5]
    assert set().union(*(ids(page.object_list) for page in pages)) == {
        o.candidate_id for o in others
    }


def test_the_snippet_escapes_the_cv_and_marks_only_the_match(posting: Posting) -> None:
    applied_with(
        posting,
        "Eve Hostile",
        valid_docx(
            text='Expert & "R" <script>alert("x")</script> in Haskell \ue000 <img src=x onerror=y>'
        ),
        "e.docx",
    )
    [result] = search_pool(PoolFilters(query="haskell"), now=timezone.now()).object_list
    snippet = str(result.snippet)
    # Whatever ts_headline leaves of the markup is escaped; only the marks are markup.
    assert "<script" not in snippet and "<img" not in snippet
    assert "&amp;" in snippet and "&quot;R&quot;" in snippet
    assert "<mark>Haskell</mark>" in snippet
    assert snippet.count("<") == snippet.count("<mark>") * 2


def test_a_snippet_is_shown_only_with_an_application_still_in_the_pool(
    posting: Posting,
) -> None:
    """The snippets are read after the page was ranked, without asking membership again:
    the people's query, which runs last, decides. A person in the pool by one application
    does not show the text of another that is not (its consent lapsed in between)."""
    now = timezone.now()
    covered = person(posting, now=now, cv_text="Rust and Go")
    uncovered = ApplicationFactory.create(candidate=covered.candidate)
    gone = person(posting, now=now, cv_text="Rust and Go", consent="withdrawn")
    pool = selectors.pool_applications(now)
    ranks = {covered.candidate_id: 1.0, gone.candidate_id: 0.5}
    snippets = {pk: selectors.highlighted(f"text of {pk}") for pk in (uncovered.pk, gone.pk)}

    [shown] = selectors._people(pool, ranks, snippets, now=now)

    assert shown.candidate.pk == covered.candidate_id and shown.snippet is None
    snippets[covered.pk] = selectors.highlighted("covered")
    [shown] = selectors._people(pool, ranks, snippets, now=now)
    assert str(shown.snippet) == "covered"


def test_a_cyrillic_cv_is_highlighted_in_its_latin_form(posting: Posting) -> None:
    applied_with(posting, "Vuk Cyr", valid_docx(text="Програмер, Љубљана, Kotlin"), "v.docx")
    [result] = search_pool(PoolFilters(query="Ljubljana"), now=timezone.now()).object_list
    assert "<mark>Ljubljana</mark>" in str(result.snippet)


def test_a_replaced_cv_replaces_what_is_found(posting: Posting) -> None:
    application = applied_with(posting, "Rade Replace", valid_pdf(text="Fortran"), "r.pdf")
    cv_replaced(application, valid_docx(text="Now Scala"), "new.docx")
    assert found("fortran") == set()  # at once: the old text went with its row
    assert found("scala") == set()  # the worker has not read the new one yet
    assert texts_read() == 1
    assert found("scala") == {application.candidate_id}


def test_a_posting_title_is_searched_and_its_edit_too(posting: Posting) -> None:
    member = person(posting, now=timezone.now(), cover_letter="Hello")
    data = {field: getattr(posting, field) for field in posting_services.POSTING_FIELDS}
    posting_services.update_posting(posting=posting, data={**data, "title": "Welder"})
    assert found("welder") == {member.candidate_id}


def test_filters_narrow_the_pool_and_never_widen_it(posting: Posting) -> None:
    now = timezone.now()
    hr = person(posting, now=now, cover_letter="Go", language="hr", stage="interview")
    en = person(posting, now=now, cover_letter="Go", language="en")
    outsider = person(posting, now=now, cover_letter="Go", language="hr", consent="none")
    soon = person(posting, now=now, cover_letter="Go", expires_in=timedelta(days=5))

    assert found("go", language="hr") == {hr.candidate_id}
    assert found("", stage="interview") == {hr.candidate_id}
    assert found("", posting_id=posting.pk) == {
        hr.candidate_id,
        en.candidate_id,
        soon.candidate_id,
    }
    assert found("", consent_expires_before=(now + timedelta(days=30)).date()) == {
        soon.candidate_id
    }
    assert outsider.candidate_id not in found("")


def test_the_sqlite_fallback_normalises_like_the_search() -> None:
    assert selectors.normalised("Ђурић Kovačević ŽELJKO") == "djuric kovacevic zeljko"
    assert selectors.query_terms('"Project Manager" Ковач or -java') == [
        "project manager",
        "kovac",
    ]
    snippet = str(selectors._python_snippet("<i>Senior</i> Kovačević, Python", ["kovacevic"]))
    assert "&lt;i&gt;" in snippet and "<mark>Kovačević</mark>" in snippet
