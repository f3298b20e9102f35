"""A request id per request: on the response header and on every log record of the request.

The id comes from the client's (or the proxy's) `X-Request-ID` when that is a short, safe
token, so one id follows a request through the proxy's and this app's logs; anything else is
replaced by a new uuid4, so a header can never inject text into a log line.
"""

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_SAFE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served in this context, or None outside a request."""
    return _current.get()


def accepted_or_new(candidate: str | None) -> str:
    """`candidate` if it is a safe short token (8-64 of A-Z a-z 0-9 . _ -), else a new uuid4."""
    if candidate and _SAFE.fullmatch(candidate):
        return candidate
    return str(uuid.uuid4())


class RequestIdMiddleware:
    """Sets the request's id (request.request_id, the contextvar, the response header).

    Placed first in MIDDLEWARE so that every later middleware's log records and responses
    (redirects, 413s, 500s) carry it. No other side effects.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accepted_or_new(request.headers.get(HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response
