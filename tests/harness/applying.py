"""Steps many tests share to put candidates into the system: applying through the form
or the service, and concluding a posting. Each writes rows and CV objects; none is idempotent."""

import io
import uuid
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfWriter

from notifications.models import OutboundEmail
from recruitment.access import Actor
from recruitment.careers.services import ApplicantData, submit_application
from recruitment.cvs import extraction, storage
from recruitment.cvs.checks import inspect_cv
from recruitment.models import (
    Application,
    Candidate,
    CurriculumVitae,
    Posting,
    RetentionConsent,
)
from recruitment.pipeline.services import stages as pipeline
from recruitment.retention.services import consents
from recruitment.rights.services.self_service import replace_cv
from tests.hostile.pdf import valid_pdf


def pdf_naming(name: str) -> bytes:
    """A valid CV whose bytes contain the candidate's name, as real CVs do."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": name, "/Title": f"CV of {name}"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def apply_as(
    posting: Posting,
    name: str,
    *,
    consent: bool = False,
    confirmed: bool = True,
    language: str = "en",
    cv: bytes | None = None,
) -> Application:
    """An application through the service, made in `language`, with `cv` (a PDF; by
    default one naming the person); a ticked consent box is then confirmed by the owner
    of the address in the portal, unless `confirmed` is off (P22)."""
    email = f"{name.lower().replace(' ', '.')}@example.com"
    pdf = pdf_naming(name) if cv is None else cv
    application = submit_application(
        posting=posting,
        applicant=ApplicantData(
            full_name=name,
            email=email,
            phone=f"+381 60 {abs(hash(name)) % 10_000_000:07d}",
            cover_letter=f"Cover letter by {name}.",
            consents_to_talent_pool=consent,
            language=language,
        ),
        cv=io.BytesIO(pdf),
        cv_filename=f"{name}.pdf",
        inspected=inspect_cv(io.BytesIO(pdf), max_bytes=len(pdf)),
    )
    if consent and confirmed:
        consents.confirm_consent(
            candidate=application.candidate,
            consent_id=RetentionConsent.objects.get(application=application).pk,
        )
    return application


def cv_replaced(application: Application, cv: bytes, filename: str) -> None:
    """The person replaces the application's CV in the portal with `cv` (checked as an
    upload is: its text is left to the worker, see `texts_read`)."""
    replace_cv(
        candidate=application.candidate,
        application_id=application.pk,
        cv=io.BytesIO(cv),
        cv_filename=filename,
        inspected=inspect_cv(io.BytesIO(cv), max_bytes=len(cv)),
    )


def texts_read() -> int:
    """What the worker does after uploads, done here: the text of every pending CV read
    and stored by the service its task runs (`recruitment.cvs.extraction.read_text`),
    without the broker. Returns how many were read (restricted ones stay pending)."""
    pending = CurriculumVitae.objects.filter(text_pending=True).values_list("pk", flat=True)
    return sum(extraction.read_text(pk) for pk in list(pending))


def unique_name(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


def form_data(email: str = "ana.petrovic@example.com", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "full_name": "Ana Petrović",
        "email": email,
        "phone": "+381 64 123 4567",
        "cover_letter": "I would love to join your team.",
        "privacy_acknowledged": "on",
        "age_attested": "on",
        "cv": SimpleUploadedFile("Ana Petrovic CV.pdf", valid_pdf(), "application/pdf"),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def apply(client: Client, posting: Posting, **overrides: Any) -> Any:
    url = reverse("careers:posting_detail", kwargs={"slug": posting.slug})
    return client.post(url, form_data(**overrides))


def nothing_stored() -> bool:
    return (
        not Candidate.objects.exists()
        and not Application.objects.exists()
        and not CurriculumVitae.objects.exists()
        and not OutboundEmail.objects.exists()
        and not list(storage.iter_cv_objects())
    )


def concluded(posting: Posting, recruiter: Any, application: Application) -> None:
    pipeline.move_application(
        application_id=application.pk, to_stage="unsuccessful", actor=Actor(user=recruiter)
    )
    pipeline.conclude_process(posting=posting, actor=Actor(user=recruiter))
    OutboundEmail.objects.all().delete()  # the notices are out; the purge need not wait
