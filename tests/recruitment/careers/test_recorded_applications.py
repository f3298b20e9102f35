"""Applications staff record on a person's behalf (received by email, at a fair, from a
platform): who may, what is stored (and what never is: a consent, an age attestation), the
failures that leave nothing behind, and the notice the person gets at once (PRIVACY.md P24)."""

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from notifications.models import OutboundEmail
from recruitment.cvs import storage
from recruitment.models import (
    AccessEvent,
    Application,
    ApplicationEvent,
    Candidate,
    CurriculumVitae,
    Posting,
    RetentionConsent,
    Source,
    TeamMembership,
)
from recruitment.notices import services as privacy_texts
from tests.factories import MembershipFactory, PostingFactory, UserFactory
from tests.harness.applying import apply_as, unique_name
from tests.harness.evidence import deliver_all_emails, text_of
from tests.harness.faults import point_storage_at
from tests.harness.rights import built, data_of, open_portal
from tests.hostile.pdf import valid_pdf
from tools import devstack

pytestmark = pytest.mark.django_db

Role = TeamMembership.Role
PORTAL_LINK = re.compile(r"https?://[^\s\"<>]+/privacy/access/([A-Za-z0-9_-]+)/")


def record_url(posting: Posting) -> str:
    return reverse("staff:application_record", kwargs={"pk": posting.pk})


def recorded_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "full_name": "Lejla Hadžić",
        "email": "Lejla.Hadzic@example.com",
        "phone": "+387 61 123 456",
        "cover_letter": "Sent by email: I would like to apply.",
        "source": "job-fair",
        "language": "bs",
        "cv": SimpleUploadedFile("Lejla CV.pdf", valid_pdf(), "application/pdf"),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def on_team(posting: Posting, role: str) -> Any:
    return MembershipFactory.create(posting=posting, role=role).user


def nothing_recorded() -> bool:
    return (
        not Application.objects.exists()
        and not Candidate.objects.exists()
        and not CurriculumVitae.objects.exists()
        and not OutboundEmail.objects.exists()
        and not list(storage.iter_cv_objects())
    )


# --- Who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["recruiter", "admin"])
def test_a_recruiter_of_the_posting_or_an_admin_records_an_application(
    client: Client, posting: Posting, who: str
) -> None:
    user = (
        on_team(posting, Role.RECRUITER)
        if who == "recruiter"
        else UserFactory.create(is_superuser=True)
    )
    client.force_login(user)

    response = client.post(record_url(posting), recorded_form())

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:pipeline", kwargs={"pk": posting.pk})
    application = Application.objects.select_related("candidate").get()
    assert application.source_id == "job-fair"
    assert application.recorded_by_staff
    assert application.language == "bs"
    assert application.candidate.email == "lejla.hadzic@example.com"
    assert application.full_name == "Lejla Hadžić"
    assert application.cover_letter == "Sent by email: I would like to apply."
    # It enters the pipeline like any other, with an event saying who recorded it.
    assert application.stage == Application.Stage.APPLIED
    [event] = application.events.all()
    assert (event.kind, event.actor_id, event.to_stage) == (
        ApplicationEvent.Kind.RECORDED_BY_STAFF,
        user.pk,
        "applied",
    )
    # And the audit log says who entered whose data.
    [entry] = AccessEvent.objects.filter(action=AccessEvent.Action.RECORD_APPLICATION)
    assert (entry.actor_id, entry.application_id, entry.posting_id) == (
        user.pk,
        application.pk,
        posting.pk,
    )
    # The person attested nothing and consented to nothing; the notice they were sent is
    # the one in effect.
    assert application.attested_min_age is None
    assert not RetentionConsent.objects.exists()
    assert application.notice_version_id == privacy_texts.current_notice().pk
    [cv] = application.cvs.all()
    assert storage.read_object(cv.storage_key) == valid_pdf()


@pytest.mark.parametrize(("role", "status"), [(Role.HIRING_MANAGER, 403), (Role.INTERVIEWER, 403)])
def test_hiring_managers_and_interviewers_cannot_record(
    client: Client, posting: Posting, role: str, status: int
) -> None:
    client.force_login(on_team(posting, role))

    response = client.post(record_url(posting), recorded_form())

    assert response.status_code == status
    assert nothing_recorded()


def test_a_recruiter_of_another_posting_finds_nothing(client: Client, posting: Posting) -> None:
    client.force_login(on_team(PostingFactory.create(), Role.RECRUITER))

    response = client.post(record_url(posting), recorded_form())

    assert response.status_code == 404
    assert nothing_recorded()


def test_the_posting_page_links_to_recording_for_those_who_manage_it(
    client: Client, posting: Posting
) -> None:
    client.force_login(on_team(posting, Role.RECRUITER))
    page = client.get(reverse("staff:posting_edit", kwargs={"pk": posting.pk})).content.decode()
    assert record_url(posting) in page

    form = client.get(record_url(posting)).content.decode()
    # No consent box, no age attestation: only the person can give either.
    assert "talent_pool_consent" not in form and "age_attested" not in form
    assert "never who referred" in form
    # The careers site is not a source staff record; inactive sources are not offered.
    assert 'value="careers"' not in form
    assert 'value="job-fair"' in form


# --- Refused, and nothing stored ------------------------------------------------------------------


def test_a_duplicate_is_refused_with_a_clear_message_and_nothing_stored(
    client: Client, posting: Posting
) -> None:
    first = apply_as(posting, "Lejla Hadzic")
    OutboundEmail.objects.all().delete()
    objects_before = sorted(storage.iter_cv_objects())
    client.force_login(on_team(posting, Role.RECRUITER))

    response = client.post(record_url(posting), recorded_form(email=" LEJLA.hadzic@example.com"))

    assert response.status_code == 409
    assert "has already applied to this posting" in response.content.decode()
    assert list(Application.objects.values_list("pk", flat=True)) == [first.pk]
    assert sorted(storage.iter_cv_objects()) == objects_before
    # Staff are told; nobody is emailed (the person knows of their own application).
    assert not OutboundEmail.objects.exists()


def test_the_same_person_may_be_recorded_for_another_posting(
    client: Client, posting: Posting
) -> None:
    other = PostingFactory.create()
    first = apply_as(other, "Lejla Hadzic")
    client.force_login(on_team(posting, Role.RECRUITER))

    response = client.post(record_url(posting), recorded_form(email="lejla.hadzic@example.com"))

    assert response.status_code == 302
    recorded = Application.objects.get(posting=posting)
    assert recorded.candidate_id == first.candidate_id
    # An existing person's details never change through a form (P22): the typed ones stay
    # on the application.
    assert Candidate.objects.get().full_name == "Lejla Hadzic"
    assert recorded.full_name == "Lejla Hadžić"


def test_an_invalid_cv_is_refused_and_nothing_stored(client: Client, posting: Posting) -> None:
    client.force_login(on_team(posting, Role.RECRUITER))
    fake = SimpleUploadedFile("cv.pdf", b"MZ\x90\x00 not a PDF at all", "application/pdf")

    response = client.post(record_url(posting), recorded_form(cv=fake))

    assert response.status_code == 400
    assert "Nothing was recorded" in response.content.decode()
    assert nothing_recorded()


@pytest.mark.parametrize("source", ["careers", "unknown", "ana@example.com", "old-board"])
def test_a_source_outside_the_active_list_is_refused(
    client: Client, posting: Posting, source: str
) -> None:
    Source.objects.create(slug="old-board", name="Old", kind="platform", active=False)
    client.force_login(on_team(posting, Role.RECRUITER))

    response = client.post(record_url(posting), recorded_form(source=source))

    assert response.status_code == 400
    assert nothing_recorded()


def test_a_language_outside_the_site_is_refused(client: Client, posting: Posting) -> None:
    client.force_login(on_team(posting, Role.RECRUITER))
    response = client.post(record_url(posting), recorded_form(language="de"))
    assert response.status_code == 400
    assert nothing_recorded()


def test_storage_down_gives_a_clear_message_and_nothing_stored(
    client: Client, posting: Posting, settings: Any
) -> None:
    client.force_login(on_team(posting, Role.RECRUITER))
    point_storage_at(settings, f"http://127.0.0.1:{devstack.free_port()}")

    response = client.post(record_url(posting), recorded_form())

    assert response.status_code == 503
    assert "could not be stored" in response.content.decode()
    assert not Application.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_a_closed_posting_takes_no_recorded_application(client: Client, posting: Posting) -> None:
    client.force_login(on_team(posting, Role.RECRUITER))
    Posting.objects.filter(pk=posting.pk).update(status=Posting.Status.CLOSED)

    response = client.post(record_url(posting), recorded_form())

    assert response.status_code == 409
    assert "not open" in response.content.decode()
    assert nothing_recorded()


def test_a_database_failure_deletes_the_uploaded_object_again(
    client: Client, posting: Posting, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from recruitment.careers import services

    def database_down(**kwargs: Any) -> Application:
        raise OperationalError("connection lost")

    monkeypatch.setattr(services, "_record_application", database_down)
    client.force_login(on_team(posting, Role.RECRUITER))

    response = client.post(record_url(posting), recorded_form())

    assert response.status_code == 503
    assert nothing_recorded()


# --- Shown to staff ----------------------------------------------------------------------------


def test_the_board_and_the_application_page_show_the_source(
    client: Client, posting: Posting
) -> None:
    Source.objects.create(slug="linkedin", name="LinkedIn", kind="platform")
    recruiter = on_team(posting, Role.RECRUITER)
    client.force_login(recruiter)
    client.post(record_url(posting), recorded_form(source="linkedin"))
    apply_as(posting, unique_name("Site Applicant"))

    board = client.get(reverse("staff:pipeline", kwargs={"pk": posting.pk})).content.decode()
    application = Application.objects.get(source_id="linkedin")
    page = client.get(reverse("staff:application", kwargs={"pk": application.pk})).content.decode()

    assert "Lejla Hadžić" in board
    assert board.count("Recruitment platform: LinkedIn") == 1  # the site's applicant: no badge
    assert "Recruitment platform: LinkedIn" in page
    assert "recorded by staff" in page
    assert "the person attested nothing" in page
    assert "Recorded by staff" in page  # the history's event


# --- The person is told at once ---------------------------------------------------------------


def test_the_notice_is_queued_in_the_chosen_language_without_the_token(
    client: Client, posting: Posting
) -> None:
    client.force_login(on_team(posting, Role.RECRUITER))

    client.post(record_url(posting), recorded_form(language="hr"))

    [email] = OutboundEmail.objects.all()
    assert email.template == "careers/emails/application_recorded"
    assert email.language == "hr"
    assert email.to_address == "lejla.hadzic@example.com"
    assert email.personal_link == "portal-access"
    assert "/privacy/access/" not in email.body_text  # the link is minted at delivery only
    with translation.override("hr"):
        assert str(Source.Kind.JOB_FAIR.label) in email.body_text
    assert "Lejla Hadžić" in email.body_text


LANGUAGES = ["en", "bs", "hr", "sr-latn", "sr"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_email_names_the_source_in_each_language_and_its_link_opens_the_portal(
    client: Client, posting: Posting, smtp_mailbox: Any, unique_email: Any, language: str
) -> None:
    Source.objects.create(slug="linkedin", name="LinkedIn", kind="platform")
    address = unique_email(f"recorded-{language}")
    staff = Client()
    staff.force_login(on_team(posting, Role.RECRUITER))
    staff.post(record_url(posting), recorded_form(email=address, language=language))
    second = PostingFactory.create()
    staff.force_login(UserFactory.create(is_superuser=True))
    staff.post(
        record_url(second), recorded_form(email=address, source="linkedin", language=language)
    )

    deliver_all_emails()
    messages = smtp_mailbox.wait_for(address, count=2)

    assert len(messages) == 2
    texts = {text_of(message) for message in messages}
    with translation.override(language):
        fair = str(Source.Kind.JOB_FAIR.label)
        platform = str(Source.Kind.PLATFORM.label)
        retention = translation.gettext(
            "We keep your application only until this recruitment process is formally "
            "concluded. If your application is unsuccessful, we then delete it."
        )
    by_posting = {
        title: next(text for text in texts if title in text)
        for title in (posting.title, second.title)
    }
    assert fair in by_posting[posting.title]
    assert f"{platform}: LinkedIn" in by_posting[second.title]
    for text in texts:
        assert retention in text
        assert "/privacy/notice/?version=" in text
        assert "Lejla Hadžić" in text
    if language != "en":
        assert "Where your data came from:" not in " ".join(texts), "translated"
    match = PORTAL_LINK.search(by_posting[posting.title])
    assert match is not None, "the email carries a portal link"

    open_portal(client, match.group(1))
    portal = client.get(reverse("privacy:portal")).content.decode()
    assert posting.title in portal and second.title in portal


def test_the_export_says_where_the_application_came_from_and_that_staff_recorded_it(
    client: Client, posting: Posting
) -> None:
    client.force_login(on_team(posting, Role.RECRUITER))
    client.post(record_url(posting), recorded_form(source="referral"))
    application = Application.objects.select_related("candidate").get()

    [entry] = data_of(built(application.candidate))["applications"]

    assert entry["source"] == {"slug": "referral", "kind": "referral", "name": "Referral"}
    assert entry["recorded_by_staff"] is True
    assert entry["attested_min_age"] is None
    assert entry["stage_history"][0]["kind"] == "recorded_by_staff"
    assert entry["stage_history"][0]["by"] == "recruiter"
