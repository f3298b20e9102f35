"""WSGI entry point for gunicorn (`gunicorn ats.wsgi`)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ats.settings")

application = get_wsgi_application()

# What is loaded now (Django, the apps, the views through the URLconf) lives as long as the
# worker. Freezing it takes it out of the cyclic garbage collector's generations, so the
# collections that requests trigger stop walking it again and again (about 1 ms of CPU per
# application submitted, measured with bench/apply.py).
get_resolver().url_patterns  # noqa: B018  (imports every view module now, not on a request)
gc.freeze()
