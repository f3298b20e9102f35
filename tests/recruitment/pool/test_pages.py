"""The pool's pages: who may open them, what the audit log keeps of each use, how many
queries a page costs, and that an erased person leaves nothing to find."""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboundEmail
from recruitment.models import AccessEvent, Application, Posting, RetentionConsent, TeamMembership
from recruitment.pool.selectors import PoolFilters, search_pool
from recruitment.retention.services import consents, purge
from recruitment.rights.services import export_contents
from tests.factories import MembershipFactory, PostingFactory, UserFactory
from tests.harness.evidence import database_dump
from tests.hostile.docx import valid_docx
from tests.recruitment.pool.builders import person
from tests.recruitment.pool.test_search import applied_with

Role = TeamMembership.Role
SEARCH = reverse("staff:pool:search")


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def pool_url(application: Application) -> str:
    return reverse("staff:pool:person", kwargs={"pk": application.candidate_id})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.RECRUITER, 200),
        ("admin", 200),
        (Role.INTERVIEWER, 404),
        (Role.HIRING_MANAGER, 404),
        ("staff", 404),
        ("anonymous", 302),
    ],
)
def test_recruiters_and_admins_see_the_pool_and_nobody_else(
    posting: Posting, role: str, status: int
) -> None:
    member = person(posting, now=timezone.now(), cover_letter="Kotlin and Swift")
    user: User | None
    if role == "admin":
        user = UserFactory.create(is_superuser=True)
    elif role == "staff":
        user = UserFactory.create()
    elif role == "anonymous":
        user = None
    else:
        # On another posting than the person's: the pool is the company's, not a posting's.
        user = MembershipFactory.create(posting=PostingFactory.create(), role=role).user
    client = client_for(user)

    assert client.get(SEARCH, {"q": "kotlin"}).status_code == status
    assert client.get(pool_url(member)).status_code == status
    if status == 200:
        page = client.get(SEARCH).content.decode()
        assert reverse("staff:pool:search") in page  # the navigation's link
        assert member.candidate.full_name in client.get(SEARCH, {"q": "swift"}).content.decode()


@pytest.mark.django_db
def test_a_person_outside_the_pool_has_no_page(posting: Posting) -> None:
    admin = client_for(UserFactory.create(is_superuser=True))
    outsider = person(posting, now=timezone.now(), cover_letter="x", consent="unconfirmed")
    objecting = person(posting, now=timezone.now(), cover_letter="x", objection="open")
    assert admin.get(pool_url(outsider)).status_code == 404
    assert admin.get(pool_url(objecting)).status_code == 404


@pytest.mark.django_db
def test_every_search_and_every_person_opened_is_audited_without_the_words(
    posting: Posting,
) -> None:
    user = MembershipFactory.create(posting=posting, role=Role.RECRUITER).user
    member = person(posting, now=timezone.now(), cover_letter="Kovačević knows Cobol")
    client = client_for(user)

    client.get(SEARCH, {"q": "Kovačević", "language": "en", "stage": "interview"})
    client.get(pool_url(member))

    search = AccessEvent.objects.get(action=AccessEvent.Action.SEARCH_POOL)
    assert search.actor == user
    assert search.details == "query=yes stage=interview language=en"
    opened = AccessEvent.objects.get(action=AccessEvent.Action.VIEW_POOL_PERSON)
    assert opened.application_id == member.pk and opened.posting_id == posting.pk
    for event in AccessEvent.objects.values():
        assert "Kova" not in str(event)


@pytest.mark.django_db
def test_an_invalid_filter_searches_nothing_and_says_why(posting: Posting) -> None:
    admin = client_for(UserFactory.create(is_superuser=True))
    response = admin.get(SEARCH, {"rating": "9", "q": "x" * 500})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.SEARCH_POOL).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("people", [2, 25])
def test_the_pool_page_costs_the_same_queries_however_many_people(
    posting: Posting, people: int
) -> None:
    now = timezone.now()
    for n in range(people):
        member = person(posting, now=now, cover_letter=f"Python developer {n}")
        Application.objects.create(
            candidate=member.candidate,
            posting=PostingFactory.create(),
            full_name="x",
            language="en",
            attested_min_age=15,
        )
    client = client_for(MembershipFactory.create(posting=posting, role=Role.RECRUITER).user)
    client.get(SEARCH)  # the session's first-request writes
    for params in ({}, {"q": "python"}, {"q": "python", "rating": "2", "stage": "screening"}):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(SEARCH, params).status_code == 200
        # Session, user, second factor, the pool permission (once: the nav link asks the
        # user object), posting choices, the planner setting, count and page, snippets,
        # people, stage changes, the audit row, the postings one may invite to (savepoints
        # aside): the same whatever the number of people.
        sql = [
            q["sql"][:120]
            for q in queries.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
        ]
        assert len(sql) <= 14, sql


@pytest.mark.django_db(transaction=True)
def test_after_a_purge_neither_the_search_nor_the_database_holds_a_word_of_the_cv(
    posting: Posting,
) -> None:
    words = ["Zanzibarian", "Quetzalcoatlus", "Brontosaurologist"]
    kept = applied_with(posting, "Keep Me", valid_docx(text="Plain Zanzibarian"), "k.docx")
    erased = applied_with(posting, "Gone Soon", valid_docx(text=" ".join(words)), "g.docx")
    assert search_pool(PoolFilters(query="Quetzalcoatlus"), now=timezone.now()).paginator.count == 1
    assert "Brontosaurologist" in database_dump()

    consents.withdraw_consent(consent=RetentionConsent.objects.get(application=erased))
    assert search_pool(PoolFilters(query="Quetzalcoatlus"), now=timezone.now()).paginator.count == 0
    Application.objects.filter(pk=erased.pk).update(
        erasure_requested_at=timezone.now(), purge_due_at=timezone.now() - timedelta(seconds=1)
    )
    OutboundEmail.objects.all().delete()  # the emails are out; the purge need not wait
    assert purge.purge_application(erased.pk) == purge.Outcome.ERASED

    for word in words[1:]:
        assert search_pool(PoolFilters(query=word), now=timezone.now()).paginator.count == 0
    dump = database_dump()
    for word in words[1:]:
        assert word not in dump
    assert "Zanzibarian" in dump and Application.objects.filter(pk=kept.pk).exists()


@pytest.mark.django_db
def test_the_cv_text_is_in_the_candidates_export(posting: Posting) -> None:
    application = applied_with(posting, "Exa Port", valid_docx(text="Haskell guru"), "x.docx")
    contents = export_contents.collect(
        candidate=application.candidate, export=_export(application), now=timezone.now()
    )
    [cv] = contents.document["applications"][0]["cvs"]
    assert cv["text"] == "Haskell guru"


def _export(application: Application) -> Any:
    from tests.factories import DataExportFactory

    return DataExportFactory.create(candidate=application.candidate)
