"""Liveness and readiness endpoints for orchestrators and load balancers."""

import logging
from collections.abc import Callable, Mapping

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ats.celery import app as celery_app
from recruitment.cvs import storage

logger = logging.getLogger(__name__)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving requests; checks nothing else."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


# Each check raises if its dependency is not ready; one may return details worth showing
# (the bucket's ACL, policy and encryption state), which /readyz reports under "detail".
CHECKS: dict[str, Callable[[], Mapping[str, str] | None]] = {
    "database": _check_database,
    "broker": _check_broker,
    "storage": storage.check_bucket,
}


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Every dependency answers: 200 with each check "ok", else 503 naming what failed.

    A public bucket counts as not ready ("public"); bucket encryption that the store does
    not support is only reported in "detail".
    """
    results: dict[str, str] = {}
    detail: dict[str, dict[str, str]] = {}
    for name, check in CHECKS.items():
        try:
            found = check()
        except storage.BucketNotPrivate:
            results[name] = "public"
        except Exception as exc:  # any failure means "not ready"; the class name says why
            logger.warning("readiness check %s failed: %s", name, type(exc).__name__)
            results[name] = "unavailable"
        else:
            results[name] = "ok"
            if found:
                detail[name] = dict(found)
    ready = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results, "detail": detail},
        status=200 if ready else 503,
    )
