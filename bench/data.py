"""Data the benchmarks share: postings with only the fields the product requires, their
applications, staff accounts, and the one logged-in test client every page benchmark uses."""

import re
import time
from collections.abc import Sequence
from datetime import timedelta
from itertools import pairwise
from typing import Any

from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from recruitment.accounts.services import enrol_totp
from recruitment.models import (
    Application,
    ApplicationEvent,
    Candidate,
    CurriculumVitae,
    DataExport,
    InterviewAssignment,
    InterviewNote,
    Posting,
    RetentionConsent,
    TeamMembership,
)

STAGES = [stage for stage, _ in Application.Stage.choices]


def bench_posting(title: str, **fields: Any) -> Posting:
    """An open, published posting titled `title` under a unique slug; `fields` override
    (e.g. status="closed", concluded_at=...)."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    values: dict[str, Any] = {
        "title": title,
        "slug": f"{slug}-{time.monotonic_ns()}",
        "summary": "s",
        "description": "d",
        "location": "l",
        "employment_type": "full_time",
        "status": "open",
        "published_at": timezone.now(),
        **fields,
    }
    return Posting.objects.create(**values)


def bench_candidates(count: int, prefix: str = "bench") -> list[Candidate]:
    """`count` new candidates with unique addresses."""
    tag = time.monotonic_ns()
    return Candidate.objects.bulk_create(
        (
            Candidate(email=f"{prefix}-{tag}-{i}@example.com", full_name=f"Bench Person {i}")
            for i in range(count)
        ),
        batch_size=5000,
    )


def fill(posting: Posting, candidates: Sequence[Candidate], count: int) -> list[Application]:
    """`count` applications to `posting` by the first `count` candidates, spread over every
    stage, one note on every tenth."""
    applications = Application.objects.bulk_create(
        (
            Application(
                candidate=candidate,
                posting=posting,
                full_name=candidate.full_name,
                stage=STAGES[i % len(STAGES)],
                language="en",
                attested_min_age=15,
            )
            for i, candidate in enumerate(candidates[:count])
        ),
        batch_size=5000,
    )
    InterviewNote.objects.bulk_create(
        (
            InterviewNote(application=a, body="Bench note.", kind="general", rating=3)
            for a in applications[::10]
        ),
        batch_size=5000,
    )
    return applications


def staff_user(username: str, *, groups: Sequence[str] = ()) -> User:
    """A staff account (no password: the benchmarks log it in with `staff_client`) in the
    named groups (e.g. "Recruiters", "Privacy officers", which migrations create)."""
    user = User.objects.create_user(username=f"{username}-{time.monotonic_ns()}", is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


def recruiter_on(postings: Sequence[Posting], username: str = "bench-recruiter") -> User:
    """A recruiter on the team of each of `postings`."""
    user = staff_user(username, groups=["Recruiters"])
    TeamMembership.objects.bulk_create(
        TeamMembership(posting=posting, user=user, role=TeamMembership.Role.RECRUITER)
        for posting in postings
    )
    return user


# The benchmark accounts' authenticator app (any base32 secret; nobody signs in with it).
BENCH_TOTP_SECRET = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"  # noqa: S105  (a benchmark's)


def staff_client(user: User) -> Client:
    """A test client signed in as `user` with a real session, as a person who has just
    signed in with their password and second factor is: the one place every page benchmark
    gets its client from. The user gets an authenticator app; signing in then marks the
    session verified by it (recruitment.accounts), so every request pays the check."""
    enrol_totp(user, BENCH_TOTP_SECRET)
    client = Client()
    client.force_login(user)
    return client


def typical_application(application: Application, *, staff: Sequence[User]) -> None:
    """Give `application` what a real one has by the time it is discussed: a CV row (no
    object: the page only lists it), the submission and stage-change history, five notes by
    the team, two interviewers, a confirmed talent-pool consent and two staff exports."""
    now = timezone.now()
    author, *others = staff
    CurriculumVitae.objects.create(
        application=application,
        storage_key=f"bench-cv-{application.pk}",
        original_filename="cv.pdf",
        content_type="application/pdf",
        size=300 * 1024,
        sha256="0" * 64,
    )
    kinds = ApplicationEvent.Kind
    events = [ApplicationEvent(application=application, kind=kinds.SUBMITTED, to_stage=STAGES[0])]
    events += [
        ApplicationEvent(
            application=application,
            kind=kinds.STAGE_CHANGED,
            from_stage=before,
            to_stage=after,
            actor=author,
            reason="Bench reason.",
        )
        for before, after in pairwise(STAGES[:4])
    ]
    events += [
        ApplicationEvent(application=application, kind=kinds.INTERVIEWER_ASSIGNED, actor=author)
        for _ in others
    ]
    ApplicationEvent.objects.bulk_create(events)
    InterviewNote.objects.bulk_create(
        InterviewNote(
            application=application,
            author=staff[i % len(staff)],
            kind="general",
            body="Bench note. " * 40,
            rating=1 + i % 5,
            scorecard="SQL 4, communication 5",
        )
        for i in range(5)
    )
    InterviewAssignment.objects.bulk_create(
        InterviewAssignment(application=application, interviewer=user) for user in others
    )
    RetentionConsent.objects.create(
        candidate=application.candidate,
        application=application,
        scope=RetentionConsent.Scope.TALENT_POOL,
        text_version="0" * 64,
        language="en",
        channel=RetentionConsent.Channel.APPLICATION_FORM,
        given_at=now,
        confirmed_at=now,
        expires_at=now + timedelta(days=365),
    )
    DataExport.objects.bulk_create(
        DataExport(
            candidate=application.candidate,
            requested_by=author,
            status=DataExport.Status.READY,
            storage_key=f"bench-export-{application.pk}-{i}",
            size=2048,
            sha256="0" * 64,
            created_at=now,
            ready_at=now,
            expires_at=now + timedelta(hours=24),
        )
        for i in range(2)
    )
