"""Test fixtures over the real services `make test` starts (see tools/devstack.py).

Each xdist worker gets its own Redis database and its own bucket, so parallel workers never
consume each other's Celery messages or delete each other's objects.
"""

import importlib
import io
import logging
import mailbox
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from email.message import Message
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import User

from recruitment.access import Actor
from recruitment.models import Application, Posting, TeamMembership
from tests.factories import MembershipFactory, PostingFactory, UserFactory
from tests.harness.applying import apply_as, unique_name


def _worker_suffix() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _redis_url_with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


def pytest_configure(config: pytest.Config) -> None:
    # Password hashing is deliberately slow; factories hash one per staff user. The login
    # tests still exercise real hashing and checking, only with a cheap algorithm.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    suffix = _worker_suffix()
    if settings.REDIS_URL:
        db = int(suffix[2:]) + 1 if suffix.startswith("gw") else 0
        url = _redis_url_with_db(settings.REDIS_URL, db)
        settings.REDIS_URL = url
        settings.CELERY_BROKER_URL = url
        settings.CACHES["default"]["LOCATION"] = url
        from ats.celery import app

        app.conf["broker_url"] = url
    cv_storage = settings.STORAGES["cvs"]
    assert isinstance(cv_storage, dict)
    cv_storage["OPTIONS"]["bucket_name"] = f"{settings.S3_BUCKET}-{suffix}"


@pytest.fixture(scope="session", autouse=True)
def _bucket() -> None:
    """This worker's bucket, versioned as production S3 may be: a deletion that leaves an
    old version behind fails the test that made it (`_cv_objects_match_cv_rows`)."""
    from recruitment.cvs import storage

    storage.ensure_bucket()
    storage._client().put_bucket_versioning(
        Bucket=storage._bucket(), VersioningConfiguration={"Status": "Enabled"}
    )


@pytest.fixture(scope="session", autouse=True)
def _real_smtp(django_test_environment: None) -> None:
    """pytest-django swaps in the in-memory mail backend; the tests use the real SMTP peer."""
    from ats import settings as configured

    settings.EMAIL_BACKEND = configured.EMAIL_BACKEND


@pytest.fixture(autouse=True)
def _cv_objects_match_cv_rows(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every database test: the bucket holds exactly one object version per CV row and
    one per data export row with a storage key, and nothing else: no noncurrent version, no
    delete marker, no object of another key.

    Catches any object or version left behind by a failed or refused application (nothing
    stored on error), a replaced CV, a purge or an export build, then erases every version
    in the bucket for the next test.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None and "db" not in request.fixturenames:
        yield
        return
    # Requested here so that this teardown runs before the database is rolled back.
    transactional = bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    yield
    from recruitment.cvs import storage
    from recruitment.models import CurriculumVitae, DataExport

    versions = list(storage.iter_object_versions())
    storage.erase_versions(versions)
    cv_rows = set(CurriculumVitae.objects.values_list("storage_key", flat=True))
    export_rows = set(
        DataExport.objects.exclude(storage_key="").values_list("storage_key", flat=True)
    )
    stored = Counter(version.key for version in versions if not version.is_delete_marker)
    markers = sorted({version.key for version in versions if version.is_delete_marker})
    several = sorted(key for key, count in stored.items() if count > 1)
    cv_keys = {key for key in stored if key.startswith(storage.CV_PREFIX)}
    export_keys = {key for key in stored if key.startswith(storage.EXPORT_PREFIX)}
    assert cv_keys == cv_rows, (
        f"{len(cv_keys)} CV objects in the bucket but {len(cv_rows)} CV rows; "
        f"without a row: {sorted(cv_keys - cv_rows)}"
    )
    assert export_keys == export_rows, (
        f"{len(export_keys)} export objects in the bucket but {len(export_rows)} export rows; "
        f"without a row: {sorted(export_keys - export_rows)}"
    )
    assert not several, f"old versions left behind: {several}"
    assert not markers, f"delete markers (versions not erased) left behind: {markers}"
    assert set(stored) == cv_keys | export_keys, (
        f"other objects: {set(stored) - cv_keys - export_keys}"
    )


# The sources migrations 0023 and 0025 seed (slug, name, kind): every application names one.
BUILTIN_SOURCES = [
    ("careers", "Careers site", "careers_site"),
    ("email", "Email", "email"),
    ("job-fair", "Job fair", "job_fair"),
    ("referral", "Referral", "referral"),
    ("other", "Other", "other"),
    ("talent-pool", "Talent pool invitation", "talent_pool"),
]


@pytest.fixture(autouse=True)
def _builtin_sources(request: pytest.FixtureRequest) -> None:
    """A transactional test's database was flushed by the one before it, which removes what
    the migrations seeded; the built-in sources and message templates are put back
    (pytest-django runs the other database tests first, on the migrated rows)."""
    if "transactional_db" not in request.fixturenames and "live_server" not in (
        request.fixturenames
    ):
        marker = request.node.get_closest_marker("django_db")
        if marker is None or not marker.kwargs.get("transaction", False):
            return
    request.getfixturevalue("transactional_db")
    from recruitment.models import Source

    for slug, name, kind in BUILTIN_SOURCES:
        Source.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "builtin": True}
        )
    # The migration's own seeding (it skips templates that exist).
    seeding = importlib.import_module("recruitment.migrations.0026_candidate_messages")
    seeding.add_builtin_templates(django_apps, None)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters must not leak between tests (this worker's cache only), nor
    privacy text versions this process checked: each test rolls its rows back."""
    from django.core.cache import cache

    from recruitment.notices import services as privacy_texts

    cache.clear()
    privacy_texts.forget_checked_versions()
    yield


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A request through the test client leaves its language active in this thread (the
    locale middleware activates it, nothing deactivates it): the next test would read
    Serbian where it expects English."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def posting() -> Posting:
    return PostingFactory.create()


@pytest.fixture
def applied(posting: Posting) -> Application:
    """An application to `posting` through the service, under a name no other test uses."""
    return apply_as(posting, unique_name("Applicant"))


@pytest.fixture
def recruiter(posting: Posting) -> User:
    """A recruiter on `posting`'s team."""
    return MembershipFactory.create(posting=posting, role=TeamMembership.Role.RECRUITER).user


@pytest.fixture
def recruiter_actor(recruiter: User) -> Actor:
    """`recruiter`, as the actor the services take."""
    return Actor(recruiter)


@pytest.fixture
def superuser_actor() -> Actor:
    return Actor(UserFactory.create(is_superuser=True))


@pytest.fixture
def officer() -> Any:
    """A privacy officer: staff in the "Privacy officers" group (created by a migration)."""
    from django.contrib.auth.models import Group

    user = UserFactory.create()
    user.groups.add(Group.objects.get(name="Privacy officers"))
    return user


@pytest.fixture
def officer_client(client: Any, officer: Any) -> Any:
    client.force_login(officer)
    return client


class Mailbox:
    """Reads what the SMTP peer (aiosmtpd, started by `make test`) received since the
    mailbox was opened: one test's messages only. The peer's Maildir lasts as long as the
    stack, and a developer's stack outlives a run: the same test run again would otherwise
    find its own messages of the run before."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.before = set(mailbox.Maildir(path, create=False).keys())

    def messages_to(self, address: str) -> list[Message]:
        box = mailbox.Maildir(self.path, create=False)
        return [
            message
            for key, message in box.items()
            if key not in self.before and address.lower() in str(message.get("To", "")).lower()
        ]

    def wait_for(self, address: str, *, count: int = 1, timeout: float = 30.0) -> list[Message]:
        """Polls until `count` messages to `address` arrived (or the timeout passes)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages_to(address)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.1)


@pytest.fixture
def smtp_mailbox() -> Mailbox:
    return Mailbox(os.environ["ATS_TEST_MAILDIR"])


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[None]:
    """A real Celery worker (solo pool, in a thread) consuming this test worker's queue."""
    from tests.harness.processes import celery_worker_running

    with celery_worker_running():
        yield


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the configured console handler writes (its real formatter and processors), from
    any thread: the request's, and an embedded Celery worker's."""
    handlers = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert len(handlers) == 1
    handler = handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


@pytest.fixture
def unique_email() -> Callable[[str], str]:
    """Addresses unique to this test, so messages in the shared SMTP mailbox never mix."""
    counter = iter(range(1_000_000))

    def make(prefix: str = "candidate") -> str:
        return f"{prefix}-{os.getpid()}-{time.monotonic_ns()}-{next(counter)}@example.com"

    return make
