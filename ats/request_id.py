"""One request id per request: bound into structlog's context, and on the response header.

django-structlog's RequestMiddleware binds a request id to every log line of the request
(and carries it into the Celery tasks the request enqueues), but it either makes a new
uuid4 or trusts the client's `X-Request-ID` as it is, and it does not send the id back.
This middleware, placed just before it, keeps the project's rule: the client's (or the
proxy's) id is used when it is a short, safe token, so one id follows a request through
the proxy's and this app's logs; anything else is replaced by a new uuid4. The receiver
below rebinds that id over django-structlog's own, so a request has exactly one id.

The same receiver keeps personal data out of django-structlog's request_started line: the
user agent is dropped and the request is logged as method and path, without the query
string (a staff search carries a candidate's name there). Tokens in paths are redacted
for every line by ats.log_redaction.
"""

import re
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django_structlog import signals

HEADER = "X-Request-ID"
_SAFE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str | None:
    """The id of the request being served in this context, or None outside a request."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    return str(request_id) if request_id is not None else None


def accepted_or_new(candidate: str | None) -> str:
    """`candidate` if it is a safe short token (8-64 of A-Z a-z 0-9 . _ -), else a new uuid4."""
    if candidate and _SAFE.fullmatch(candidate):
        return candidate
    return str(uuid.uuid4())


def request_line(request: HttpRequest) -> str:
    """How a request is named in a log line: its method and path, never its query string."""
    return f"{request.method} {request.path}"


class RequestIdMiddleware:
    """Chooses the request's id (request.request_id) and puts it on the response header.

    Placed first in MIDDLEWARE, just before django-structlog's RequestMiddleware, which binds
    it (see `bind_request_id`) for every later middleware's log lines; responses made by
    later middleware (redirects, 413s, 500s) carry it too. No other side effects.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accepted_or_new(request.headers.get(HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(signals.bind_extra_request_metadata)
def bind_request_id(request: HttpRequest, log_kwargs: dict[str, Any], **kwargs: Any) -> None:
    """Rebinds the request's id chosen by RequestIdMiddleware over django-structlog's, and
    trims its request_started line to no personal data (no user agent, no query string)."""
    request_id = getattr(request, "request_id", None)
    if request_id is not None:
        structlog.contextvars.bind_contextvars(request_id=request_id)
    log_kwargs.pop("user_agent", None)
    log_kwargs["request"] = request_line(request)


@receiver(signals.bind_extra_request_finished_metadata)
@receiver(signals.bind_extra_request_failed_metadata)
def without_query_string(request: HttpRequest, log_kwargs: dict[str, Any], **kwargs: Any) -> None:
    """Names the request in request_finished and request_failed as in request_started."""
    log_kwargs["request"] = request_line(request)
