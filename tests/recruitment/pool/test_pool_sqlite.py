"""The pool on the embedded default (SQLite): the same membership, and for simple queries
the same people as PostgreSQL's full-text search finds, by normalised substring matching.

Run by `make test` in the SQLite session (marker `sqlite`)."""

import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from recruitment.careers.services import ApplicantData, submit_application
from recruitment.cvs.checks import inspect_cv
from recruitment.models import Posting, RetentionConsent
from recruitment.pool.selectors import PoolFilters, search_pool
from recruitment.retention.services import consents
from tests.factories import UserFactory
from tests.hostile.docx import valid_docx
from tests.recruitment.pool.builders import ids, person

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


def found(query: str, **filters: Any) -> set[Any]:
    return ids(search_pool(PoolFilters(query=query, **filters), now=timezone.now()).object_list)


def test_the_fallback_finds_the_same_people_by_simple_queries(posting: Posting) -> None:
    assert connection.vendor == "sqlite"
    now = timezone.now()
    latin = person(posting, now=now, cover_letter="Ana Kovačević, Kubernetes and Go")
    cyrillic = person(posting, now=now, cover_letter="Бора Ђурић, Erlang, Љубљана")
    strong = person(posting, now=now, cover_letter="Erlang, erlang, erlang")
    person(posting, now=now, cover_letter="Kubernetes too", consent="unconfirmed")
    person(posting, now=now, cover_letter="Kubernetes also", objection="open")

    assert found("kubernetes") == {latin.candidate_id}
    assert found("Kovacevic") == found("Ковачевић") == {latin.candidate_id}
    assert found("djuric") == found("Đurić") == found("Ђурић") == {cyrillic.candidate_id}
    assert found("Ljubljana") == {cyrillic.candidate_id}
    ranked = search_pool(PoolFilters(query="erlang"), now=now).object_list
    assert [p.candidate.pk for p in ranked] == [strong.candidate_id, cyrillic.candidate_id]
    assert found("") == {latin.candidate_id, cyrillic.candidate_id, strong.candidate_id}
    assert found("cobol") == set()


def test_the_pool_page_works_on_sqlite_with_a_cv_and_escapes_it(
    client: Client, posting: Posting
) -> None:
    cv = valid_docx(text="<script>x</script> Haskell developer")
    application = submit_application(
        posting=posting,
        applicant=ApplicantData(
            full_name="Sqlite Person",
            email="sqlite.person@example.com",
            phone="",
            cover_letter="",
            consents_to_talent_pool=True,
            language="en",
        ),
        cv=io.BytesIO(cv),
        cv_filename="cv.docx",
        inspected=inspect_cv(io.BytesIO(cv), max_bytes=len(cv)),
    )
    consents.confirm_consent(
        candidate=application.candidate,
        consent_id=RetentionConsent.objects.get(application=application).pk,
    )
    client.force_login(UserFactory.create(is_superuser=True))

    page = client.get(reverse("staff:pool:search"), {"q": "haskell"}).content.decode()

    assert "Sqlite Person" in page
    assert "<mark>Haskell</mark>" in page and "<script>x" not in page
