"""Structured logs (django-structlog): one request id from a request to the tasks it enqueued,
and no personal data in any line: no client address, user agent, query string, portal token
or exception message."""

import io
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ats import enqueue
from ats.celery import app as celery_app
from ats.request_id import accepted_or_new

EMAIL = "jelena.privatna@example.com"
LOG_TASK = "tests.ats.test_structured_logging.log_inside_a_task"
FAIL_TASK = "tests.ats.test_structured_logging.fail_inside_a_task"
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


@celery_app.task(name=LOG_TASK)
def log_inside_a_task(marker: str) -> None:
    logging.getLogger("recruitment.tasks").info("inside a task %s", marker)


@celery_app.task(name=FAIL_TASK)
def fail_inside_a_task() -> None:
    raise ValueError(f'duplicate key value violates unique constraint: "{EMAIL}"')


def enqueue_two_tasks(request: HttpRequest) -> HttpResponse:
    logging.getLogger("recruitment.views").info("enqueuing")
    enqueue.send_on_commit(LOG_TASK, request.GET["marker"])
    enqueue.send_on_commit(FAIL_TASK)
    return HttpResponse("ok")


def fail(request: HttpRequest) -> HttpResponse:
    raise ValueError(f"Key (email)=({EMAIL}) already exists.\nFAKE LOG LINE")


urlpatterns = [path("enqueue/", enqueue_two_tasks), path("fail/", fail)]


def entries(log_lines: io.StringIO) -> list[dict[str, Any]]:
    """Every line written so far, each of which must be one JSON object."""
    return [json.loads(line) for line in log_lines.getvalue().splitlines()]


def wait_for(
    log_lines: io.StringIO, done: Callable[[list[dict[str, Any]]], bool]
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 30
    while not done(found := entries(log_lines)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert done(found), found
    return found


def named(found: list[dict[str, Any]], message: str) -> list[dict[str, Any]]:
    return [e for e in found if e["message"] == message]


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(90)
@override_settings(ROOT_URLCONF=__name__)
def test_a_request_and_the_tasks_it_enqueued_share_one_request_id_and_no_exception_text(
    celery_worker: None, log_lines: io.StringIO
) -> None:
    # log_lines after celery_worker: a starting worker sets Django up again (new handlers).
    marker = uuid.uuid4().hex
    response = Client().get("/enqueue/", {"marker": marker})
    assert response.status_code == 200
    request_id = response["X-Request-ID"]

    found = wait_for(
        log_lines,
        lambda found: bool(named(found, f"inside a task {marker}") and named(found, "task_failed")),
    )

    # The request's lines: django-structlog's, the view's, one per enqueued task.
    for message in ("request_started", "enqueuing", "request_finished"):
        [line] = named(found, message)
        assert line["request_id"] == request_id
    enqueued = named(found, "task_enqueued")
    assert {e["child_task_name"] for e in enqueued} == {LOG_TASK, FAIL_TASK}
    assert all(e["request_id"] == request_id for e in enqueued)

    # The worker's lines carry the same id, with the task's id and name.
    [inside] = named(found, f"inside a task {marker}")
    assert inside["request_id"] == request_id
    assert inside["task_name"] == LOG_TASK
    ids = {e["child_task_name"]: e["child_task_id"] for e in enqueued}
    assert inside["task_id"] == ids[LOG_TASK]
    [failed] = named(found, "task_failed")
    assert failed["request_id"] == request_id
    assert (failed["task_id"], failed["task_name"]) == (ids[FAIL_TASK], FAIL_TASK)
    assert failed["exception"]["type"] == "ValueError"
    assert any("fail_inside_a_task" in frame for frame in failed["exception"]["frames"])

    # One id only, and the failing task's message (an address) in no line at all.
    assert {e["request_id"] for e in found if "request_id" in e} == {request_id}
    assert EMAIL not in log_lines.getvalue() and "duplicate key" not in log_lines.getvalue()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_failing_request_logs_the_exception_type_and_frames_never_its_message(
    log_lines: io.StringIO,
) -> None:
    response = Client(raise_request_exception=False).get("/fail/")
    assert response.status_code == 500

    found = entries(log_lines)  # one JSON object a line: the newline stayed inside
    [failed] = named(found, "request_failed")
    assert failed["request_id"] == response["X-Request-ID"]
    assert failed["exception"]["type"] == "ValueError"
    assert any(frame.endswith(" in fail") for frame in failed["exception"]["frames"])
    for leak in (EMAIL, "already exists", "FAKE LOG LINE"):
        assert leak not in log_lines.getvalue()


@pytest.mark.django_db
# No deadline: each example is a real request, slow when the machine is loaded.
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(header=st.text(max_size=80))
def test_an_unsafe_request_id_is_replaced_and_a_safe_one_kept_in_every_line(
    log_lines: io.StringIO, header: str
) -> None:
    log_lines.seek(0)
    log_lines.truncate()
    response = Client().get("/healthz", headers={"X-Request-ID": header})

    request_id = response["X-Request-ID"]
    if accepted_or_new(header) == header:
        assert request_id == header
    else:
        assert UUID4.fullmatch(request_id)
    found = entries(log_lines)
    assert [e["message"] for e in found] == ["request_started", "request_finished"]
    assert {e["request_id"] for e in found} == {request_id}


@pytest.mark.django_db
def test_request_lines_name_no_address_agent_query_or_portal_token(
    log_lines: io.StringIO,
) -> None:
    token = "q8Yb3hK0xN2mZ5uV7wR1tS4pL6jH9gF0dC3eA2bX1yZ"
    client = Client(
        REMOTE_ADDR="203.0.113.77",
        HTTP_X_FORWARDED_FOR="198.51.100.23",
        HTTP_USER_AGENT="Mozilla/5.0 (Jelena's laptop)",
    )

    client.get(f"/privacy/access/{token}/", {"q": "Jelena Privatna"})

    found = entries(log_lines)
    [started] = named(found, "request_started")
    assert started["request"] == "GET /privacy/access/[redacted]/"
    [finished] = named(found, "request_finished")
    assert finished["request"] == "GET /privacy/access/[redacted]/"
    text = log_lines.getvalue()
    for leak in (token, "203.0.113.77", "198.51.100.23", "Mozilla", "Jelena"):
        assert leak not in text
    assert not any({"ip", "user_agent", "user_id"} & set(e) for e in found)
