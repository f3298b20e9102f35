"""The Django project: settings, URLs, the Celery app and the WSGI entry point."""

from ats.celery import app as celery_app

__all__ = ["celery_app"]
