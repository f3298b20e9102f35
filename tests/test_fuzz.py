"""Form fuzzing (Hypothesis): arbitrary text in every field and hostile extra fields.

For the application form, the staff note form and the portal's forms: never a server error,
no protected field settable by an extra POST field, and hostile markup always escaped in
the pages that show it. Examples are few (the file runs in seconds) and share the test's
database transaction, so rows from earlier examples are around in later ones.
"""

import itertools
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from recruitment.models import (
    Application,
    Candidate,
    DataSubjectRequest,
    InterviewNote,
    PortalToken,
    Posting,
)
from recruitment.rights.services import portal_access
from tests.factories import ApplicationFactory, CandidateFactory, MembershipFactory
from tests.hostile.pdf import valid_pdf

pytestmark = pytest.mark.django_db

HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=1>']
RAW_TAGS = ["<script>alert(1)</script>", "<img src=x onerror=1>"]

FUZZ = hypothesis_settings(
    deadline=None,
    max_examples=20,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any text a browser could send (lone surrogates cannot be encoded, so no browser sends them),
# NUL and control characters included; often with hostile markup in it.
_any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300)
text = st.one_of(
    _any_text,
    st.sampled_from(HOSTILE),
    st.builds(lambda a, h, b: f"{a}{h}{b}", _any_text, st.sampled_from(HOSTILE), _any_text),
)

OTHER_ID = str(uuid.uuid4())
# Fields a visitor must never be able to set, with values that would show if they were.
PROTECTED = {
    "stage": st.sampled_from(["hired", "offer", "rejected", "interview"]),
    "purge_due_at": st.just("2000-01-01T00:00:00+00:00"),
    "restricted": st.sampled_from(["on", "true", "1", "True"]),
    "candidate": st.just(OTHER_ID),
    "id": st.just(OTHER_ID),
    "posting": st.just("999999"),
    "author": st.just("1"),
    "application": st.just(OTHER_ID),
    "email": st.just("attacker@example.com"),
    "status": st.just("resolved"),
}
extras = st.fixed_dictionaries({}, optional=PROTECTED)


def assert_escaped(html: str) -> None:
    for tag in RAW_TAGS:
        assert tag not in html


def _page(response: Any) -> str:
    assert response.status_code < 500
    return str(response.content.decode())


# --- The application form --------------------------------------------------------------------

_serial = itertools.count()


@given(
    full_name=text,
    phone=text,
    cover_letter=text,
    website=st.one_of(st.just(""), text),
    valid_email=st.booleans(),
    email_text=text,
    checkboxes=st.booleans(),
    extra=extras,
)
@FUZZ
def test_the_application_form(
    client: Client,
    posting: Posting,
    settings: Any,
    full_name: str,
    phone: str,
    cover_letter: str,
    website: str,
    valid_email: bool,
    email_text: str,
    checkboxes: bool,
    extra: dict[str, str],
) -> None:
    settings.APPLY_RATE_LIMIT = "100000/3600"
    email = f"fuzz-{next(_serial)}-{uuid.uuid4().hex[:8]}@example.com"
    data: dict[str, Any] = {
        **extra,
        "full_name": full_name,
        "email": email if valid_email else email_text,
        "phone": phone,
        "cover_letter": cover_letter,
        "website": website,
        "cv": SimpleUploadedFile("cv.pdf", valid_pdf(), "application/pdf"),
    }
    if checkboxes:
        data.update(privacy_acknowledged="on", age_attested="on")
    url = reverse("careers:posting_detail", kwargs={"slug": posting.slug})

    response = client.post(url, data)

    assert_escaped(_page(response))
    # PostgreSQL cannot even compare text with a NUL; the form refuses such addresses anyway.
    lookup = data["email"].replace("\x00", "")
    for application in Application.objects.filter(candidate__email__iexact=lookup):
        assert application.posting_id == posting.pk
        assert application.stage == Application.Stage.APPLIED
        assert application.restricted is False
        assert application.purge_due_at is None or application.purge_due_at.year != 2000
        assert str(application.pk) != OTHER_ID
        assert str(application.candidate_id) != OTHER_ID
        assert application.candidate.email != "attacker@example.com"
    assert_escaped(_page(client.get(url)))


# --- The staff note form ---------------------------------------------------------------------


@pytest.fixture
def recruiter_case(client: Client) -> tuple[Client, Any, Application]:
    membership = MembershipFactory.create()
    application = ApplicationFactory.create(posting=membership.posting)
    client.force_login(membership.user)
    return client, membership.user, application


@given(
    kind=st.one_of(st.sampled_from([k for k, _ in InterviewNote.Kind.choices]), text),
    body=text,
    rating=st.one_of(st.sampled_from(["", "1", "3", "5", "0", "6", "-1", "99999999999"]), text),
    scorecard=text,
    extra=extras,
)
@FUZZ
def test_the_staff_note_form(
    recruiter_case: tuple[Client, Any, Application],
    kind: str,
    body: str,
    rating: str,
    scorecard: str,
    extra: dict[str, str],
) -> None:
    client, recruiter, application = recruiter_case
    before = Application.objects.values().get(pk=application.pk)
    data = {**extra, "kind": kind, "body": body, "rating": rating, "scorecard": scorecard}

    response = client.post(reverse("staff:note_add", args=[application.pk]), data)

    _page(response)
    for note in InterviewNote.objects.all():
        assert note.application_id == application.pk
        assert note.author_id == recruiter.pk
        assert str(note.pk) != OTHER_ID
    after = Application.objects.values().get(pk=application.pk)
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }
    assert_escaped(_page(client.get(reverse("staff:application", args=[application.pk]))))


# --- The portal's forms ----------------------------------------------------------------------


@pytest.fixture
def portal_case(client: Client, posting: Posting) -> tuple[Client, Candidate]:
    candidate = CandidateFactory.create()
    ApplicationFactory.create(candidate=candidate, posting=posting)
    token = portal_access.issue_token(candidate=candidate, purpose=PortalToken.Purpose.ACCESS)
    assert client.get(f"/privacy/access/{token}/").status_code == 302
    assert client.post(reverse("privacy:continue")).status_code == 302
    return client, candidate


def _candidate_state(candidate: Candidate) -> tuple[Any, ...]:
    fresh = Candidate.objects.get(pk=candidate.pk)
    applications = list(
        Application.objects.filter(candidate=fresh).values_list(
            "id", "stage", "restricted", "purge_due_at"
        )
    )
    return fresh.email, applications


@given(full_name=text, phone=text, extra=extras)
@FUZZ
def test_the_portal_details_form(
    portal_case: tuple[Client, Candidate], full_name: str, phone: str, extra: dict[str, str]
) -> None:
    client, candidate = portal_case
    before = _candidate_state(candidate)

    response = client.post(
        reverse("privacy:details"), {**extra, "full_name": full_name, "phone": phone}
    )

    assert_escaped(_page(response))
    assert _candidate_state(candidate) == before  # email and applications untouched
    assert Candidate.objects.filter(email="attacker@example.com").count() == 0
    assert_escaped(_page(client.get(reverse("privacy:portal"))))
    assert_escaped(_page(client.get(reverse("privacy:details"))))


@given(
    kind=st.one_of(st.sampled_from([k for k, _ in DataSubjectRequest.Kind.choices]), text),
    details=text,
    extra=extras,
)
@FUZZ
def test_the_portal_request_form(
    portal_case: tuple[Client, Candidate], kind: str, details: str, extra: dict[str, str]
) -> None:
    client, candidate = portal_case
    email_before = Candidate.objects.get(pk=candidate.pk).email

    response = client.post(reverse("privacy:request"), {**extra, "kind": kind, "details": details})

    assert_escaped(_page(response))
    for request in DataSubjectRequest.objects.all():
        assert request.candidate_id in (candidate.pk, None)
        assert str(request.pk) != OTHER_ID
    assert Candidate.objects.get(pk=candidate.pk).email == email_before
    assert_escaped(_page(client.get(reverse("privacy:portal"))))


# --- The same promises on the success paths, deterministically -------------------------------

ALL_PROTECTED = {
    "stage": "hired",
    "purge_due_at": "2000-01-01T00:00:00+00:00",
    "restricted": "on",
    "candidate": OTHER_ID,
    "id": OTHER_ID,
    "posting": "999999",
}


def test_a_successful_application_ignores_protected_fields(
    client: Client, posting: Posting
) -> None:
    url = reverse("careers:posting_detail", kwargs={"slug": posting.slug})
    response = client.post(
        url,
        {
            **ALL_PROTECTED,
            "full_name": HOSTILE[0] + " " + HOSTILE[1],
            "email": "fuzz-success@example.com",
            "phone": "",
            "cover_letter": HOSTILE[1],
            "privacy_acknowledged": "on",
            "age_attested": "on",
            "cv": SimpleUploadedFile("cv.pdf", valid_pdf(), "application/pdf"),
        },
    )

    assert response.status_code == 302
    application = Application.objects.select_related("candidate").get()
    assert application.posting_id == posting.pk
    assert application.stage == Application.Stage.APPLIED
    assert application.restricted is False
    assert application.purge_due_at is None
    assert OTHER_ID not in (str(application.pk), str(application.candidate_id))
    assert application.candidate.full_name == HOSTILE[0] + " " + HOSTILE[1]  # stored as typed

    recruiter = MembershipFactory.create(posting=posting).user
    client.force_login(recruiter)
    assert_escaped(_page(client.get(reverse("staff:application", args=[application.pk]))))


def test_a_successful_note_ignores_protected_fields(
    recruiter_case: tuple[Client, Any, Application],
) -> None:
    client, recruiter, application = recruiter_case
    response = client.post(
        reverse("staff:note_add", args=[application.pk]),
        {
            **ALL_PROTECTED,
            "author": "1",
            "application": OTHER_ID,
            "kind": "general",
            "body": HOSTILE[0],
            "rating": "3",
        },
    )
    assert response.status_code == 302
    note = InterviewNote.objects.get()
    assert (note.application_id, note.author_id) == (application.pk, recruiter.pk)
    assert Application.objects.get(pk=application.pk).stage == Application.Stage.APPLIED
    assert_escaped(_page(client.get(reverse("staff:application", args=[application.pk]))))


def test_a_successful_detail_change_ignores_protected_fields(
    portal_case: tuple[Client, Candidate],
) -> None:
    portal, candidate = portal_case
    email = candidate.email
    response = portal.post(
        reverse("privacy:details"),
        {**ALL_PROTECTED, "email": "attacker@example.com", "full_name": HOSTILE[1], "phone": ""},
    )
    assert response.status_code == 302
    fresh = Candidate.objects.get(pk=candidate.pk)
    assert (fresh.full_name, fresh.email) == (HOSTILE[1], email)
    assert not fresh.applications.filter(restricted=True).exists()
    assert_escaped(_page(portal.get(reverse("privacy:portal"))))
