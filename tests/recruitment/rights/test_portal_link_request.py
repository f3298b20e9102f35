"""Asking for a portal link: the request does the same work for every address, and a worker
emails the link only to a known one (so the timing tells a visitor nothing)."""

import contextlib
import logging
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery.signals import before_task_publish
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ats.celery import app
from notifications.models import OutboundEmail
from recruitment.models import Application
from recruitment.rights.services import portal_access
from tests.harness.evidence import text_of
from tests.harness.faults import celery_broker
from tests.harness.rights import open_portal
from tests.recruitment.rights.test_portal import LINK, without_csrf_tokens
from tools import devstack

REQUEST_LINK = reverse("privacy:request_link")
SEND_LINK_TASK = "recruitment.send_portal_link"
LINK_SUBJECT = "Your link to your personal data"

Published = list[tuple[str, list[Any]]]


# --- Given ------------------------------------------------------------------------------------


@contextlib.contextmanager
def published_here() -> Iterator[Published]:
    """(task name, args) of every message this thread publishes while the block runs (a test
    worker's own publishes, from its thread, are not the request's work)."""
    published: Published = []
    here = threading.get_ident()

    def record(sender: str, body: Any, **kwargs: Any) -> None:
        if threading.get_ident() == here:
            args, _kwargs, _embed = body
            published.append((sender, list(args)))

    before_task_publish.connect(record, weak=False)
    try:
        yield published
    finally:
        before_task_publish.disconnect(record)


@pytest.fixture
def no_worker() -> Iterator[None]:
    """For tests that only look at what is enqueued: nothing they publish outlives them."""
    yield
    app.control.purge()


def pending_link_requests() -> list[bytes]:
    """The cache keys of link requests waiting for a worker (the real Redis)."""
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    return list(client.keys("*portal-link-request:*"))


def ask_for_link(client: Client, email: str) -> tuple[Any, list[str], Published]:
    """POSTs the link request; returns the response, the shapes of the SQL statements it ran
    (the typed address blanked) and what it published."""
    with CaptureQueriesContext(connection) as queries, published_here() as published:
        response = client.post(REQUEST_LINK, {"email": email})
    shapes = [
        re.sub(re.escape(email.lower()), "<address>", query["sql"], flags=re.IGNORECASE)
        for query in queries.captured_queries
    ]
    return response, shapes, published


def link_messages(smtp_mailbox: Any, address: str) -> list[Any]:
    return [m for m in smtp_mailbox.messages_to(address) if m["Subject"] == LINK_SUBJECT]


def wait_for_link_message(smtp_mailbox: Any, address: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while not link_messages(smtp_mailbox, address) and time.monotonic() < deadline:
        time.sleep(0.1)
    found = link_messages(smtp_mailbox, address)
    assert len(found) == 1, "exactly one portal link email arrives"
    return found[0]


# --- The same work for every address -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(90)
def test_a_known_and_an_unknown_address_cost_the_request_the_same_queries_and_enqueues(
    celery_worker: None,
    applied: Application,
    smtp_mailbox: Any,
    unique_email: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    known = applied.candidate.email
    unknown = unique_email("nobody")

    # Each from its own client address, so neither spends the other's rate limit.
    unknown_response, unknown_sql, unknown_tasks = ask_for_link(
        Client(REMOTE_ADDR="192.0.2.1"), unknown
    )
    known_response, known_sql, known_tasks = ask_for_link(Client(REMOTE_ADDR="192.0.2.2"), known)

    # The visitor sees the same page, and the request did the same work.
    assert unknown_response.status_code == known_response.status_code == 200
    assert without_csrf_tokens(unknown_response.content) == without_csrf_tokens(
        known_response.content
    )
    assert known_sql == unknown_sql
    assert not any("recruitment_candidate" in sql for sql in known_sql), (
        "the request never looks the address up"
    )
    assert [name for name, _ in known_tasks] == [name for name, _ in unknown_tasks]
    assert [name for name, _ in known_tasks] == [SEND_LINK_TASK]
    # The message carries one random id, never the address.
    for _name, args in known_tasks + unknown_tasks:
        assert len(args) == 1 and re.fullmatch(r"[0-9a-f]{32}", args[0])
        assert "@" not in str(args)
    assert known_tasks[0][1] != unknown_tasks[0][1]

    # A worker sends the link to the known address only, and it opens the portal.
    message = wait_for_link_message(smtp_mailbox, known)
    match = LINK.search(text_of(message))
    assert match is not None and match.group(1) == "access"
    open_portal(Client(), match.group(2))
    # The worker took the unknown request first (one queue, in order): it sent nothing.
    assert smtp_mailbox.messages_to(unknown) == []
    assert not OutboundEmail.objects.filter(to_address=unknown).exists()
    assert OutboundEmail.objects.filter(template="rights/emails/portal_link").count() == 1
    # Both typed addresses were only transient: the worker deleted them.
    assert pending_link_requests() == []
    assert known not in caplog.text and unknown not in caplog.text


@pytest.mark.django_db
def test_link_requests_are_limited_per_address_silently(
    applied: Application, settings: Any, no_worker: None
) -> None:
    settings.PORTAL_LINK_RATE_LIMIT = "2/3600"
    address = applied.candidate.email
    with published_here() as published:
        for _ in range(2):
            Client().post(REQUEST_LINK, {"email": address})
        # A third, from another client, still looks the same, but nothing is enqueued.
        response = Client(REMOTE_ADDR="10.9.9.9").post(REQUEST_LINK, {"email": address.upper()})
    assert response.status_code == 200
    assert [name for name, _ in published] == [SEND_LINK_TASK] * 2
    assert len(pending_link_requests()) == 2


# --- The worker's side --------------------------------------------------------------------------


def requested_link_id(email: str) -> str:
    with published_here() as published:
        assert portal_access.request_access_link(email=email, language="hr")
    [(name, [request_id])] = published
    assert name == SEND_LINK_TASK
    return str(request_id)


@pytest.mark.django_db
def test_the_worker_sends_once_and_deletes_the_typed_address(
    applied: Application, no_worker: None
) -> None:
    request_id = requested_link_id(f"  {applied.candidate.email.upper()} ")

    assert portal_access.send_requested_link(request_id=request_id) is True
    assert portal_access.send_requested_link(request_id=request_id) is False, "rerun: a no-op"

    [email] = OutboundEmail.objects.filter(template="rights/emails/portal_link")
    assert email.to_address == applied.candidate.email
    assert email.subject_ref == applied.candidate_id
    assert email.language == "hr"
    assert pending_link_requests() == []


@pytest.mark.django_db
def test_for_an_unknown_address_the_worker_only_deletes_it(
    applied: Application, unique_email: Any, no_worker: None
) -> None:
    request_id = requested_link_id(unique_email("stranger"))

    assert portal_access.send_requested_link(request_id=request_id) is False
    assert not OutboundEmail.objects.filter(template="rights/emails/portal_link").exists()
    assert pending_link_requests() == []


@pytest.mark.django_db
def test_a_run_overtaken_by_another_rolls_its_email_back(
    applied: Application, monkeypatch: pytest.MonkeyPatch, no_worker: None
) -> None:
    request_id = requested_link_id(applied.candidate.email)
    real_send = portal_access.send_access_link

    def overtaken(**kwargs: Any) -> bool:
        sent = real_send(**kwargs)
        # Meanwhile another run (a redelivered message) claims the request.
        cache.delete(f"portal-link-request:{request_id}")
        return sent

    monkeypatch.setattr(portal_access, "send_access_link", overtaken)
    assert portal_access.send_requested_link(request_id=request_id) is False

    assert not OutboundEmail.objects.filter(template="rights/emails/portal_link").exists()


# --- Failures -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.timeout(60)
def test_broker_down_the_page_is_the_same_and_the_address_is_not_kept(
    applied: Application, caplog: pytest.LogCaptureFixture
) -> None:
    address = applied.candidate.email
    with celery_broker(f"redis://127.0.0.1:{devstack.free_port()}/0"):
        response = Client().post(REQUEST_LINK, {"email": address})
    assert response.status_code == 200
    assert "recruitment.send_portal_link(" in caplog.text and "not enqueued" in caplog.text
    assert address not in caplog.text
    assert pending_link_requests() == []


@pytest.mark.django_db
def test_cache_down_the_page_is_the_same_and_nothing_is_enqueued(
    applied: Application, settings: Any, caplog: pytest.LogCaptureFixture, no_worker: None
) -> None:
    caches = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": f"redis://127.0.0.1:{devstack.free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    settings.CACHES = caches
    with published_here() as published:
        response = Client().post(REQUEST_LINK, {"email": applied.candidate.email})
    assert response.status_code == 200
    assert published == []
    assert "portal link request not kept" in caplog.text
    assert applied.candidate.email not in caplog.text
