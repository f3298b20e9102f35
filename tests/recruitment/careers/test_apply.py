"""Applying through the careers form: real PostgreSQL, Redis and SeaweedFS."""

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboundEmail
from recruitment.cvs import storage
from recruitment.models import (
    Application,
    ApplicationEvent,
    Candidate,
    CurriculumVitae,
    Posting,
    RetentionConsent,
)
from recruitment.notices.texts import talent_pool_consent_text, text_version
from tests.factories import PostingFactory
from tests.harness.applying import apply, nothing_stored
from tests.hostile.corpus import EXPECTED_REJECTION, HOSTILE_CVS, HOSTILE_MAX_BYTES
from tests.hostile.docx import valid_docx
from tests.hostile.filenames import hostile_filenames
from tests.hostile.pdf import valid_pdf

pytestmark = pytest.mark.django_db

UUID_KEY = re.compile(r"^cv/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_application_with_pdf_stores_rows_object_and_confirmation_email(
    client: Client, posting: Posting
) -> None:
    pdf = valid_pdf(size_bytes=300 * 1024)
    response = apply(client, posting, cv=SimpleUploadedFile("My CV.pdf", pdf, "text/plain"))

    assert response.status_code == 302
    assert response["Location"] == reverse("careers:applied", kwargs={"slug": posting.slug})
    application = Application.objects.select_related("candidate").get()
    assert application.posting == posting
    assert application.stage == Application.Stage.APPLIED
    assert application.language == "en"
    assert application.candidate.email == "ana.petrovic@example.com"
    assert application.candidate.full_name == "Ana Petrović"
    assert application.cover_letter == "I would love to join your team."

    cv = application.cvs.get()
    assert UUID_KEY.match(cv.storage_key)
    assert cv.original_filename == "My CV.pdf"
    # The type comes from the content, not from what the browser claimed.
    assert cv.content_type == "application/pdf"
    assert cv.size == len(pdf)
    assert cv.sha256 == hashlib.sha256(pdf).hexdigest()
    assert storage.read_object(cv.storage_key) == pdf
    metadata = storage.object_metadata(cv.storage_key)
    assert metadata["ContentType"] == "application/pdf"
    assert metadata.get("ServerSideEncryption") == "AES256"

    event = ApplicationEvent.objects.get(application=application)
    assert event.kind == ApplicationEvent.Kind.SUBMITTED
    email = OutboundEmail.objects.get(subject_ref=application.id)
    assert email.to_address == "ana.petrovic@example.com"
    assert email.status == OutboundEmail.Status.PENDING
    assert posting.title in email.subject
    assert "Ana Petrović" in email.body_text
    assert "formally concluded" in email.body_text
    assert not RetentionConsent.objects.exists()


def test_application_with_docx_is_stored_with_the_word_content_type(
    client: Client, posting: Posting
) -> None:
    docx = valid_docx()
    response = apply(
        client, posting, cv=SimpleUploadedFile("cv.docx", docx, "application/octet-stream")
    )
    assert response.status_code == 302
    cv = CurriculumVitae.objects.get()
    assert cv.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert storage.read_object(cv.storage_key) == docx


def test_the_confirmation_page_thanks_the_candidate(client: Client, posting: Posting) -> None:
    response = apply(client, posting, email="confirm@example.com")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Thank you, your application has been received." in page.content.decode()
    # Nothing personal travels in the URL.
    assert "confirm" not in response["Location"]


def test_talent_pool_consent_is_recorded_only_when_ticked(client: Client) -> None:
    first, second = PostingFactory.create(), PostingFactory.create()
    apply(client, first, email="no-consent@example.com")
    before = timezone.now()
    apply(client, second, email="consent@example.com", talent_pool_consent="on")

    consent = RetentionConsent.objects.get()
    assert consent.candidate.email == "consent@example.com"
    assert consent.scope == RetentionConsent.Scope.TALENT_POOL
    assert consent.channel == RetentionConsent.Channel.APPLICATION_FORM
    assert consent.text_version == text_version(talent_pool_consent_text())
    assert consent.language == "en"
    assert consent.withdrawn_at is None
    assert consent.confirmed_at is None  # until the owner of the address confirms it
    assert before <= consent.given_at <= timezone.now()
    # Twelve calendar months by default.
    assert timedelta(days=364) <= consent.expires_at - consent.given_at <= timedelta(days=366)
    email = OutboundEmail.objects.get(to_address="consent@example.com")
    assert "counts only once you confirm it in your privacy portal" in email.body_text


def test_email_is_normalised_and_a_second_application_to_the_same_posting_is_refused(
    client: Client, posting: Posting
) -> None:
    first = apply(client, posting, email="Ana@Example.com")
    response = apply(client, posting, email=" ana@example.COM ")

    # Answered as a first application (the sender may not own the address, P22) ...
    assert (response.status_code, response["Location"]) == (302, first["Location"])
    # ... while the owner is told, and nothing of the second submission is kept.
    assert OutboundEmail.objects.filter(template="careers/emails/already_applied").count() == 1
    assert Application.objects.count() == 1
    assert CurriculumVitae.objects.count() == 1
    # The autouse invariant also checks that no second CV object was stored.
    assert len(list(storage.iter_cv_objects())) == 1


def test_the_same_candidate_may_apply_to_another_posting(client: Client) -> None:
    first, second = PostingFactory.create(), PostingFactory.create()
    apply(client, first, email="twice@example.com")
    response = apply(client, second, email="twice@example.com", phone="+387 61 000 111")
    assert response.status_code == 302
    candidate = Candidate.objects.get()
    assert candidate.applications.count() == 2
    # The person's details stay as they were; the new ones belong to the new application.
    assert candidate.phone == "+381 64 123 4567"
    assert candidate.applications.get(posting=second).phone == "+387 61 000 111"


@pytest.mark.parametrize("name", sorted(HOSTILE_CVS))
def test_hostile_upload_is_refused_with_a_form_error_and_nothing_is_stored(
    client: Client, posting: Posting, settings: Any, name: str
) -> None:
    settings.CV_MAX_BYTES = HOSTILE_MAX_BYTES
    settings.MAX_REQUEST_BYTES = HOSTILE_MAX_BYTES * 4
    content = HOSTILE_CVS[name]()
    response = apply(client, posting, cv=SimpleUploadedFile("cv.pdf", content, "application/pdf"))

    assert response.status_code == 400, EXPECTED_REJECTION[name]
    errors = response.context["form"].errors.as_data()["cv"]
    assert [error.code for error in errors] in (
        [EXPECTED_REJECTION[name]],
        # An empty upload is refused by Django's own FileField check first.
        ["empty"] if EXPECTED_REJECTION[name] == "empty" else [],
    )
    assert nothing_stored()


@pytest.mark.parametrize("filename", [name for name in hostile_filenames() if name])
def test_hostile_filenames_never_reach_keys_and_are_stored_defused(
    client: Client, posting: Posting, filename: str
) -> None:
    response = apply(
        client, posting, cv=SimpleUploadedFile(filename, valid_pdf(), "application/pdf")
    )
    assert response.status_code == 302
    cv = CurriculumVitae.objects.get()
    assert UUID_KEY.match(cv.storage_key)
    stored = cv.original_filename
    assert stored
    assert len(stored) <= 255
    assert "/" not in stored and "\\" not in stored
    assert not any(ord(ch) < 32 or ch in "\u202e\u202d\u200f" for ch in stored)


def test_oversize_declared_body_is_refused_before_it_is_read(
    client: Client, posting: Posting, settings: Any
) -> None:
    settings.CV_MAX_BYTES = 1024 * 1024
    settings.MAX_REQUEST_BYTES = 1024 * 1024 + 4096
    big = valid_pdf(size_bytes=2 * 1024 * 1024)
    response = apply(client, posting, cv=SimpleUploadedFile("big.pdf", big, "application/pdf"))

    assert response.status_code == 413
    assert response["Connection"] == "close"
    assert "at most 1 MB" in response.content.decode()
    assert nothing_stored()


def test_oversize_file_inside_an_allowed_body_gets_a_form_error(
    client: Client, posting: Posting, settings: Any
) -> None:
    settings.CV_MAX_BYTES = 512 * 1024
    big = valid_pdf(size_bytes=600 * 1024)
    response = apply(client, posting, cv=SimpleUploadedFile("big.pdf", big, "application/pdf"))

    assert response.status_code == 400
    assert response.context["form"].errors.as_data()["cv"][0].code == "too_large"
    assert nothing_stored()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "", "This field is required."),
        ("email", "not-an-email", "Enter a valid email address."),
        ("phone", "call me maybe", "Enter a phone number"),
        ("cv", None, "This field is required."),
        ("privacy_acknowledged", None, "confirm that you have read the privacy notice"),
        ("age_attested", None, "You must be at least 15 years old to apply."),
        ("cover_letter", "x" * 5001, "at most 5000 characters"),
    ],
)
def test_invalid_input_gets_a_clear_form_error_and_stores_nothing(
    client: Client, posting: Posting, field: str, value: Any, message: str
) -> None:
    response = apply(client, posting, **{field: value})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert nothing_stored()


def test_honeypot_filled_in_is_refused_and_stores_nothing(client: Client, posting: Posting) -> None:
    response = apply(client, posting, website="http://spam.example")
    assert response.status_code == 400
    assert "must stay empty" in response.content.decode()
    assert nothing_stored()


def test_submissions_over_the_rate_limit_get_a_429_page(client: Client, settings: Any) -> None:
    settings.APPLY_RATE_LIMIT = "2/600"
    postings = PostingFactory.create_batch(3)
    assert apply(client, postings[0], email="a@example.com").status_code == 302
    assert apply(client, postings[1], email="b@example.com").status_code == 302
    response = apply(client, postings[2], email="c@example.com")

    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert "Too many attempts" in response.content.decode()
    assert Application.objects.count() == 2


@pytest.mark.parametrize("status", [Posting.Status.CLOSED])
def test_a_closed_posting_refuses_submissions_with_a_clear_message(
    client: Client, status: str
) -> None:
    posting = PostingFactory.create(status=status)
    response = apply(client, posting)
    assert response.status_code == 410
    assert "no longer accepting applications" in response.content.decode()
    assert nothing_stored()


def test_a_concluded_posting_refuses_submissions(client: Client) -> None:
    posting = PostingFactory.create(concluded_at=timezone.now(), status=Posting.Status.CLOSED)
    assert apply(client, posting).status_code == 410
    assert nothing_stored()


# Every table an application (with a consent) writes to, in the order it writes them.
APPLICATION_TABLES = [
    "recruitment_candidate",
    "recruitment_application",
    "recruitment_curriculumvitae",
    "recruitment_applicationevent",
    "recruitment_retentionconsent",
    "notifications_outboundemail",
]


def database_refusing_inserts_into(table: str) -> Any:
    """An execute wrapper: the database fails on the first INSERT into `table`."""

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.startswith(f'INSERT INTO "{table}"'):
            raise OperationalError(f"injected: no inserts into {table}")
        return execute(sql, params, many, context)

    return wrapper


def everything_stored() -> dict[str, Any]:
    """The people (with their details), how many rows of each kind and how many objects."""
    return {
        "candidates": list(Candidate.objects.values_list("email", "full_name", "phone")),
        "applications": Application.objects.count(),
        "cvs": CurriculumVitae.objects.count(),
        "events": ApplicationEvent.objects.count(),
        "consents": RetentionConsent.objects.count(),
        "emails": OutboundEmail.objects.count(),
        "objects": len(list(storage.iter_cv_objects())),
    }


def check_an_application_is_stored_whole_or_not_at_all(client: Client, table: str) -> None:
    """Whichever of its rows the database fails to write, nothing of the application is
    kept: an earlier application's rows and its person's details stay as they were."""
    posting, earlier_posting = PostingFactory.create(), PostingFactory.create()
    assert apply(client, earlier_posting, email="whole@example.com").status_code == 302
    before = everything_stored()

    with connection.execute_wrapper(database_refusing_inserts_into(table)):
        response = apply(
            client,
            posting,
            email="whole@example.com",
            full_name="Someone Else",
            phone="+387 61 000 111",
            talent_pool_consent="on",
        )

    assert response.status_code == 503
    assert everything_stored() == before
    # And a new address leaves no person behind either.
    with connection.execute_wrapper(database_refusing_inserts_into(table)):
        response = apply(client, posting, email="new@example.com", talent_pool_consent="on")
    assert response.status_code == 503
    assert everything_stored() == before


def check_a_posting_closed_while_the_cv_uploads_stores_nothing(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The posting was open when the form arrived, and closed before the rows were written:
    the gate inside the transaction refuses, and the uploaded object is deleted again."""
    posting = PostingFactory.create()
    real_put = storage.put_cv

    def put_then_close(*args: Any, **kwargs: Any) -> str:
        key = real_put(*args, **kwargs)
        Posting.objects.filter(pk=posting.pk).update(status=Posting.Status.CLOSED)
        return key

    monkeypatch.setattr(storage, "put_cv", put_then_close)
    response = apply(client, posting)

    assert response.status_code == 410
    assert nothing_stored()


@pytest.mark.parametrize("table", APPLICATION_TABLES)
def test_an_application_is_stored_whole_or_not_at_all(client: Client, table: str) -> None:
    check_an_application_is_stored_whole_or_not_at_all(client, table)


def test_a_posting_closed_while_the_cv_uploads_stores_nothing(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_a_posting_closed_while_the_cv_uploads_stores_nothing(client, monkeypatch)


def test_a_draft_posting_is_not_found_and_refuses_submissions(client: Client) -> None:
    posting = PostingFactory.create(status=Posting.Status.DRAFT, published_at=None)
    assert (
        client.get(reverse("careers:posting_detail", kwargs={"slug": posting.slug})).status_code
        == 404
    )
    assert apply(client, posting).status_code == 404
    assert nothing_stored()


def test_csrf_is_enforced_on_the_application_form(posting: Posting) -> None:
    client = Client(enforce_csrf_checks=True)
    response = apply(client, posting)
    assert response.status_code == 403
    assert nothing_stored()
