"""A person marks the answers a knock-out flagged as reviewed: who and when, in the history,
the audit log and the export; the board's filter then leaves the application out; nothing is
decided by it; refused while processing is restricted (real PostgreSQL)."""

import uuid

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from recruitment.access import Actor
from recruitment.models import (
    AccessEvent,
    Application,
    ApplicationEvent,
    Posting,
    Question,
    TeamMembership,
)
from recruitment.questions import review
from recruitment.questions import services as questions
from tests.factories import MembershipFactory
from tests.harness.applying import apply
from tests.harness.rights import built, data_of

pytestmark = pytest.mark.django_db

Role = TeamMembership.Role


def signed_in(posting: Posting, role: str) -> tuple[Client, Actor]:
    user = MembershipFactory.create(posting=posting, role=role).user
    if role == Role.RECRUITER:
        user.groups.add(Group.objects.get(name="Recruiters"))
    client = Client()
    client.force_login(user)
    return client, Actor(user=user)


def flagged_and_fine(client: Client, posting: Posting, actor: Actor) -> tuple[Application, ...]:
    question = questions.add_question(
        posting=posting,
        data=questions.QuestionData(
            kind=Question.Kind.YES_NO,
            label="Do you hold a driving licence?",
            knockout_answers=("no",),
        ),
        actor=actor,
    )
    posting.refresh_from_db()
    for email, answer in (("flagged@example.com", "no"), ("fine@example.com", "yes")):
        response = apply(
            client,
            posting,
            email=email,
            questions_fingerprint=posting.questions_fingerprint,
            **{f"question_{question.pk}": answer},
        )
        assert response.status_code == 302
    return (
        Application.objects.get(candidate__email="flagged@example.com"),
        Application.objects.get(candidate__email="fine@example.com"),
    )


def review_url(application: Application) -> str:
    return reverse("staff:answers_reviewed", kwargs={"pk": application.pk})


def board(staff: Client, posting: Posting, query: str = "") -> str:
    return staff.get(reverse("staff:pipeline", kwargs={"pk": posting.pk}) + query).content.decode()


def shown_messages(response: object) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def test_a_hiring_manager_marks_the_flagged_answers_reviewed_and_the_filter_drops_them(
    client: Client, posting: Posting
) -> None:
    recruiter, recruiter_actor = signed_in(posting, Role.RECRUITER)
    manager, manager_actor = signed_in(posting, Role.HIRING_MANAGER)
    flagged, _fine = flagged_and_fine(client, posting, recruiter_actor)
    assert str(flagged.pk) in board(recruiter, posting, "?review=1")
    page = manager.get(reverse("staff:application", kwargs={"pk": flagged.pk})).content.decode()
    assert "Mark the flagged answers as reviewed" in page

    response = manager.post(review_url(flagged), follow=True)

    assert response.status_code == 200
    assert "marked as reviewed" in " ".join(shown_messages(response))
    flagged.refresh_from_db()
    assert flagged.answers_reviewed_by == manager_actor.user
    assert flagged.answers_reviewed_at is not None
    # Nothing decided: the stage is the person's separate decision.
    assert flagged.stage == Application.Stage.APPLIED
    event = flagged.events.get(kind=ApplicationEvent.Kind.ANSWERS_REVIEWED)
    assert event.actor == manager_actor.user
    audit = AccessEvent.objects.get(action=AccessEvent.Action.REVIEW_ANSWERS)
    assert (audit.application_id, audit.posting_id, audit.actor) == (
        flagged.pk,
        posting.pk,
        manager_actor.user,
    )
    # The board no longer shows it as one to review, and its page says who reviewed it.
    assert str(flagged.pk) not in board(recruiter, posting, "?review=1")
    assert 'class="badge review"' not in board(recruiter, posting)
    page = recruiter.get(reverse("staff:application", kwargs={"pk": flagged.pk})).content.decode()
    assert "answers reviewed" in page
    assert manager_actor.user.get_username() in page
    assert "Mark the flagged answers as reviewed" not in page


def test_a_second_review_is_refused_and_writes_nothing(client: Client, posting: Posting) -> None:
    recruiter, actor = signed_in(posting, Role.RECRUITER)
    flagged, _fine = flagged_and_fine(client, posting, actor)
    review.mark_answers_reviewed(actor=actor, application_id=flagged.pk)
    first = Application.objects.get(pk=flagged.pk).answers_reviewed_at

    response = recruiter.post(review_url(flagged), follow=True)

    assert "already marked as reviewed" in " ".join(shown_messages(response))
    assert Application.objects.get(pk=flagged.pk).answers_reviewed_at == first
    assert flagged.events.filter(kind=ApplicationEvent.Kind.ANSWERS_REVIEWED).count() == 1
    assert AccessEvent.objects.filter(action=AccessEvent.Action.REVIEW_ANSWERS).count() == 1


def test_an_application_no_knock_out_flagged_has_nothing_to_review(
    client: Client, posting: Posting
) -> None:
    _recruiter, actor = signed_in(posting, Role.RECRUITER)
    _flagged, fine = flagged_and_fine(client, posting, actor)

    with pytest.raises(review.ReviewRefused, match="nothing to review"):
        review.mark_answers_reviewed(actor=actor, application_id=fine.pk)

    assert Application.objects.get(pk=fine.pk).answers_reviewed_at is None
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.REVIEW_ANSWERS).exists()


def test_a_restricted_application_refuses_the_review_with_the_reason(
    client: Client, posting: Posting
) -> None:
    recruiter, actor = signed_in(posting, Role.RECRUITER)
    flagged, _fine = flagged_and_fine(client, posting, actor)
    Application.objects.filter(pk=flagged.pk).update(restricted=True)
    page = recruiter.get(reverse("staff:application", kwargs={"pk": flagged.pk})).content.decode()
    assert "Mark the flagged answers as reviewed" not in page
    assert "until the privacy officer lifts the restriction" in page

    response = recruiter.post(review_url(flagged), follow=True)

    assert "restricted the processing" in " ".join(shown_messages(response))
    stored = Application.objects.get(pk=flagged.pk)
    assert (stored.answers_reviewed_at, stored.answers_reviewed_by) == (None, None)
    assert not flagged.events.filter(kind=ApplicationEvent.Kind.ANSWERS_REVIEWED).exists()
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.REVIEW_ANSWERS).exists()
    # Still flagged for review: the restriction froze it as it was.
    assert str(flagged.pk) in board(recruiter, posting, "?review=1")


def test_an_erased_application_cannot_be_reviewed(posting: Posting) -> None:
    _recruiter, actor = signed_in(posting, Role.RECRUITER)

    with pytest.raises(review.ReviewRefused, match="erased"):
        review.mark_answers_reviewed(actor=actor, application_id=uuid.uuid4())


def test_the_export_holds_the_review_with_the_reviewer_s_role_not_their_name(
    client: Client, posting: Posting
) -> None:
    _manager, actor = signed_in(posting, Role.HIRING_MANAGER)
    flagged, fine = flagged_and_fine(client, posting, actor)
    review.mark_answers_reviewed(actor=actor, application_id=flagged.pk)

    flagged.refresh_from_db()
    document = data_of(built(flagged.candidate))
    [entry] = document["applications"]
    assert entry["answers_review"]["by"] == "hiring_manager"
    assert entry["answers_review"]["reviewed_at"] is not None
    [event] = [e for e in entry["stage_history"] if e["kind"] == "answers_reviewed"]
    assert event["by"] == "hiring_manager"
    assert actor.user.get_username() not in str(document)
    assert data_of(built(fine.candidate))["applications"][0]["answers_review"] is None
