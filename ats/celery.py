"""The Celery application. Configuration comes from Django settings (the CELERY_ namespace)."""

import os
from typing import Any

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ats.settings")

app = Celery("ats")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def keep_django_logging(**kwargs: Any) -> None:
    """Leaves logging as Django's LOGGING set it (JSON lines, token redaction, LOG_LEVEL).

    Any receiver of this signal tells Celery not to configure logging itself. Without one, a
    worker or beat sets the root logger's level from its --loglevel, even with
    worker_hijack_root_logger off: an embedded test worker's WARNING silenced every later
    INFO line of the process, and LOG_LEVEL did not govern workers. No side effects.
    """
