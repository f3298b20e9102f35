"""Every task the product names is one a worker knows.

Tasks live in each domain's `tasks` module and are published by name (`ats.enqueue`, the beat
schedule), so a task moved or renamed without its callers would only show in production as
messages no worker can run. A fresh interpreter discovers the tasks exactly as a worker does.
"""

import importlib
import json
import pkgutil
import subprocess
import sys

from django.conf import settings

import notifications
import recruitment

DISCOVER = """
import json, django
django.setup()
from ats.celery import app
app.loader.import_default_modules()
print(json.dumps(sorted(app.tasks)))
"""


def registered_by_a_worker() -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", DISCOVER], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def task_names_services_publish() -> set[str]:
    """The values of every module-level `*_TASK` constant in the product's packages."""
    names: set[str] = set()
    for package in (recruitment, notifications):
        for module_info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if ".migrations" in module_info.name or module_info.name.endswith(".tests"):
                continue
            module = importlib.import_module(module_info.name)
            names.update(
                value
                for name, value in vars(module).items()
                if name.endswith("_TASK") and isinstance(value, str)
            )
    return names


def test_every_task_published_by_name_or_by_beat_is_registered_by_a_worker() -> None:
    published = task_names_services_publish()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    # The scan found the constants it is meant to check.
    assert {"recruitment.purge_candidate", "notifications.deliver_email"} <= published
    assert (published | scheduled) - registered_by_a_worker() == set()
