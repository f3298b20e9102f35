"""Private service instances for fault tests: started per test, killed or frozen by PID.

The shared services of `make test` are never disturbed, so parallel tests stay unaffected.
"""

import contextlib
import copy
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery.contrib.testing.worker import start_worker
from kombu import pools

from ats import devstack
from ats.celery import app


@dataclass
class Running:
    url: str
    pid: int


@contextlib.contextmanager
def private_redis() -> Iterator[Running]:
    with tempfile.TemporaryDirectory(prefix="ats-redis-") as tmp:
        stack = devstack.Stack(log_dir=Path(tmp))
        try:
            url = devstack.start_redis(stack, data_dir=Path(tmp) / "data")
            yield Running(url=url, pid=stack.processes[-1].popen.pid)
        finally:
            stack.stop_all()


@contextlib.contextmanager
def private_seaweedfs(access_key: str, secret_key: str) -> Iterator[Running]:
    with tempfile.TemporaryDirectory(prefix="ats-s3-") as tmp:
        stack = devstack.Stack(log_dir=Path(tmp))
        try:
            url = devstack.start_seaweedfs(
                stack, data_dir=Path(tmp) / "data", access_key=access_key, secret_key=secret_key
            )
            yield Running(url=url, pid=stack.processes[-1].popen.pid)
        finally:
            stack.stop_all()


def _drop_broker_connections() -> None:
    # Celery caches its connection and producer pools, and kombu keeps producer pools in a
    # global registry keyed by connection; a new broker URL needs all of them fresh.
    app.pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


@contextlib.contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Points this process's Celery app (publishers and test workers) at another broker."""
    previous = app.conf.broker_url
    _drop_broker_connections()
    app.conf.broker_url = url
    try:
        yield
    finally:
        _drop_broker_connections()
        app.conf.broker_url = previous


@contextlib.contextmanager
def celery_worker_running() -> Iterator[None]:
    """A real Celery worker (solo pool, in a thread) on the app's current broker."""
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        yield


def point_storage_at(settings: Any, endpoint: str) -> None:
    """Points the CV storage at another S3 endpoint for the rest of the test (the `settings`
    fixture restores it)."""
    storages = copy.deepcopy(settings.STORAGES)
    storages["cvs"]["OPTIONS"]["endpoint_url"] = endpoint
    settings.STORAGES = storages


@contextlib.contextmanager
def storage_on_private_seaweedfs(settings: Any) -> Iterator[Running]:
    """A private SeaweedFS, with the test's credentials and bucket, that CV storage uses
    while the block lasts: free to freeze, kill or reconfigure without touching the shared one."""
    from recruitment import storage

    options = settings.STORAGES["cvs"]["OPTIONS"]
    with private_seaweedfs(options["access_key"], options["secret_key"]) as s3:
        point_storage_at(settings, s3.url)
        storage.ensure_bucket()
        yield s3
