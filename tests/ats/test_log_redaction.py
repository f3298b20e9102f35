"""Portal tokens never reach a log: gunicorn's access log and Django's log handlers."""

import logging
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from ats.log_redaction import RedactingAccessLogger, RedactTokens, redact
from tools import devstack

TOKEN = "q8Yb3hK0xN2mZ5uV7wR1tS4pL6jH9gF0dC3eA2bX1yZ"


def test_tokens_in_portal_paths_are_redacted_and_other_paths_kept() -> None:
    assert redact(f"GET /privacy/access/{TOKEN}/ HTTP/1.1") == (
        "GET /privacy/access/[redacted]/ HTTP/1.1"
    )
    assert TOKEN not in redact(f"https://jobs.example.com/privacy/renew/{TOKEN}/")
    assert redact("GET /privacy/portal/ HTTP/1.1") == "GET /privacy/portal/ HTTP/1.1"


def test_the_access_log_never_prints_the_token() -> None:
    logger = RedactingAccessLogger(Config())
    path = f"/privacy/access/{TOKEN}/"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://mail.example.com/?u=/privacy/renew/{TOKEN}/",
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[("Location", "/x/")])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])

    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=5))

    assert TOKEN not in repr(atoms)
    assert atoms["r"] == "GET /privacy/access/[redacted]/ HTTP/1.1"


def test_the_web_server_uses_the_redacting_access_logger() -> None:
    web = devstack.app_commands(host="127.0.0.1", port=8000)["web"]
    assert "--logger-class=ats.log_redaction.RedactingAccessLogger" in web


def test_django_log_handlers_redact_tokens() -> None:
    handlers = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert handlers and all(
        any(isinstance(p, RedactTokens) for p in getattr(h.formatter, "processors", ()))
        for h in handlers
    )
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        (f"/privacy/access/{TOKEN}/",),
        None,
    )
    line = handlers[0].format(record)
    assert TOKEN not in line and "/privacy/access/[redacted]/" in line
    event = RedactTokens()(
        None, "info", {"event": "x", "nested": {"paths": [f"/privacy/renew/{TOKEN}/"]}}
    )
    assert TOKEN not in repr(event)
