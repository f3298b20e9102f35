"""factory_boy factories for the domain."""

import io
from datetime import timedelta

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from recruitment.accounts.services import enrol_totp
from recruitment.cvs import storage
from recruitment.models import (
    Application,
    Candidate,
    CurriculumVitae,
    DataExport,
    InterviewNote,
    Posting,
    TeamMembership,
)

# The TOTP secret of every staff account the factories make (base32, as apps take it).
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class PostingFactory(factory.django.DjangoModelFactory[Posting]):
    class Meta:
        model = Posting

    title = factory.Sequence(lambda n: f"Backend Developer {n}")
    slug = factory.Sequence(lambda n: f"backend-developer-{n}")
    summary = "Build and run Django services."
    description = "You will build and run Django services.\n\nPython experience required."
    location = "Belgrade, Serbia"
    employment_type = Posting.EmploymentType.FULL_TIME
    status = Posting.Status.OPEN
    published_at = factory.LazyFunction(timezone.now)


def _enrol_second_factor(user: User, create: bool, extracted: object, **kwargs: object) -> None:
    """Staff have a TOTP app (secret TEST_TOTP_SECRET) unless `second_factor=False`:
    without one, every staff page sends them to set one up."""
    if create and extracted is not False:
        enrol_totp(user, TEST_TOTP_SECRET)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")

    second_factor = factory.PostGeneration(_enrol_second_factor)


class CandidateFactory(factory.django.DjangoModelFactory[Candidate]):
    class Meta:
        model = Candidate

    email = factory.Sequence(lambda n: f"candidate{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Candidate Number{n}")
    phone = ""


class ApplicationFactory(factory.django.DjangoModelFactory[Application]):
    class Meta:
        model = Application

    candidate = factory.SubFactory(CandidateFactory)
    posting = factory.SubFactory(PostingFactory)
    full_name = factory.LazyAttribute(lambda application: application.candidate.full_name)
    phone = factory.LazyAttribute(lambda application: application.candidate.phone)
    language = "en"
    attested_min_age = 15


def _uploaded_pdf() -> str:
    from tests.hostile.pdf import valid_pdf

    return storage.put_cv(
        io.BytesIO(valid_pdf()), content_type="application/pdf", filename="cv.pdf"
    )


class CvFactory(factory.django.DjangoModelFactory[CurriculumVitae]):
    """A CV row with its object really uploaded (the suite checks objects == rows)."""

    class Meta:
        model = CurriculumVitae

    application = factory.SubFactory(ApplicationFactory)
    storage_key = factory.LazyFunction(_uploaded_pdf)
    original_filename = "cv.pdf"
    content_type = "application/pdf"
    size = 1234
    sha256 = "0" * 64


class MembershipFactory(factory.django.DjangoModelFactory[TeamMembership]):
    class Meta:
        model = TeamMembership

    posting = factory.SubFactory(PostingFactory)
    user = factory.SubFactory(UserFactory)
    role = TeamMembership.Role.RECRUITER


class NoteFactory(factory.django.DjangoModelFactory[InterviewNote]):
    class Meta:
        model = InterviewNote

    application = factory.SubFactory(ApplicationFactory)
    author = factory.SubFactory(UserFactory)
    kind = InterviewNote.Kind.GENERAL
    body = "Strong on SQL."
    rating = 4


def _uploaded_export() -> str:
    return storage.put_export(io.BytesIO(b"PK\x05\x06" + b"\x00" * 18))  # an empty ZIP


class DataExportFactory(factory.django.DjangoModelFactory[DataExport]):
    """A READY data export with its object really uploaded (the suite checks objects == rows)."""

    class Meta:
        model = "recruitment.DataExport"

    candidate = factory.SubFactory(CandidateFactory)
    status = "ready"
    storage_key = factory.LazyFunction(_uploaded_export)
    size = 22
    sha256 = "0" * 64
    created_at = factory.LazyFunction(timezone.now)
    ready_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=24))
