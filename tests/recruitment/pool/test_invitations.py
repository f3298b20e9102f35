"""Invitations from the talent pool: who may be invited (only the pool's people, within the
limit, once per posting, not after applying), what the email says, the link that leads to
the form, the CV the person may choose to reuse, and what the export and the purge do with
an invitation."""

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from notifications.models import OutboundEmail
from notifications.services import PERSONAL_LINK_PLACEHOLDER
from recruitment.access import Actor
from recruitment.cvs import storage
from recruitment.models import (
    TALENT_POOL,
    AccessEvent,
    Application,
    ErasureRecord,
    Invitation,
    Posting,
    RetentionConsent,
)
from recruitment.pipeline.services import postings
from recruitment.pool.services import invitations
from recruitment.retention.services import consents, purge
from recruitment.rights.services import export_contents
from tests.factories import DataExportFactory, MembershipFactory, PostingFactory, UserFactory
from tests.harness.applying import apply_as, form_data, unique_name
from tests.harness.faults import point_storage_at
from tests.recruitment.pool.builders import (
    CONSENT_STATES,
    EXCLUDING_OBJECTIONS,
    IN_FORCE,
    OBJECTION_STATES,
    person,
)
from tools import devstack


@pytest.fixture
def opening(recruiter: User) -> Posting:
    """Another open posting, `recruiter`'s too: the one people are invited to."""
    other = PostingFactory.create(title="Platform Engineer")
    MembershipFactory.create(posting=other, user=recruiter)
    return other


def invite(actor: Actor, posting: Posting, *people: Application) -> list[invitations.Outcome]:
    return invitations.invite(
        actor=actor, posting=posting, candidate_ids=[p.candidate_id for p in people]
    )


def link_path(invitation: Invitation) -> str:
    """The path of the link the outbox puts in the email (a token minted now)."""
    return urlsplit(invitations.mint_invitation_link(subject_ref=invitation.pk)).path


def follow_link(invitation: Invitation | None) -> tuple[Client, str]:
    """A visitor who opened the invitation's emailed link, and the form's URL it led to."""
    assert invitation is not None
    visitor = Client()
    return visitor, visitor.get(link_path(invitation))["Location"]


def pooled(posting: Posting, name: str, **kwargs: Any) -> Application:
    """A person in the pool through the public path: applied with a real CV and a consent
    they confirmed."""
    return apply_as(posting, unique_name(name), consent=True, **kwargs)


# --- Who may be invited ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_pool_person_is_invited_by_a_localized_email_and_the_audit_log_says_who(
    posting: Posting, opening: Posting, recruiter_actor: Actor
) -> None:
    member = person(posting, now=timezone.now(), cover_letter="Go", language="sr-latn")

    [outcome] = invite(recruiter_actor, opening, member)

    invitation = outcome.invitation
    assert invitation is not None and outcome.refusal == ""
    assert (invitation.candidate_id, invitation.posting_id) == (member.candidate_id, opening.pk)
    assert invitation.language == "sr-latn" and invitation.application_id is None
    email = OutboundEmail.objects.get(subject_ref=invitation.pk)
    assert email.to_address == member.candidate.email
    assert email.language == "sr-latn" and email.personal_link == "pool-invitation"
    assert opening.title in email.body_text and opening.title in email.subject
    assert PERSONAL_LINK_PLACEHOLDER in email.body_text  # the link is minted at delivery
    assert reverse("privacy:request_link") in email.body_text  # how to withdraw
    assert "Poštovani" in email.body_text or "Poštovana" in email.body_text
    event = AccessEvent.objects.get(action=AccessEvent.Action.INVITE_FROM_POOL)
    assert (event.actor, event.posting_id, event.application_id) == (
        recruiter_actor.user,
        opening.pk,
        member.pk,
    )


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    consent=st.sampled_from(CONSENT_STATES),
    restricted=st.booleans(),
    objection=st.sampled_from(OBJECTION_STATES),
)
def test_only_people_in_the_pool_can_be_invited(
    posting: Posting,
    opening: Posting,
    recruiter_actor: Actor,
    consent: str,
    restricted: bool,
    objection: str,
) -> None:
    someone = person(
        posting,
        now=timezone.now(),
        consent=consent,
        restricted=restricted,
        objection=objection,
    )
    in_pool = consent in IN_FORCE and not restricted and objection not in EXCLUDING_OBJECTIONS

    [outcome] = invite(recruiter_actor, opening, someone)

    assert (outcome.invitation is not None) is in_pool
    mine = Invitation.objects.filter(candidate=someone.candidate)
    emails = OutboundEmail.objects.filter(to_address=someone.candidate.email)
    if in_pool:
        assert mine.count() == 1 and emails.count() == 1
    else:
        assert str(outcome.refusal) == str(invitations.NOT_IN_POOL)
        assert not mine.exists() and not emails.exists()
        assert not AccessEvent.objects.filter(application_id=someone.pk).exists()


@pytest.mark.django_db
def test_nobody_is_invited_twice_to_a_posting_nor_to_one_they_applied_to(
    posting: Posting, opening: Posting, recruiter_actor: Actor
) -> None:
    member = person(posting, now=timezone.now())

    [first] = invite(recruiter_actor, opening, member)
    [again] = invite(recruiter_actor, opening, member)
    [applied] = invite(recruiter_actor, posting, member)

    assert first.invitation is not None
    assert again.refusal == str(invitations.ALREADY_INVITED)
    assert applied.refusal == str(invitations.ALREADY_APPLIED)
    assert Invitation.objects.count() == 1
    assert OutboundEmail.objects.count() == 1


@pytest.mark.django_db
@override_settings(POOL_INVITATIONS_PER_PERSON=2, POOL_INVITATION_PERIOD_DAYS=30)
def test_a_person_is_invited_at_most_so_often_whoever_invites(
    posting: Posting, recruiter_actor: Actor, superuser_actor: Actor
) -> None:
    member = person(posting, now=timezone.now())
    openings = [PostingFactory.create() for _ in range(4)]
    now = timezone.now()

    results = [
        invitations.invite(
            actor=superuser_actor, posting=opening, candidate_ids=[member.candidate_id], now=now
        )[0]
        for opening in openings[:3]
    ]
    later = invitations.invite(
        actor=superuser_actor,
        posting=openings[3],
        candidate_ids=[member.candidate_id],
        now=now + timedelta(days=31),
    )[0]

    assert [bool(result.invitation) for result in results] == [True, True, False]
    assert results[2].refusal == invitations.period_limit_message()
    assert later.invitation is not None  # a new period
    assert Invitation.objects.count() == 3


@pytest.mark.django_db
def test_only_an_open_posting_the_inviter_manages_can_be_invited_to(
    posting: Posting, opening: Posting, recruiter_actor: Actor
) -> None:
    member = person(posting, now=timezone.now())
    not_theirs = PostingFactory.create()
    closed = PostingFactory.create(status=Posting.Status.CLOSED)
    MembershipFactory.create(posting=closed, user=recruiter_actor.user)
    past_closing = PostingFactory.create(valid_through=timezone.now() - timedelta(minutes=1))
    MembershipFactory.create(posting=past_closing, user=recruiter_actor.user)

    for target in (not_theirs, closed, past_closing):
        with pytest.raises(invitations.PostingNotInvitable):
            invite(recruiter_actor, target, member)

    assert not Invitation.objects.exists() and not OutboundEmail.objects.exists()


@pytest.mark.django_db
def test_a_selection_is_invited_person_by_person(
    posting: Posting, opening: Posting, recruiter_actor: Actor
) -> None:
    now = timezone.now()
    ana, bojan = person(posting, now=now), person(posting, now=now)
    lapsed = person(posting, now=now, consent="withdrawn")

    outcomes = invite(recruiter_actor, opening, ana, lapsed, bojan, ana)

    assert [(o.candidate_id, bool(o.invitation)) for o in outcomes] == [
        (ana.candidate_id, True),
        (lapsed.candidate_id, False),
        (bojan.candidate_id, True),
    ]
    assert outcomes[1].full_name == lapsed.candidate.full_name


@pytest.mark.django_db
def test_the_link_expires_with_the_posting_if_it_closes_sooner(
    posting: Posting, recruiter_actor: Actor, recruiter: User
) -> None:
    closes = timezone.now() + timedelta(days=3)
    soon = PostingFactory.create(valid_through=closes)
    MembershipFactory.create(posting=soon, user=recruiter)

    [outcome] = invite(recruiter_actor, soon, person(posting, now=timezone.now()))

    assert outcome.invitation is not None and outcome.invitation.expires_at == closes


# --- The staff pages -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_recruiter_invites_from_the_pool_pages_and_sees_what_came_of_it(
    posting: Posting, opening: Posting, recruiter: User
) -> None:
    now = timezone.now()
    ana, lapsed = person(posting, now=now), person(posting, now=now, consent="expired")
    client = Client()
    client.force_login(recruiter)
    search = client.get(reverse("staff:pool:search")).content.decode()
    assert 'id="invite-form"' in search and f'value="{ana.candidate_id}"' in search

    response = client.post(
        reverse("staff:pool:invite"),
        {"posting": opening.pk, "candidates": [ana.candidate_id, lapsed.candidate_id]},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert ana.candidate.full_name in page and lapsed.candidate.full_name in page
    assert "Invited: the email is on its way" in page
    assert "Not in the talent pool any more" in page
    profile = client.get(reverse("staff:pool:person", kwargs={"pk": ana.candidate_id}))
    assert opening.title in profile.content.decode()
    assert recruiter.username in profile.content.decode()


@pytest.mark.django_db
def test_a_bad_invitation_request_invites_nobody_and_says_why(
    posting: Posting, opening: Posting, recruiter: User
) -> None:
    member = person(posting, now=timezone.now())
    client = Client()
    client.force_login(recruiter)
    foreign = PostingFactory.create()

    cases = [
        {"posting": opening.pk},
        {"posting": opening.pk, "candidates": "not-a-uuid"},
        {"posting": foreign.pk, "candidates": member.candidate_id},
    ]
    for data in cases:
        response = client.post(reverse("staff:pool:invite"), data)
        assert response.status_code == 400
        assert "Nobody was invited." in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_without_an_open_posting_to_manage_there_is_no_invite_form(posting: Posting) -> None:
    person(posting, now=timezone.now())
    recruiter_elsewhere = MembershipFactory.create(
        posting=PostingFactory.create(status=Posting.Status.CLOSED)
    ).user
    client = Client()
    client.force_login(recruiter_elsewhere)

    page = client.get(reverse("staff:pool:search")).content.decode()

    assert 'id="invite-form"' not in page


# --- The link and the application ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_person_applies_through_the_link_with_the_cv_the_pool_keeps(
    posting: Posting, opening: Posting, recruiter_actor: Actor
) -> None:
    member = pooled(posting, "Ana Pool")
    old_cv = member.cvs.get()
    [outcome] = invite(recruiter_actor, opening, member)
    assert outcome.invitation is not None
    visitor = Client()
    link = link_path(outcome.invitation)

    landing = visitor.get(link)
    form_page = visitor.get(landing["Location"])

    assert landing.status_code == 302
    assert landing["Location"] == reverse("careers:posting_detail", kwargs={"slug": opening.slug})
    page = form_page.content.decode()
    assert member.candidate.email in page and member.candidate.full_name in page
    assert old_cv.original_filename in page and 'name="use_pool_cv"' in page
    assert "no-store" in form_page["Cache-Control"]
    assert landing["Referrer-Policy"] == "no-referrer"

    data = form_data(email=member.candidate.email, cv=None, use_pool_cv="on")
    response = visitor.post(landing["Location"], data)

    assert response.status_code == 302, response.content.decode()[:2000]
    new = Application.objects.get(posting=opening)
    assert new.candidate_id == member.candidate_id and new.source_id == TALENT_POOL
    new_cv = new.cvs.get()
    assert new_cv.storage_key != old_cv.storage_key
    assert (new_cv.sha256, new_cv.text, new_cv.size) == (old_cv.sha256, old_cv.text, old_cv.size)
    assert storage.read_object(new_cv.storage_key) == storage.read_object(old_cv.storage_key)
    outcome.invitation.refresh_from_db()
    assert outcome.invitation.application_id == new.pk
    # Spent: the link, and the session's note of it.
    assert visitor.get(link).status_code == 404
    assert link_path(outcome.invitation) == reverse("careers:posting_list")  # a resend
    assert 'name="use_pool_cv"' not in visitor.get(landing["Location"]).content.decode()


@pytest.mark.django_db
def test_the_person_may_send_a_new_cv_instead(
    posting: Posting, opening: Posting, recruiter_actor: Actor
) -> None:
    member = pooled(posting, "Bojan Pool")
    [outcome] = invite(recruiter_actor, opening, member)
    visitor, detail = follow_link(outcome.invitation)

    both = form_data(email=member.candidate.email, use_pool_cv="on")
    neither = form_data(email=member.candidate.email, cv=None)
    for data in (both, neither):
        response = visitor.post(detail, data)
        assert response.status_code == 400
    assert not Application.objects.filter(posting=opening).exists()

    assert visitor.post(detail, form_data(email=member.candidate.email)).status_code == 302
    new = Application.objects.get(posting=opening)
    assert new.cvs.get().original_filename == "Ana Petrovic CV.pdf"
    assert new.source_id == TALENT_POOL


@pytest.mark.django_db
def test_the_pool_cv_is_only_for_the_invited_address_and_while_it_is_kept(
    posting: Posting, opening: Posting, recruiter_actor: Actor
) -> None:
    member = pooled(posting, "Cana Pool")
    [outcome] = invite(recruiter_actor, opening, member)
    visitor, detail = follow_link(outcome.invitation)
    objects_before = sorted(key for key, _ in storage.iter_cv_objects())

    other_address = visitor.post(
        detail, form_data(email="someone.else@example.com", cv=None, use_pool_cv="on")
    )
    assert other_address.status_code == 400
    assert "the email address the invitation was sent to" in other_address.content.decode()

    # The form was shown; then the person withdrew their consent.
    consents.withdraw_consent(consent=RetentionConsent.objects.get(candidate=member.candidate))
    withdrawn = visitor.post(
        detail, form_data(email=member.candidate.email, cv=None, use_pool_cv="on")
    )

    assert withdrawn.status_code == 400
    assert not Application.objects.filter(posting=opening).exists()
    assert sorted(key for key, _ in storage.iter_cv_objects()) == objects_before


@pytest.mark.django_db
def test_a_link_that_does_not_work_says_so_the_same_way_whatever_the_reason(
    posting: Posting, opening: Posting, recruiter_actor: Actor
) -> None:
    member = person(posting, now=timezone.now())
    [outcome] = invite(recruiter_actor, opening, member)
    assert outcome.invitation is not None
    expired = link_path(outcome.invitation)
    Invitation.objects.filter(pk=outcome.invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    other = PostingFactory.create()
    MembershipFactory.create(posting=other, user=recruiter_actor.user)
    [second] = invite(recruiter_actor, other, member)
    assert second.invitation is not None
    closed = link_path(second.invitation)
    postings.close_posting(posting=other)

    for path in (expired, closed, reverse("careers:invitation", args=["x" * 43])):
        response = Client().get(path)
        assert response.status_code == 404
        assert "This invitation link no longer works" in response.content.decode()


@pytest.mark.django_db
def test_a_replayed_session_note_of_another_posting_offers_nothing(
    posting: Posting, opening: Posting, recruiter_actor: Actor
) -> None:
    member = pooled(posting, "Dana Pool")
    [outcome] = invite(recruiter_actor, opening, member)
    visitor, _ = follow_link(outcome.invitation)

    elsewhere = visitor.get(reverse("careers:posting_detail", kwargs={"slug": posting.slug}))

    page = elsewhere.content.decode()
    assert 'name="use_pool_cv"' not in page and member.candidate.email not in page


# --- Export and purge -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_invitations_and_their_emails_are_in_the_export(
    posting: Posting, opening: Posting, recruiter_actor: Actor
) -> None:
    member = person(posting, now=timezone.now())
    [outcome] = invite(recruiter_actor, opening, member)
    assert outcome.invitation is not None
    export = DataExportFactory.create(candidate=member.candidate)

    document = export_contents.collect(
        candidate=member.candidate, export=export, now=timezone.now()
    ).document

    [entry] = document["invitations"]
    assert entry["posting"] == {"id": opening.pk, "title": opening.title}
    assert entry["invited_by"] == "recruiter" and entry["application_id"] is None
    assert recruiter_actor.user.username not in str(document)
    [email] = [e for e in document["emails"] if e["invitation"]]
    assert email["template"] == "pool/emails/invitation" and email["application_id"] is None


@pytest.mark.django_db
def test_the_purge_erases_a_persons_invitations_and_their_emails(
    posting: Posting, opening: Posting, recruiter_actor: Actor
) -> None:
    member = pooled(posting, "Ena Pool")
    other = pooled(posting, "Filip Pool")
    [used, unused] = invite(recruiter_actor, opening, member, other)
    assert used.invitation is not None and unused.invitation is not None
    visitor, detail = follow_link(used.invitation)
    assert visitor.post(detail, form_data(email=member.candidate.email)).status_code == 302
    new = Application.objects.get(posting=opening)
    admin = Actor(UserFactory.create(is_superuser=True))

    # A person who goes entirely takes their invitation, and its email, with them.
    assert purge.erase_now(application=other, actor=admin) == purge.Outcome.ERASED
    assert not Invitation.objects.filter(pk=unused.invitation.pk).exists()
    assert not OutboundEmail.objects.filter(subject_ref=unused.invitation.pk).exists()
    assert Invitation.objects.filter(pk=used.invitation.pk).exists()
    record = ErasureRecord.objects.get(application_id=other.pk)
    assert record.rows_deleted["invitations"] == 1

    # The application made through an invitation takes it along.
    assert purge.erase_now(application=new, actor=admin) == purge.Outcome.ERASED
    assert not Invitation.objects.exists()
    assert not OutboundEmail.objects.filter(subject_ref=used.invitation.pk).exists()
    assert ErasureRecord.objects.get(application_id=new.pk).rows_deleted["invitations"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_the_invitation_email_is_in_the_persons_language(
    posting: Posting, opening: Posting, recruiter_actor: Actor, language: str
) -> None:
    member = person(posting, now=timezone.now(), language=language)

    invite(recruiter_actor, opening, member)

    email = OutboundEmail.objects.get()
    assert email.language == language
    english = {"An opening you may like", "Why you hear from us", "See the posting and apply"}
    text = email.subject + email.body_text + email.body_html
    assert any(words in text for words in english) is (language == "en"), text


@pytest.mark.django_db
def test_storage_down_while_copying_the_pool_cv_stores_nothing_and_says_so(
    posting: Posting, opening: Posting, recruiter_actor: Actor, settings: Any
) -> None:
    member = pooled(posting, "Gorana Pool")
    [outcome] = invite(recruiter_actor, opening, member)
    assert outcome.invitation is not None
    visitor, detail = follow_link(outcome.invitation)
    emails_before = OutboundEmail.objects.count()
    point_storage_at(settings, f"http://127.0.0.1:{devstack.free_port()}")

    response = visitor.post(
        detail, form_data(email=member.candidate.email, cv=None, use_pool_cv="on")
    )

    assert response.status_code == 503
    assert "We could not receive your application." in response.content.decode()
    assert not Application.objects.filter(posting=opening).exists()
    assert OutboundEmail.objects.count() == emails_before
    outcome.invitation.refresh_from_db()
    assert outcome.invitation.application_id is None  # the link still works


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["restriction", "objection"])
def test_an_invitation_not_yet_sent_is_withheld_when_a_restriction_or_objection_arrives(
    posting: Posting, opening: Posting, recruiter_actor: Actor, kind: str
) -> None:
    from recruitment.rights.services import register

    queued, sent = (person(posting, now=timezone.now(), cover_letter="Go") for _ in range(2))
    [waiting] = invite(recruiter_actor, opening, queued)
    [delivered] = invite(recruiter_actor, opening, sent)
    assert waiting.invitation is not None and delivered.invitation is not None
    OutboundEmail.objects.filter(subject_ref=delivered.invitation.pk).update(
        status=OutboundEmail.Status.SENT
    )

    for someone in (queued, sent):
        register.record_request(candidate=someone.candidate, kind=kind, channel="portal")

    # The queued email never leaves, and nothing says they were invited: the link never
    # reached them (the audit log keeps who tried).
    assert not OutboundEmail.objects.filter(subject_ref=waiting.invitation.pk).exists()
    assert not Invitation.objects.filter(pk=waiting.invitation.pk).exists()
    assert AccessEvent.objects.filter(
        action=AccessEvent.Action.INVITE_FROM_POOL, application_id=queued.pk
    ).exists()
    # One that had left stays what it was: sent, and recorded.
    assert Invitation.objects.filter(pk=delivered.invitation.pk).exists()
    assert OutboundEmail.objects.get(subject_ref=delivered.invitation.pk).status == "sent"
