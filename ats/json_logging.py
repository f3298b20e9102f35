"""JSON log lines: one object per line (time, level, logger, message, request_id, ...).

No personal data goes to the logs, and a log line must not become a channel for it: the
formatter never prints a record's `request` or other extras, and an exception is reduced to
its type and stack frames (file, line, function), never its message, which may quote data
(a database error names the duplicate email, for instance). json.dumps escapes newlines, so
a record is always exactly one line, whatever a message contains.
"""

import json
import logging
import traceback
from datetime import UTC, datetime
from typing import Any

from ats.request_id import current_request_id


class RequestIdFilter(logging.Filter):
    """A handler filter: stamps each record with the current request's id (or None)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        return True


def _celery_task() -> dict[str, str]:
    # Worker logs name the task they were written under, like Celery's own task format.
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover - celery is a dependency
        return {}
    task = current_task
    request = getattr(task, "request", None) if task else None
    task_id = getattr(request, "id", None)
    if not task_id:
        return {}
    return {"task_id": str(task_id), "task_name": str(task.name)}


def _exception(record: logging.LogRecord) -> dict[str, Any] | None:
    if not record.exc_info or record.exc_info[0] is None:
        return None
    exc_type, _exc, tb = record.exc_info
    frames = [
        f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(tb)
    ]
    return {"type": exc_type.__qualname__, "frames": frames}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        entry.update(_celery_task())
        exception = _exception(record)
        if exception is not None:
            entry["exception"] = exception
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, default=str)
