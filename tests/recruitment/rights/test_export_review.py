"""Exports and other people's words (issue 16, defects 5 and 12; GDPR Art. 15(4)).

A copy the candidate asks for in the portal that would hold interview notes, scorecards or
the reasons staff gave for a decision waits for a privacy officer's review, with an open
access request whose deadline runs; each passage is released or redacted (audited), and the
copy is built with those decisions. The portal reloads itself only for a bounded time."""

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from recruitment.access import Actor
from recruitment.models import (
    AccessEvent,
    Application,
    DataExport,
    DataSubjectRequest,
    ExportPassageReview,
    InterviewNote,
    PortalToken,
    Posting,
    TeamMembership,
)
from recruitment.pipeline.services import stages as pipeline
from recruitment.pipeline.services.notes import add_note
from recruitment.retention.services import purge
from recruitment.rights.services import export_contents, exports, portal_access
from tests.factories import MembershipFactory, PostingFactory, UserFactory
from tests.harness.applying import apply_as, concluded
from tests.harness.rights import archive_of, data_of, open_portal, released_as_is

Status = DataExport.Status
Source = ExportPassageReview.Source
REFEREE = "Referee Marko Marković (former manager) said she missed deadlines twice."
SCORECARD = "Communication: weak per the referee"
REASON = "Team lead Ivana prefers another candidate."


def with_others_words(posting: Posting, recruiter: Any, name: str) -> Application:
    """An application with a reference-check note (a referee and what they said), a
    scorecard, and a stage change whose reason a member of staff wrote."""
    application = apply_as(posting, name)
    actor = Actor(user=recruiter)
    add_note(
        application=application,
        actor=actor,
        kind=InterviewNote.Kind.REFERENCE_CHECK,
        body=REFEREE,
        rating=None,
        scorecard=SCORECARD,
    )
    pipeline.move_application(
        application_id=application.pk, to_stage="screening", actor=actor, reason=REASON
    )
    return application


def portal_of(client: Client, application: Application) -> Client:
    token = portal_access.issue_token(
        candidate=application.candidate, purpose=PortalToken.Purpose.ACCESS
    )
    open_portal(client, token)
    return client


def build_everything() -> None:
    """What the workers would do with every export waiting to be built."""
    for export_id in DataExport.objects.values_list("pk", flat=True):
        exports.build_export(export_id=export_id)


def ready_archives_text() -> str:
    """Every file of every READY export, as one text."""
    texts = []
    for export in DataExport.objects.filter(status=Status.READY):
        archive = archive_of(export)
        texts += [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
    return "\n".join(texts)


# --- Defect 5: the portal's own copy never hands out other people's words unreviewed ---------


@pytest.mark.django_db
def test_a_portal_copy_with_others_words_waits_for_review_with_its_deadline_shown(
    client: Client, posting: Posting, recruiter: Any
) -> None:
    application = with_others_words(posting, recruiter, "Review Waiter")
    portal = portal_of(client, application)

    response = portal.post(reverse("privacy:export"))
    build_everything()

    assert response.status_code == 302
    assert REFEREE not in ready_archives_text()
    assert REASON not in ready_archives_text()
    export = DataExport.objects.get()
    assert export.status == Status.IN_REVIEW
    request = export.request
    assert request is not None
    assert (request.kind, request.channel, request.status) == ("access", "portal", "open")
    assert request.due_at > timezone.now() + timedelta(days=29)
    page = portal.get(reverse("privacy:portal")).content.decode()
    assert "being reviewed" in page
    assert timezone.localtime(request.due_at).strftime("%Y") in page
    assert 'http-equiv="refresh"' not in page, "a review takes days: no reloading"
    # The officer's queue lists the open request with its due date, and its page leads to
    # the review.
    assert DataSubjectRequest.objects.filter(status="open", kind="access").count() == 1
    officer_page = Client()
    officer_page.force_login(UserFactory.create(is_superuser=True))
    detail = officer_page.get(reverse("staff:request", kwargs={"pk": request.pk}))
    assert (
        reverse("staff:export_review", kwargs={"export_id": export.pk}) in detail.content.decode()
    )


@pytest.mark.django_db
def test_asking_again_during_the_review_opens_no_second_request(
    client: Client, posting: Posting, recruiter: Any
) -> None:
    portal = portal_of(client, with_others_words(posting, recruiter, "Asks Twice"))

    portal.post(reverse("privacy:export"))
    portal.post(reverse("privacy:export"))

    assert DataExport.objects.get().status == Status.IN_REVIEW
    assert DataSubjectRequest.objects.count() == 1


@pytest.mark.django_db
def test_a_copy_without_others_words_is_released_at_once_as_before(
    client: Client, posting: Posting
) -> None:
    portal = portal_of(client, apply_as(posting, "Plain Candidate"))

    portal.post(reverse("privacy:export"))
    build_everything()

    assert DataExport.objects.get().status == Status.READY
    request = DataSubjectRequest.objects.get()
    assert (request.kind, request.status) == ("access", "resolved")


@pytest.mark.django_db
def test_the_officer_redacts_and_releases_and_the_copy_holds_exactly_the_decisions(
    client: Client, posting: Posting, recruiter: Any, officer_client: Client, officer: Any
) -> None:
    application = with_others_words(posting, recruiter, "Reviewed Candidate")
    portal_of(client, application).post(reverse("privacy:export"))
    export = DataExport.objects.get()
    review_url = reverse("staff:export_review", kwargs={"export_id": export.pk})
    page = officer_client.get(review_url).content.decode()
    assert REFEREE in page and REASON in page
    note = InterviewNote.objects.get()
    event = application.events.exclude(reason="").get()
    decide = reverse("staff:export_review_passage", kwargs={"export_id": export.pk})

    # Releasing before every passage is decided changes nothing.
    refused = officer_client.post(
        reverse("staff:export_release", kwargs={"export_id": export.pk}), follow=True
    )
    assert "still without a decision" in refused.content.decode()
    export.refresh_from_db()
    assert export.status == Status.IN_REVIEW
    # A redaction needs its text.
    empty = {"source": Source.NOTE_BODY, "source_id": str(note.pk), "decision": "redact"}
    assert "Write the text" in officer_client.post(decide, empty, follow=True).content.decode()
    assert not ExportPassageReview.objects.exists()

    for source, source_id, decision, replacement in [
        (Source.NOTE_BODY, note.pk, "redact", "[A referee's words, withheld: negative.]"),
        (Source.NOTE_SCORECARD, note.pk, "release", ""),
        (Source.EVENT_REASON, event.pk, "redact", "[Another candidate was preferred.]"),
    ]:
        response = officer_client.post(
            decide,
            {
                "source": source,
                "source_id": str(source_id),
                "decision": decision,
                "replacement": replacement,
            },
        )
        assert response.status_code == 302
    response = officer_client.post(reverse("staff:export_release", kwargs={"export_id": export.pk}))
    assert response.status_code == 302
    build_everything()

    export.refresh_from_db()
    assert export.status == Status.READY
    assert export.reviewed_by == officer
    text = ready_archives_text()
    assert "Marković" not in text and "Ivana" not in text
    document = data_of(export)
    [entry] = document["applications"]
    [exported_note] = entry["interview_notes"]
    assert exported_note["body"] == "[A referee's words, withheld: negative.]"
    assert exported_note["body_redacted"] is True
    assert exported_note["scorecard"] == SCORECARD
    assert exported_note["scorecard_redacted"] is False
    reasons = [e["reason"] for e in entry["stage_history"] if e["reason_redacted"]]
    assert reasons == ["[Another candidate was preferred.]"]
    assert document["exports"][0]["passages_redacted"] == 2
    request = DataSubjectRequest.objects.get()
    assert request.status == "resolved"
    actions = list(
        AccessEvent.objects.filter(actor=officer)
        .order_by("created_at", "pk")
        .values_list("action", "request_id")
    )
    assert actions == [
        *[(AccessEvent.Action.REVIEW_EXPORT_PASSAGE, request.pk)] * 3,
        (AccessEvent.Action.RELEASE_REVIEWED_EXPORT, request.pk),
        (AccessEvent.Action.RESOLVE_REQUEST, request.pk),
    ]
    # The candidate downloads it in the portal.
    assert (
        "Download"
        in portal_of(Client(), application).get(reverse("privacy:portal")).content.decode()
    )


@pytest.mark.django_db
def test_a_passage_edited_after_its_review_sends_the_copy_back_to_review(
    posting: Posting, recruiter: Any, officer: Any
) -> None:
    application = with_others_words(posting, recruiter, "Edited Meanwhile")
    export = exports.request_portal_export(candidate=application.candidate)
    first_request = export.request
    assert first_request is not None
    released_as_is(export, officer)
    InterviewNote.objects.update(body="A second referee, Jelena, added more.")

    exports.build_export(export_id=export.pk)

    export.refresh_from_db()
    assert export.status == Status.IN_REVIEW
    assert "Jelena" not in ready_archives_text()
    reopened = export.request
    assert reopened is not None and reopened.status == "open"
    assert reopened.received_at == first_request.received_at, "the deadline runs from the ask"


@pytest.mark.django_db
def test_a_copy_in_review_does_not_expire_but_its_decisions_go_with_the_purge(
    posting: Posting, recruiter: Any, officer: Any
) -> None:
    application = with_others_words(posting, recruiter, "Purged In Review")
    export = exports.request_portal_export(candidate=application.candidate)
    note = InterviewNote.objects.get()
    exports.review_passage(
        export_id=export.pk,
        source=Source.NOTE_BODY,
        source_id=note.pk,
        redact=True,
        replacement="[withheld]",
        actor=Actor(user=officer),
    )

    assert exports.delete_expired_exports(now=timezone.now() + timedelta(days=10)) == 0
    assert DataExport.objects.filter(pk=export.pk).exists()

    concluded(posting, recruiter, application)
    # (The open access request may hold the purge, issue 16 defect 1: erase what it allows.)
    purge.purge_application(application.pk, now=timezone.now() + timedelta(days=1))
    if not Application.objects.filter(pk=application.pk).exists():
        assert not ExportPassageReview.objects.exists()
        assert not DataExport.objects.exists()


@pytest.mark.django_db
def test_a_copy_staff_produce_is_not_held_for_review_and_says_so(
    posting: Posting, recruiter: Any, officer_client: Client
) -> None:
    application = with_others_words(posting, recruiter, "Staff Produced")

    officer_client.post(reverse("staff:application_export", kwargs={"pk": application.pk}))

    assert DataExport.objects.get().status == Status.PENDING
    page = officer_client.get(
        reverse("staff:application_exports", kwargs={"pk": application.pk})
    ).content.decode()
    assert "is not reviewed" in page


# Words no generated text contains by chance: each passage is findable in the ZIP.
passage_texts = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzčćžšđ ", min_size=3, max_size=30).map(
        lambda s: f"«{s.strip() or 'x'}»"
    ),
    min_size=1,
    max_size=4,
    unique=True,
)


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bodies=passage_texts, redact=st.lists(st.booleans(), min_size=4, max_size=4))
def test_a_released_copy_holds_released_passages_and_never_a_redacted_one(
    bodies: list[str], redact: list[bool]
) -> None:
    posting = PostingFactory.create()
    recruiter = MembershipFactory.create(posting=posting, role=TeamMembership.Role.RECRUITER).user
    officer = UserFactory.create(is_superuser=True)
    application = apply_as(posting, f"Property Person {PostingFactory.create().pk}")
    for body in bodies:
        add_note(
            application=application,
            actor=Actor(user=recruiter),
            kind=InterviewNote.Kind.REFERENCE_CHECK,
            body=body,
            rating=None,
            scorecard="",
        )
    export = exports.request_portal_export(candidate=application.candidate)
    assert export.status == Status.IN_REVIEW
    decisions = {}
    for passage, hide in zip(
        export_contents.passages_of(export.candidate_id), redact, strict=False
    ):
        decisions[passage.text] = hide
        exports.review_passage(
            export_id=export.pk,
            source=passage.source,
            source_id=passage.source_id,
            redact=hide,
            replacement="[withheld]" if hide else "",
            actor=Actor(user=officer),
        )

    exports.release_reviewed_export(export_id=export.pk, actor=Actor(user=officer))
    exports.build_export(export_id=export.pk)

    export.refresh_from_db()
    assert export.status == Status.READY
    archive = archive_of(export)
    text = "\n".join(archive.read(name).decode() for name in ("data.json", "README.txt"))
    for body, hide in decisions.items():
        assert (body in text) is not hide
        assert (json.dumps(body, ensure_ascii=False) in text) is not hide


def test_every_passage_source_is_reviewed_before_a_portal_copy() -> None:
    """The review covers every free text others write about a candidate: notes (body and
    scorecard) and staff-written stage reasons. A new such field must be added here."""
    note_texts = {
        f.name
        for f in InterviewNote._meta.fields
        if f.get_internal_type() in {"TextField", "CharField"}
    }
    assert note_texts - {"kind"} == {"body", "scorecard"}
    assert set(Source.values) == {"note_body", "note_scorecard", "event_reason"}


# --- Defect 12: the pending-export page stops reloading itself ---------------------------------


@pytest.mark.django_db
def test_the_portal_reloads_while_a_build_is_young_and_then_stops_and_says_what_to_do(
    client: Client, posting: Posting
) -> None:
    application = apply_as(posting, "Stuck Build")
    portal = portal_of(client, application)
    export = exports.request_export(candidate=application.candidate)

    young = portal.get(reverse("privacy:portal")).content.decode()
    DataExport.objects.filter(pk=export.pk).update(
        created_at=timezone.now() - exports.PORTAL_REFRESH_FOR - timedelta(seconds=1)
    )
    stuck = portal.get(reverse("privacy:portal")).content.decode()

    assert re.search(r'<meta http-equiv="refresh"', young)
    assert not re.search(r'http-equiv="refresh"', stuck)
    assert "no longer reloads itself" in stuck
    assert "being prepared" in stuck
