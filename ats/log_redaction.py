"""Keeping one-time portal tokens out of every log (PRIVACY.md P15).

A portal link's token sits in its URL path (`/privacy/access/<token>/`), and access logs
and error logs print paths. The gunicorn access logger and a filter on Django's log
handlers replace the token with "[redacted]" before anything is written.
"""

import logging
import re
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

_TOKEN_IN_PATH = re.compile(r"(/privacy/(?:access|renew)/)[^/\s?#\"]+")


def redact(text: str) -> str:
    return _TOKEN_IN_PATH.sub(r"\1[redacted]", text)


class RedactTokens(logging.Filter):
    """A handler filter: formats the record's message with its arguments, redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class RedactingAccessLogger(GunicornLogger):
    """gunicorn's access logger, with tokens redacted from every field a format may print
    (request line, path, referrer, headers, environ)."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
