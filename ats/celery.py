"""The Celery application. Configuration comes from Django settings (the CELERY_ namespace)."""

import os
from typing import Any

import structlog
from celery import Celery
from celery.signals import setup_logging, task_postrun, worker_init
from django.dispatch import receiver
from django_structlog.celery import signals as structlog_signals
from django_structlog.celery.receivers import CeleryReceiver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ats.settings")

app = Celery("ats")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Domains inside the recruitment app keep their tasks beside their services; Celery finds
# only installed apps' `tasks` modules by itself.
app.autodiscover_tasks(
    [
        "recruitment.retention",
        "recruitment.rights",
        "recruitment.audit",
        "recruitment.careers",
        "recruitment.pipeline",
        "recruitment.cvs",
    ]
)

# django-structlog in workers: each task's log lines carry its id, its name (below) and the
# request id of the request that enqueued it (from the message's headers).
_task_logging = CeleryReceiver()


@worker_init.connect
def log_tasks_with_structlog(**kwargs: Any) -> None:
    """Connects django-structlog's worker receivers (task_started ... task_failed, binding
    the ids). What its DjangoStructLogInitStep does, but with one receiver per process:
    connecting it again is a no-op, where each step's new receiver would log every task
    line once more (the test suite starts many embedded workers in one process)."""
    _task_logging.connect_worker_signals()


@receiver(structlog_signals.bind_extra_task_metadata)
def bind_task_name(task: Any, **kwargs: Any) -> None:
    """Binds the running task's name beside its id for every line it logs. No other effect."""
    structlog.contextvars.bind_contextvars(task_name=task.name)


@task_postrun.connect
def unbind_task(**kwargs: Any) -> None:
    """Unbinds the finished task's ids (and its request's), so that the worker's own lines
    between tasks ("received", heartbeats) name no task they do not belong to."""
    structlog.contextvars.clear_contextvars()


@setup_logging.connect
def keep_django_logging(**kwargs: Any) -> None:
    """Leaves logging as Django's LOGGING set it (JSON lines, token redaction, LOG_LEVEL).

    Any receiver of this signal tells Celery not to configure logging itself. Without one, a
    worker or beat sets the root logger's level from its --loglevel, even with
    worker_hijack_root_logger off: an embedded test worker's WARNING silenced every later
    INFO line of the process, and LOG_LEVEL did not govern workers. No side effects.
    """
