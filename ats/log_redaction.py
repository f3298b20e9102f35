"""Keeping personal data out of every log line (PRIVACY.md P15 and "no personal data in logs").

Two structlog processors, run by the log handler's ProcessorFormatter on every line, from a
structlog logger or a plain `logging` one (settings.LOGGING):

- `RedactTokens`: a portal link's one-time token sits in its URL path
  (`/privacy/access/<token>/`), as a calendar feed's in its (`/staff/calendar/<token>.ics`),
  and request lines and error messages print paths. Every
  string in the line is redacted to "[redacted]" before anything is written.
- `exceptions_without_messages`: an exception is reduced to its type and stack frames
  (file, line, function), never its message, which may quote data (a database error names
  the duplicate email, for instance).

gunicorn's access log does not go through Django's logging: `RedactingAccessLogger`
redacts its fields.
"""

import re
import sys
import traceback
from types import TracebackType
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger
from structlog.typing import EventDict, WrappedLogger

# Portal links, and staff members' personal calendar feeds (/staff/calendar/<token>.ics).
_TOKEN_IN_PATH = re.compile(r"(/privacy/(?:access|renew)/|/staff/calendar/)[^/\s?#\"]+")

# django-structlog's task_failed line repeats the exception's message as "error", with or
# without the exception itself (an expected exception, in the task's `throws`).
_EXCEPTION_TEXT_KEYS = ("error",)
_EVENTS_WITH_EXCEPTION_TEXT = {"task_failed"}


def redact(text: str) -> str:
    return _TOKEN_IN_PATH.sub(r"\1[redacted]", text)


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redacted(item) for item in value]
    return value


class RedactTokens:
    """A structlog processor: portal tokens redacted from every string value of the line
    (the message, the request line, nested lists and dicts). No side effects."""

    def __call__(self, logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
        return {
            key: value if key.startswith("_") else _redacted(value)
            for key, value in event_dict.items()
        }


def _summary(exc_type: type[BaseException], traceback_: TracebackType | None) -> dict[str, Any]:
    frames = [
        f"{frame.filename}:{frame.lineno} in {frame.name}"
        for frame in traceback.extract_tb(traceback_)
    ]
    return {"type": exc_type.__qualname__, "frames": frames}


def exceptions_without_messages(
    logger: WrappedLogger, method_name: str, event_dict: EventDict
) -> EventDict:
    """A structlog processor: `exc_info` (True, a tuple or an exception) becomes
    `exception` = {type, frames}; any other exception value is reduced the same way; the
    text of an exception that django-structlog adds ("error") is dropped. No side effects.

    Runs while the exception is being handled (logging formats synchronously), so
    `exc_info=True` still finds it.
    """
    exc_info = event_dict.pop("exc_info", None)
    if exc_info is True:
        exc_info = sys.exc_info()
    elif isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    for key, value in event_dict.items():
        if isinstance(value, BaseException):
            event_dict[key] = _summary(type(value), value.__traceback__)
    if isinstance(exc_info, tuple) and exc_info[0] is not None:
        event_dict["exception"] = _summary(exc_info[0], exc_info[2])
    if "exception" in event_dict or event_dict.get("event") in _EVENTS_WITH_EXCEPTION_TEXT:
        for key in _EXCEPTION_TEXT_KEYS:
            event_dict.pop(key, None)
    return event_dict


class RedactingAccessLogger(GunicornLogger):
    """gunicorn's access logger, with tokens redacted from every field a format may print
    (request line, path, referrer, headers, environ)."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }


def exception_as_text(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """A structlog processor for the plain console format: the `exception` summary as the
    text the console renderer prints under the line (type, then one frame a line)."""
    summary = event_dict.get("exception")
    if isinstance(summary, dict):
        lines = [f"{summary['type']} (message not logged)", *summary["frames"]]
        event_dict["exception"] = "\n  ".join(lines)
    return event_dict
