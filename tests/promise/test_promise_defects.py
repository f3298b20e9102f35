"""Regression tests for the sequences a hostile review found breaking the promise (issue 15).

Each test fails on the code before its fix: "retained until the process is formally
concluded; beyond that only with explicit consent", and the rights, hold whatever order
things happen in and however a request arrives.
"""

import io
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboundEmail
from recruitment.access import Actor
from recruitment.careers.services import (
    ApplicantData,
    DuplicateApplication,
    PostingNotOpen,
    submit_application,
)
from recruitment.cvs.checks import inspect_cv
from recruitment.models import (
    AccessEvent,
    Application,
    ApplicationEvent,
    Candidate,
    DataSubjectRequest,
    ErasureRecord,
    LegalHold,
    PortalToken,
    Posting,
    RetentionConsent,
    TeamMembership,
)
from recruitment.pipeline.services import stages as pipeline
from recruitment.retention.services import consents, holds, purge
from recruitment.retention.services import schedule as retention
from recruitment.rights.services import portal_access, register, requests, self_service
from tests.factories import MembershipFactory, PostingFactory
from tests.hostile.pdf import valid_pdf

Stage = Application.Stage
Kind = DataSubjectRequest.Kind


def apply(
    posting: Posting,
    email: str,
    *,
    name: str = "Ana Kovačević",
    phone: str = "+387 61 111 222",
    consent: bool = False,
) -> Application:
    pdf = valid_pdf()
    return submit_application(
        posting=posting,
        applicant=ApplicantData(
            full_name=name,
            email=email,
            phone=phone,
            cover_letter="",
            consents_to_talent_pool=consent,
            language="en",
        ),
        cv=io.BytesIO(pdf),
        cv_filename="cv.pdf",
        inspected=inspect_cv(io.BytesIO(pdf), max_bytes=len(pdf)),
    )


def deliver_all() -> None:
    """The candidates' notices are sent (the purge waits for them)."""
    OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now()
    )


def sweep_later(days: int = 0) -> purge.SweepReport:
    deliver_all()
    return purge.sweep(now=timezone.now() + timedelta(days=days, seconds=1))


def templates_to(address: str) -> list[str]:
    return list(
        OutboundEmail.objects.filter(to_address=address)
        .order_by("created_at")
        .values_list("template", flat=True)
    )


def open_portal(client: Client, candidate: Candidate) -> Client:
    token = portal_access.issue_token(candidate=candidate, purpose=PortalToken.Purpose.ACCESS)
    client.get(f"/privacy/access/{token}/")
    assert client.post(reverse("privacy:continue")).status_code == 302
    return client


# --- 1. Concluding ends every application that is not hired -----------------------------------


@pytest.mark.django_db
def test_an_application_restricted_while_undecided_is_erased_once_the_restriction_lifts(
    posting: Posting, recruiter_actor: Actor, superuser_actor: Actor
) -> None:
    application = apply(posting, "frozen@example.com")
    request = self_service.restrict_processing(candidate=application.candidate, details="")
    pipeline.conclude_process(posting=posting, actor=recruiter_actor, reject_remaining=True)

    application.refresh_from_db()
    assert application.stage == Stage.APPLIED  # frozen: no stage move
    assert application.purge_due_at is None  # and nothing erased while restricted
    assert application.events.filter(kind=ApplicationEvent.Kind.ENDED_BY_CONCLUSION).exists()

    requests.resolve_request(
        request=request, resolution="Lifted after review.", actor=superuser_actor
    )
    application.refresh_from_db()
    assert not application.restricted
    assert application.purge_due_at is not None
    assert application.purge_due_at <= timezone.now()
    # Told before the data goes, as everyone else was at conclusion.
    assert "retention/emails/data_deleted" in templates_to("frozen@example.com")
    sweep_later()
    assert not Application.objects.filter(pk=application.pk).exists()
    assert not Candidate.objects.filter(email="frozen@example.com").exists()


@pytest.mark.django_db
def test_the_conclusion_page_names_the_restricted_applications_it_ends(
    client: Client, posting: Posting, recruiter_actor: Actor
) -> None:
    application = apply(posting, "named@example.com", name="Marko Marković")
    self_service.restrict_processing(candidate=application.candidate, details="")
    client.force_login(recruiter_actor.user)
    page = client.get(reverse("staff:posting_conclude", kwargs={"pk": posting.pk}))
    assert "Marko Marković" in page.content.decode()
    assert reverse("staff:application", kwargs={"pk": application.pk}) in page.content.decode()


# --- 2. Applying waits for a conclusion in progress -------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_application_submitted_during_a_conclusion_waits_and_is_refused() -> None:
    posting = PostingFactory.create()
    actor = Actor(
        MembershipFactory.create(posting=posting, role=TeamMembership.Role.RECRUITER).user
    )
    concluding = threading.Event()
    release = threading.Event()
    outcome: dict[str, Any] = {}

    def conclude() -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                pipeline.conclude_process(posting=posting, actor=actor)
                concluding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    def submit() -> None:
        try:
            outcome["application"] = apply(posting, "racer@example.com")
        except PostingNotOpen:
            outcome["refused"] = True
        finally:
            connections.close_all()

    concluder = threading.Thread(target=conclude)
    concluder.start()
    assert concluding.wait(timeout=30)
    applicant = threading.Thread(target=submit)
    applicant.start()
    # The application's statement waits for the posting row's lock...
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                break
        time.sleep(0.05)
    else:
        pytest.fail("the application did not wait for the concluding transaction")
    assert applicant.is_alive()
    release.set()
    concluder.join(timeout=30)
    applicant.join(timeout=30)
    # ... then sees the conclusion: nothing is written into a concluded posting.
    assert outcome == {"refused": True}
    assert not Application.objects.filter(posting=posting).exists()
    assert not Candidate.objects.filter(email="racer@example.com").exists()


# --- 3. Rights recorded by staff have their effect --------------------------------------------


@pytest.mark.django_db
def test_a_consent_withdrawal_recorded_by_staff_withdraws_the_consent_at_once(
    client: Client, posting: Posting, recruiter_actor: Actor, superuser_actor: Actor
) -> None:
    application = apply(posting, "withdraws@example.com")
    consent = consents.give_consent(
        candidate=application.candidate, language="en", channel=RetentionConsent.Channel.PORTAL
    )
    pipeline.conclude_process(posting=posting, actor=recruiter_actor, reject_remaining=True)
    application.refresh_from_db()
    assert application.purge_due_at == consent.expires_at

    request = register.record_request(
        candidate=application.candidate,
        kind=Kind.CONSENT_WITHDRAWAL,
        channel=DataSubjectRequest.Channel.EMAIL,
        details="Replied to the confirmation email: please do not keep my data.",
        actor=superuser_actor,
    )
    consent.refresh_from_db()
    application.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert application.purge_due_at is not None
    assert application.purge_due_at <= timezone.now()
    requests.resolve_request(request=request, resolution="Withdrawn.", actor=superuser_actor)
    sweep_later()
    assert not Application.objects.filter(pk=application.pk).exists()


@pytest.mark.django_db
def test_resolving_a_withdrawal_leaves_a_consent_given_after_it_in_force(
    posting: Posting, superuser_actor: Actor
) -> None:
    application = apply(posting, "changed-mind@example.com")
    request = register.record_request(
        candidate=application.candidate,
        kind=Kind.CONSENT_WITHDRAWAL,
        channel=DataSubjectRequest.Channel.EMAIL,
        received_at=timezone.now() - timedelta(days=2),
        actor=superuser_actor,
    )
    later = consents.give_consent(
        candidate=application.candidate, language="en", channel=RetentionConsent.Channel.PORTAL
    )
    requests.resolve_request(request=request, resolution="Done.", actor=superuser_actor)
    later.refresh_from_db()
    assert later.withdrawn_at is None


@pytest.mark.django_db
def test_a_restriction_recorded_by_staff_freezes_the_data_so_the_conclusion_erases_nothing(
    posting: Posting, recruiter_actor: Actor, superuser_actor: Actor
) -> None:
    application = apply(posting, "keeps@example.com")
    pipeline.move_application(
        application_id=application.pk, to_stage=Stage.UNSUCCESSFUL, actor=recruiter_actor
    )
    register.record_request(
        candidate=application.candidate,
        kind=Kind.RESTRICTION,
        channel=DataSubjectRequest.Channel.OTHER,
        details="Letter: keep my data, I am contesting the decision.",
        actor=superuser_actor,
    )
    application.refresh_from_db()
    assert application.restricted
    pipeline.conclude_process(posting=posting, actor=recruiter_actor)
    assert sweep_later().erased == 0
    assert Application.objects.filter(pk=application.pk).exists()


@pytest.mark.django_db
def test_a_restriction_lasts_while_any_restriction_request_is_open(
    posting: Posting, superuser_actor: Actor
) -> None:
    application = apply(posting, "twice@example.com")
    first = self_service.restrict_processing(candidate=application.candidate, details="one")
    second = register.record_request(
        candidate=application.candidate,
        kind=Kind.RESTRICTION,
        channel=DataSubjectRequest.Channel.EMAIL,
        actor=superuser_actor,
    )
    requests.resolve_request(request=first, resolution="Answered.", actor=superuser_actor)
    application.refresh_from_db()
    assert application.restricted  # the second request still asks for it
    requests.resolve_request(
        request=second, resolution="Answered.", refused=True, actor=superuser_actor
    )
    application.refresh_from_db()
    assert not application.restricted


@pytest.mark.django_db(transaction=True)
def test_candidates_replies_reach_the_privacy_contact(
    posting: Posting, settings: Any, smtp_mailbox: Any, unique_email: Any
) -> None:
    from notifications.services import deliver_email

    settings.EMAIL_REPLY_TO = "privacy-desk@example.com"
    address = unique_email("replies")
    application = apply(posting, address, consent=True)
    email = OutboundEmail.objects.get(
        subject_ref=application.pk, template="careers/emails/application_received"
    )
    deliver_email(email_id=email.pk)
    (message,) = smtp_mailbox.wait_for(address)
    assert message["Reply-To"] == "privacy-desk@example.com"


# --- 4. An unverified submission changes nothing of an existing person ------------------------


@pytest.mark.django_db
def test_applying_with_someone_elses_address_changes_none_of_their_details(
    posting: Posting,
) -> None:
    victim = apply(posting, "victim@example.com", name="Ana Kovačević", phone="+387 61 1")
    stranger = apply(PostingFactory.create(), "victim@example.com", name="Impostor", phone="+1 555")
    person = Candidate.objects.get(email="victim@example.com")
    assert (person.full_name, person.phone) == ("Ana Kovačević", "+387 61 1")
    victim.refresh_from_db()
    assert (victim.full_name, victim.phone) == ("Ana Kovačević", "+387 61 1")
    # What the stranger typed stays on the stranger's application.
    stranger.refresh_from_db()
    assert (stranger.full_name, stranger.phone) == ("Impostor", "+1 555")


@pytest.mark.django_db
def test_a_box_ticked_on_another_application_keeps_nothing_of_the_victims(
    posting: Posting, recruiter_actor: Actor
) -> None:
    victim = apply(posting, "kept@example.com")
    other = PostingFactory.create()
    apply(other, "kept@example.com", consent=True)  # a stranger ticks the talent-pool box
    pipeline.conclude_process(posting=posting, actor=recruiter_actor, reject_remaining=True)
    victim.refresh_from_db()
    assert victim.purge_due_at is not None
    assert victim.purge_due_at <= timezone.now()
    sweep_later()
    assert not Application.objects.filter(pk=victim.pk).exists()


@pytest.mark.django_db
def test_a_form_consent_keeps_its_application_only_once_the_owner_confirms_it(
    client: Client, posting: Posting, recruiter_actor: Actor
) -> None:
    application = apply(posting, "confirms@example.com", consent=True)
    consent = RetentionConsent.objects.get(application=application)
    assert consent.confirmed_at is None
    pipeline.conclude_process(posting=posting, actor=recruiter_actor, reject_remaining=True)
    application.refresh_from_db()
    assert application.purge_due_at is not None
    assert application.purge_due_at <= timezone.now()  # unconfirmed: kept for nothing

    portal = open_portal(client, application.candidate)
    page = portal.get(reverse("privacy:portal")).content.decode()
    assert f'name="consent" value="{consent.pk}"' in page
    response = portal.post(
        reverse("privacy:consent"), {"action": "confirm", "consent": str(consent.pk)}
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    application.refresh_from_db()
    assert consent.confirmed_at is not None
    assert application.purge_due_at == consent.expires_at
    assert application.events.filter(kind=ApplicationEvent.Kind.CONSENT_CONFIRMED).exists()


@pytest.mark.django_db
def test_nobody_confirms_another_persons_consent(client: Client, posting: Posting) -> None:
    mine = apply(posting, "mine@example.com")
    theirs = apply(posting, "theirs@example.com", consent=True)
    consent = RetentionConsent.objects.get(application=theirs)
    portal = open_portal(client, mine.candidate)
    portal.post(reverse("privacy:consent"), {"action": "confirm", "consent": str(consent.pk)})
    consent.refresh_from_db()
    assert consent.confirmed_at is None


@pytest.mark.django_db
def test_a_form_consent_covers_its_own_application_only(
    posting: Posting, recruiter_actor: Actor
) -> None:
    first = apply(posting, "scope@example.com")
    second_posting = PostingFactory.create()
    second = apply(second_posting, "scope@example.com", consent=True)
    consents.confirm_consent(
        candidate=second.candidate,
        consent_id=RetentionConsent.objects.get(application=second).pk,
    )
    pipeline.conclude_process(posting=posting, actor=recruiter_actor, reject_remaining=True)
    first.refresh_from_db()
    assert first.purge_due_at is not None
    assert first.purge_due_at <= timezone.now()


# --- 5. The form tells strangers nothing ------------------------------------------------------


@pytest.mark.django_db
def test_a_second_submission_is_answered_as_a_first_and_its_owner_is_told(
    client: Client, posting: Posting
) -> None:
    from tests.recruitment.careers.test_apply import apply as post_application

    first = post_application(client, posting, email="owner@example.com")
    second = post_application(client, posting, email="Owner@Example.com", full_name="Someone")
    assert (second.status_code, second["Location"]) == (first.status_code, first["Location"])
    assert Application.objects.filter(posting=posting).count() == 1
    assert templates_to("owner@example.com") == [
        "careers/emails/application_received",
        "careers/emails/already_applied",
    ]
    with pytest.raises(DuplicateApplication):
        apply(posting, "owner@example.com")


# --- 8. The under-age flag erases the person --------------------------------------------------


@pytest.mark.django_db
def test_the_under_age_flag_erases_the_person_in_every_posting(
    posting: Posting, recruiter_actor: Actor
) -> None:
    seen = apply(posting, "young@example.com")
    unseen = apply(PostingFactory.create(), "young@example.com")  # a posting the flagger cannot see
    assert purge.erase_now(application=seen, actor=recruiter_actor) == purge.Outcome.ERASED
    assert not Application.objects.filter(pk__in=[seen.pk, unseen.pk]).exists()
    assert not Candidate.objects.filter(email="young@example.com").exists()
    assert set(ErasureRecord.objects.values_list("reason", flat=True)) == {"under_age"}
    assert AccessEvent.objects.filter(
        action=AccessEvent.Action.FLAG_UNDER_AGE, application_id=seen.pk
    ).exists()


@pytest.mark.django_db
def test_the_under_age_audit_row_commits_with_the_flag(
    posting: Posting, recruiter_actor: Actor
) -> None:
    application = apply(posting, "audited@example.com")
    retention.flag_under_age(application=application, actor=recruiter_actor)
    application.refresh_from_db()
    assert application.under_age_flagged_at is not None
    assert AccessEvent.objects.filter(
        action=AccessEvent.Action.FLAG_UNDER_AGE, application_id=application.pk
    ).exists()


# --- 9. A legal hold keeps only what it covers ------------------------------------------------


@pytest.mark.django_db
def test_an_erasure_request_erases_everything_a_hold_does_not_keep(
    posting: Posting, superuser_actor: Actor
) -> None:
    held = apply(posting, "partly@example.com")
    free = apply(PostingFactory.create(), "partly@example.com")
    hold = holds.place_hold(
        application=held,
        actor=superuser_actor,
        reason="Labour inspection of this hiring round",
        review_at=timezone.localdate() + timedelta(days=30),
    )
    kept = self_service.request_erasure(candidate=held.candidate)
    assert [h.pk for h in kept] == [hold.pk]
    email = OutboundEmail.objects.get(template="rights/emails/data_erased_on_request")
    assert "Labour inspection of this hiring round" in email.body_text
    sweep_later()
    assert not Application.objects.filter(pk=free.pk).exists()
    assert Application.objects.filter(pk=held.pk).exists()
    # Once the hold is lifted, the rest goes without another request.
    holds.lift_hold(hold=hold, actor=superuser_actor)
    sweep_later()
    assert not Candidate.objects.filter(email="partly@example.com").exists()


@pytest.mark.django_db
def test_a_staff_resolved_erasure_request_erases_what_no_hold_keeps(
    posting: Posting, superuser_actor: Actor
) -> None:
    held = apply(posting, "letter@example.com")
    free = apply(PostingFactory.create(), "letter@example.com")
    holds.place_hold(
        application=held,
        actor=superuser_actor,
        reason="Court order",
        review_at=timezone.localdate() + timedelta(days=30),
    )
    request = register.record_request(
        candidate=held.candidate,
        kind=Kind.ERASURE,
        channel=DataSubjectRequest.Channel.OTHER,
        actor=superuser_actor,
    )
    requests.resolve_request(
        request=request, resolution="Erased except the held one.", actor=superuser_actor
    )
    sweep_later()
    assert not Application.objects.filter(pk=free.pk).exists()
    assert LegalHold.objects.filter(application=held, lifted_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_rectification_received_by_letter_corrects_the_details_when_resolved(
    officer_client: Client, officer: Any, posting: Posting
) -> None:
    application = apply(posting, "letter-writer@example.com", name="Ana Kovacevic")
    request = register.record_request(
        candidate=application.candidate,
        kind=Kind.RECTIFICATION,
        channel=DataSubjectRequest.Channel.OTHER,
        details="My name is spelled Ana Kovačević.",
        actor=Actor(officer),
    )
    page = officer_client.get(reverse("staff:request", kwargs={"pk": request.pk}))
    assert 'name="full_name"' in page.content.decode()
    response = officer_client.post(
        reverse("staff:request_resolve", kwargs={"pk": request.pk}),
        {
            "resolution": "Corrected as asked.",
            "outcome": "resolved",
            "full_name": "Ana Kovačević",
            "phone": "+387 61 999",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    person = Candidate.objects.get(email="letter-writer@example.com")
    assert (person.full_name, person.phone) == ("Ana Kovačević", "+387 61 999")
    assert (application.full_name, application.phone) == ("Ana Kovačević", "+387 61 999")
    request.refresh_from_db()
    assert request.status == DataSubjectRequest.Status.RESOLVED


@pytest.mark.django_db
def test_a_reply_withdrawing_the_consent_given_that_morning_is_carried_out_when_recorded(
    client: Client, officer_client: Client, posting: Posting, recruiter_actor: Actor
) -> None:
    # The candidate applies with the box ticked and confirms it in the portal ...
    application = apply(posting, "replies@example.com", consent=True)
    consent = RetentionConsent.objects.get(application=application)
    consents.confirm_consent(candidate=application.candidate, consent_id=consent.pk)
    pipeline.conclude_process(posting=posting, actor=recruiter_actor, reject_remaining=True)
    # ... then replies to the email the same day; the officer records the reply.
    response = officer_client.post(
        reverse("staff:request_new"),
        {
            "email": "Replies@Example.com",
            "kind": Kind.CONSENT_WITHDRAWAL,
            "channel": DataSubjectRequest.Channel.EMAIL,
            "received_on": timezone.localdate().isoformat(),
            "details": "Please do not keep my data.",
        },
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    application.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert application.purge_due_at is not None
    assert application.purge_due_at <= timezone.now()
    sweep_later()
    assert not Application.objects.filter(pk=application.pk).exists()


@pytest.mark.django_db
def test_repeated_submissions_send_the_owner_one_notice_a_day(posting: Posting) -> None:
    apply(posting, "flooded@example.com")
    for _ in range(3):
        with pytest.raises(DuplicateApplication):
            apply(posting, "flooded@example.com")
    assert templates_to("flooded@example.com") == [
        "careers/emails/application_received",
        "careers/emails/already_applied",
    ]
