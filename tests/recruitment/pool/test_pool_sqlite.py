"""The pool on the embedded default (SQLite): the same membership, and for simple queries
the same people as PostgreSQL's full-text search finds, by normalised substring matching.

Run by `make test` in the SQLite session (marker `sqlite`)."""

import io
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from recruitment.careers.services import ApplicantData, submit_application
from recruitment.cvs.checks import inspect_cv
from recruitment.models import Application, Invitation, Posting, RetentionConsent
from recruitment.pool.selectors import PoolFilters, search_pool
from recruitment.pool.services import invitations
from recruitment.retention.services import consents
from tests.factories import PostingFactory, UserFactory
from tests.harness.applying import form_data, texts_read
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


def test_the_pool_page_works_on_sqlite_with_a_cv_and_escapes_it_and_invites(
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
    assert texts_read() == 1  # the worker's reading works on SQLite too
    consents.confirm_consent(
        candidate=application.candidate,
        consent_id=RetentionConsent.objects.get(application=application).pk,
    )
    client.force_login(UserFactory.create(is_superuser=True))

    page = client.get(reverse("staff:pool:search"), {"q": "haskell"}).content.decode()

    assert "Sqlite Person" in page
    assert "<mark>Haskell</mark>" in page and "<script>x" not in page

    # The same person invited to another posting, who applies with the pool's CV.
    opening = PostingFactory.create()
    response = client.post(
        reverse("staff:pool:invite"),
        {"posting": opening.pk, "candidates": application.candidate_id},
    )
    assert "Invited: the email is on its way" in response.content.decode()
    invitation = Invitation.objects.get()
    link = urlsplit(invitations.mint_invitation_link(subject_ref=invitation.pk)).path
    visitor = Client()
    detail = visitor.get(link)["Location"]
    data = form_data(email="sqlite.person@example.com", cv=None, use_pool_cv="on")
    assert visitor.post(detail, data).status_code == 302
    new = Application.objects.get(posting=opening)
    assert new.cvs.get().text == application.cvs.get().text
    invitation.refresh_from_db()
    assert invitation.application_id == new.pk
