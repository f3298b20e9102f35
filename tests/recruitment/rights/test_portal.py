"""The candidate privacy portal: access by emailed link, and every right exercised there."""

import base64
import io
import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboundEmail
from recruitment.access import Actor
from recruitment.cvs import storage
from recruitment.models import (
    Application,
    ApplicationEvent,
    Candidate,
    CurriculumVitae,
    DataSubjectRequest,
    ErasureRecord,
    LegalHold,
    PortalToken,
    Posting,
    RetentionConsent,
    TeamMembership,
)
from recruitment.pipeline.services import stages as pipeline
from recruitment.pipeline.services.stages import PipelineError
from recruitment.retention.services import consents, purge
from recruitment.rights.services import portal_access
from tests.factories import MembershipFactory, PostingFactory, UserFactory
from tests.harness.applying import apply_as, unique_name
from tests.harness.evidence import (
    bucket_contents,
    database_dump,
    deliver_all_emails,
    personal_data,
    text_of,
)
from tests.harness.rights import open_portal
from tests.hostile.pdf import valid_pdf

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]+/privacy/(access|renew)/([A-Za-z0-9_-]+)/")


def emailed_token(smtp_mailbox: Any, address: str, *, count: int = 1) -> str:
    deliver_all_emails()
    messages = smtp_mailbox.wait_for(address, count=count)
    assert len(messages) >= count
    match = LINK.search(text_of(messages[-1]))
    assert match is not None, "the email carries a portal link"
    return match.group(2)


def without_csrf_tokens(content: bytes) -> bytes:
    """A page with its CSRF tokens blanked: they are masked afresh for every response (the
    language switcher is a form on every page), so they differ while telling nothing."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


@pytest.fixture
def portal_client(client: Client, applied: Application) -> Client:
    token = portal_access.issue_token(
        candidate=applied.candidate, purpose=PortalToken.Purpose.ACCESS
    )
    open_portal(client, token)
    return client


# --- Access by link -------------------------------------------------------------------------


def test_the_confirmation_email_opens_the_portal_and_the_token_is_stored_only_hashed(
    client: Client, applied: Application, smtp_mailbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = emailed_token(smtp_mailbox, applied.candidate.email)

    assert len(base64.urlsafe_b64decode(token + "==")) >= 16  # at least 128 bits
    stored = PortalToken.objects.get(candidate=applied.candidate)
    assert stored.token_hash == portal_access.token_hash(token) != token
    # The outbox keeps the email without the link; only the message that left has it.
    email = OutboundEmail.objects.get(template="careers/emails/application_received")
    assert token not in email.body_text and token not in email.body_html
    assert token not in database_dump()

    open_portal(client, token)
    page = client.get(reverse("privacy:portal"))
    assert page.status_code == 200
    assert applied.candidate.full_name in page.content.decode()
    assert applied.posting.title in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "no-referrer"
    assert token not in caplog.text


def test_wrong_used_expired_and_foreign_tokens_get_the_same_404(
    client: Client, applied: Application
) -> None:
    candidate = applied.candidate
    used = portal_access.issue_token(candidate=candidate, purpose=PortalToken.Purpose.ACCESS)
    open_portal(Client(), used)
    expired = portal_access.issue_token(
        candidate=candidate,
        purpose=PortalToken.Purpose.ACCESS,
        now=timezone.now() - timedelta(hours=25),
    )
    renewal = portal_access.issue_token(candidate=candidate, purpose=PortalToken.Purpose.RENEWAL)
    wrong = portal_access.issue_token(candidate=candidate, purpose=PortalToken.Purpose.ACCESS)[::-1]

    responses = [client.get(f"/privacy/access/{token}/") for token in (used, expired, renewal)]
    responses.append(client.get(f"/privacy/access/{wrong}/"))
    responses.append(client.get(f"/privacy/renew/{used}/"))
    assert {r.status_code for r in responses} == {404}
    assert len({without_csrf_tokens(r.content) for r in responses}) == 1
    assert used not in responses[0].content.decode(), "the token is not echoed into the page"
    # Nothing was opened: the portal sends the visitor to ask for a link.
    assert client.get(reverse("privacy:portal")).status_code == 302


def test_a_token_works_once_even_when_two_tabs_continue(applied: Application) -> None:
    token = portal_access.issue_token(
        candidate=applied.candidate, purpose=PortalToken.Purpose.ACCESS
    )
    first, second = Client(), Client()
    for tab in (first, second):
        assert tab.get(f"/privacy/access/{token}/").status_code == 302
    assert first.post(reverse("privacy:continue")).status_code == 302
    assert second.post(reverse("privacy:continue")).status_code == 404


def test_link_use_is_rate_limited(client: Client, settings: Any) -> None:
    settings.PORTAL_TOKEN_RATE_LIMIT = "3/600"
    statuses = [client.get(f"/privacy/access/{'x' * 43}/").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(90)
def test_asking_for_a_link_never_says_whether_the_address_is_known(
    client: Client, celery_worker: None, applied: Application, smtp_mailbox: Any
) -> None:
    unknown = client.post(reverse("privacy:request_link"), {"email": "nobody@example.com"})
    known = client.post(reverse("privacy:request_link"), {"email": applied.candidate.email})
    assert unknown.status_code == known.status_code == 200
    assert without_csrf_tokens(unknown.content) == without_csrf_tokens(known.content)
    # A worker sends the link (see test_portal_link_request): the confirmation, then it.
    token = emailed_token(smtp_mailbox, applied.candidate.email, count=2)
    assert OutboundEmail.objects.filter(template="rights/emails/portal_link").count() == 1
    open_portal(client, token)


def test_without_a_session_the_portal_asks_for_a_link(client: Client) -> None:
    response = client.get(reverse("privacy:portal"))
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:request_link")


# --- What the candidate sees --------------------------------------------------------------


def test_the_portal_shows_every_application_of_the_candidate_and_nobody_else(
    portal_client: Client, applied: Application
) -> None:
    second = apply_as(PostingFactory.create(), applied.candidate.full_name)
    assert second.candidate_id == applied.candidate_id
    other = apply_as(PostingFactory.create(title="Someone Else's Job"), unique_name("Other Person"))

    page = portal_client.get(reverse("privacy:portal")).content.decode()

    assert applied.posting.title in page and second.posting.title in page
    assert other.candidate.full_name not in page and other.posting.title not in page
    assert "Until this recruitment process is formally concluded" in page
    # Another candidate's application cannot be reached by its id either.
    assert portal_client.get(reverse("privacy:withdraw", args=[other.pk])).status_code == 404
    assert portal_client.get(reverse("privacy:replace_cv", args=[other.pk])).status_code == 404


def test_legal_holds_are_shown_with_their_reason(
    portal_client: Client, applied: Application, officer: Any
) -> None:
    LegalHold.objects.create(
        application=applied,
        reason="Pending labour court case",
        review_at=timezone.localdate() + timedelta(days=30),
        placed_by=officer,
    )
    page = portal_client.get(reverse("privacy:portal")).content.decode()
    assert "Pending labour court case" in page


# --- Rectification --------------------------------------------------------------------------


def test_correcting_contact_details_is_recorded_and_visible_to_recruiters(
    portal_client: Client, applied: Application
) -> None:
    response = portal_client.post(
        reverse("privacy:details"), {"full_name": "Corrected Name", "phone": "+387 61 111 222"}
    )
    assert response.status_code == 302
    candidate = Candidate.objects.get(pk=applied.candidate_id)
    assert (candidate.full_name, candidate.phone) == ("Corrected Name", "+387 61 111 222")
    assert ApplicationEvent.objects.filter(
        application=applied, kind=ApplicationEvent.Kind.DETAILS_CORRECTED
    ).exists()
    request = DataSubjectRequest.objects.get(candidate=candidate)
    assert (request.kind, request.status) == ("rectification", "resolved")


def test_a_replacement_cv_replaces_the_object_and_a_hostile_one_changes_nothing(
    portal_client: Client, applied: Application
) -> None:
    old = applied.cvs.get()
    url = reverse("privacy:replace_cv", args=[applied.pk])

    refused = portal_client.post(url, {"cv": io.BytesIO(b"MZ\x90\x00 not a cv")})
    assert refused.status_code == 400
    assert list(applied.cvs.all()) == [old]

    new_pdf = valid_pdf()
    upload = io.BytesIO(new_pdf)
    upload.name = "new-cv.pdf"
    assert portal_client.post(url, {"cv": upload}).status_code == 302

    new = applied.cvs.get()
    assert new.pk != old.pk and new.original_filename == "new-cv.pdf"
    assert storage.read_object(new.storage_key) == new_pdf
    with pytest.raises(storage.StorageUnavailable):
        storage.read_object(old.storage_key)
    assert ApplicationEvent.objects.filter(
        application=applied, kind=ApplicationEvent.Kind.CV_REPLACED
    ).exists()


# --- Consent and withdrawal -----------------------------------------------------------------


def test_consent_is_given_and_withdrawn_with_one_click_each(
    portal_client: Client, applied: Application
) -> None:
    url = reverse("privacy:consent")
    assert portal_client.post(url, {"action": "give"}).status_code == 302
    consent = RetentionConsent.objects.get(candidate=applied.candidate)
    assert consent.channel == RetentionConsent.Channel.PORTAL and consent.withdrawn_at is None

    assert portal_client.post(url, {"action": "withdraw"}).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert DataSubjectRequest.objects.filter(
        candidate=applied.candidate, kind="consent_withdrawal", status="resolved"
    ).exists()


def test_the_expiry_reminder_links_to_the_consent_renewal(
    client: Client, posting: Posting, smtp_mailbox: Any
) -> None:
    applied = apply_as(posting, unique_name("Renewing Person"), consent=True)
    consent = RetentionConsent.objects.get(candidate=applied.candidate)
    # A reminder goes out only when the expiry would end something: a concluded process.
    recruiter = MembershipFactory.create(posting=posting, role=TeamMembership.Role.RECRUITER)
    pipeline.conclude_process(
        posting=posting, actor=Actor(user=recruiter.user), reject_remaining=True
    )
    consents.send_expiry_reminders(now=consent.expires_at - timedelta(days=10))
    deliver_all_emails()
    renewal = [
        match.group(2)
        for message in smtp_mailbox.wait_for(applied.candidate.email, count=3)
        if (match := LINK.search(text_of(message))) and match.group(1) == "renew"
    ]
    assert len(renewal) == 1
    open_portal(client, renewal[0], purpose="renew")
    # The same link does not open the portal at the access URL, nor twice.
    assert client.get(f"/privacy/access/{renewal[0]}/").status_code == 404
    assert client.get(f"/privacy/renew/{renewal[0]}/").status_code == 404
    client.post(reverse("privacy:consent"), {"action": "give"})
    assert RetentionConsent.objects.filter(candidate=applied.candidate).count() == 2


def test_withdrawing_an_application_of_a_concluded_process_makes_it_due_at_once(
    portal_client: Client, applied: Application
) -> None:
    other = apply_as(applied.posting, unique_name("Decided Person"))
    recruiter = MembershipFactory.create(
        posting=applied.posting, role=TeamMembership.Role.RECRUITER
    )
    pipeline.move_application(
        application_id=other.pk, to_stage="unsuccessful", actor=Actor(user=recruiter.user)
    )
    response = portal_client.post(reverse("privacy:withdraw", args=[applied.pk]))
    assert response.status_code == 302
    applied.refresh_from_db()
    assert applied.stage == Application.Stage.WITHDRAWN
    pipeline.conclude_process(posting=applied.posting, actor=Actor(user=recruiter.user))
    applied.refresh_from_db()
    assert applied.purge_due_at is not None and applied.purge_due_at <= timezone.now()


# --- Erasure ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the dump reads what other connections see
def test_erasing_everything_leaves_no_personal_data_and_one_record_per_application(
    portal_client: Client, applied: Application, smtp_mailbox: Any
) -> None:
    second = apply_as(PostingFactory.create(), applied.candidate.full_name)
    kept = apply_as(applied.posting, unique_name("Bystander"))
    traces = personal_data(applied)
    email = applied.candidate.email

    refused = portal_client.post(reverse("privacy:erase"), {})
    assert refused.status_code == 400  # the confirmation box is required
    assert Application.objects.filter(pk=applied.pk).exists()

    response = portal_client.post(reverse("privacy:erase"), {"confirm": "on"})
    assert response.status_code == 200
    # The confirmation goes out first; then the purge erases the address with the rest.
    assert purge.sweep().erased == 0
    deliver_all_emails()
    subjects = [" ".join(str(m["Subject"]).split()) for m in smtp_mailbox.wait_for(email, count=3)]
    assert "Your personal data has been deleted" in subjects
    assert purge.sweep(now=timezone.now() + timedelta(minutes=2)).erased == 2

    assert not Candidate.objects.filter(email=email).exists()
    assert set(ErasureRecord.objects.values_list("application_id", flat=True)) == {
        applied.pk,
        second.pk,
    }
    assert set(ErasureRecord.objects.values_list("reason", flat=True)) == {"erasure_requested"}
    dump, objects = database_dump(), bucket_contents()
    for trace in traces:
        assert trace not in dump
        assert trace.encode() not in objects
    assert kept.candidate.full_name in dump
    # Their requests stay as anonymous records that they were answered.
    erasure = DataSubjectRequest.objects.get(kind="erasure")
    assert (erasure.candidate_id, erasure.details, erasure.status) == (None, "", "resolved")
    admin = Client()
    # An administrator (transactional tests flush the migration-made officer group).
    admin.force_login(UserFactory.create(is_superuser=True))
    page = admin.get(reverse("staff:request", args=[erasure.pk]))
    assert page.status_code == 200
    assert "keeps no personal data" in page.content.decode()
    # Their tokens died with the data (the bystander's confirmation minted one of theirs).
    assert set(PortalToken.objects.values_list("candidate_id", flat=True)) == {kept.candidate_id}
    # The session died with the data.
    assert portal_client.get(reverse("privacy:portal")).status_code == 302


def test_a_legal_hold_keeps_what_it_covers_and_the_page_says_what_why_and_where_to_complain(
    portal_client: Client, applied: Application, officer: Any
) -> None:
    LegalHold.objects.create(
        application=applied,
        reason="Tax inspection of 2026",
        review_at=timezone.localdate() + timedelta(days=60),
        placed_by=officer,
    )
    response = portal_client.post(reverse("privacy:erase"), {"confirm": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tax inspection of 2026" in page
    assert "Poverenik" in page or "Agencija" in page
    applied.refresh_from_db()
    # Marked for erasure, kept while held: it goes once the hold is lifted.
    assert applied.erasure_requested_at is not None and applied.purge_due_at is None
    assert DataSubjectRequest.objects.filter(
        candidate=applied.candidate, kind="erasure", status="resolved"
    ).exists()


# --- Restriction and objection ---------------------------------------------------------------


def test_restriction_freezes_the_applications_and_opens_a_request(
    portal_client: Client, applied: Application
) -> None:
    response = portal_client.post(
        reverse("privacy:request"), {"kind": "restriction", "details": "I dispute a note."}
    )
    assert response.status_code == 302
    applied.refresh_from_db()
    assert applied.restricted and applied.purge_due_at is None
    request = DataSubjectRequest.objects.get(candidate=applied.candidate)
    assert (request.kind, request.status, request.details) == (
        "restriction",
        "open",
        "I dispute a note.",
    )
    recruiter = MembershipFactory.create(
        posting=applied.posting, role=TeamMembership.Role.RECRUITER
    )
    with pytest.raises(PipelineError):
        pipeline.move_application(
            application_id=applied.pk, to_stage="screening", actor=Actor(user=recruiter.user)
        )


def test_an_objection_is_recorded_for_the_privacy_officer(
    portal_client: Client, applied: Application
) -> None:
    portal_client.post(reverse("privacy:request"), {"kind": "objection", "details": "Why?"})
    request = DataSubjectRequest.objects.get(candidate=applied.candidate)
    assert (request.kind, request.status) == ("objection", "open")
    applied.refresh_from_db()
    assert not applied.restricted


# --- CSRF -------------------------------------------------------------------------------------

PORTAL_POSTS = [
    ("privacy:request_link", False, {"email": "x@example.com"}),
    ("privacy:continue", False, {}),
    ("privacy:details", True, {"full_name": "X"}),
    ("privacy:consent", True, {"action": "give"}),
    ("privacy:export", True, {}),
    ("privacy:erase", True, {"confirm": "on"}),
    ("privacy:request", True, {"kind": "objection"}),
    ("privacy:sign_out", True, {}),
]


@pytest.mark.parametrize(("name", "signed_in", "data"), PORTAL_POSTS)
def test_every_portal_post_needs_the_csrf_token(
    applied: Application, name: str, signed_in: bool, data: dict[str, str]
) -> None:
    client = Client(enforce_csrf_checks=True)
    token = portal_access.issue_token(
        candidate=applied.candidate, purpose=PortalToken.Purpose.ACCESS
    )
    client.get(f"/privacy/access/{token}/")
    if signed_in:
        page = client.get(reverse("privacy:continue"))
        csrf = str(page.context["csrf_token"])
        client.post(reverse("privacy:continue"), {"csrfmiddlewaretoken": csrf})
    assert client.post(reverse(name), data).status_code == 403
    for application_id in (applied.pk,):
        for view in ("privacy:withdraw", "privacy:replace_cv"):
            assert client.post(reverse(view, args=[application_id]), {}).status_code == 403
    assert Candidate.objects.get(pk=applied.candidate_id).full_name != "X"
    assert CurriculumVitae.objects.filter(application=applied).count() == 1
