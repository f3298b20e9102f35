"""WSGI entry point for gunicorn (`gunicorn ats.wsgi`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ats.settings")

application = get_wsgi_application()
