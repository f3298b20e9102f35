"""The app's own processes for integration tests and drills: a Celery worker in a thread or
a subprocess, and gunicorn as `make run` starts it, seeing exactly what the test sees."""

import contextlib
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery.contrib.testing.worker import start_worker

from ats.celery import app
from tools import devstack


@contextlib.contextmanager
def celery_worker_running() -> Iterator[None]:
    """A real Celery worker (solo pool, in a thread) on the app's current broker."""
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        yield


def app_env(settings: Any, **overrides: str) -> dict[str, str]:
    """The environment for an app process (gunicorn, a Celery worker) that must see exactly
    what this test sees: its test database, its Redis database, its bucket and endpoint."""
    from django.db import connection

    db = connection.settings_dict
    options = settings.STORAGES["cvs"]["OPTIONS"]
    return {
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "S3_ENDPOINT_URL": options["endpoint_url"],
        "S3_BUCKET": options["bucket_name"],
        "DJANGO_DEBUG": "false",
        **overrides,
    }


@dataclass
class Served:
    url: str
    pid: int
    tmpdir: Path
    log: Path


@contextlib.contextmanager
def gunicorn_server(env: dict[str, str], *, workers: int = 2) -> Iterator[Served]:
    """Gunicorn as `make run` starts it (devstack.app_commands), on a free loopback port, with
    `env` over this process's environment and a fresh TMPDIR (yielded, to check for leftovers)."""
    with tempfile.TemporaryDirectory(prefix="ats-web-") as tmp:
        port = devstack.free_port()
        uploads = Path(tmp) / "tmp"
        uploads.mkdir()
        argv = devstack.resolved(devstack.app_commands(host="127.0.0.1", port=port)["web"])
        argv = [arg if not arg.startswith("--workers=") else f"--workers={workers}" for arg in argv]
        stack = devstack.Stack(log_dir=Path(tmp))
        try:
            process = stack.start(
                "web",
                argv,
                env={**env, "TMPDIR": str(uploads)},
                ready=lambda: devstack.tcp_answers(port),
                timeout=30,
            )
            yield Served(
                url=f"http://127.0.0.1:{port}",
                pid=process.popen.pid,
                tmpdir=uploads,
                log=process.log,
            )
        finally:
            stack.stop_all()


@contextlib.contextmanager
def celery_worker_process(
    env: dict[str, str], *, pool: str = "solo"
) -> Iterator[subprocess.Popen[bytes]]:
    """A real `celery -A ats worker` subprocess with `env`, one process (`--pool=solo`), or
    one child of `--pool=prefork` (`make run`'s pool, the one that enforces task time
    limits); killed at the end."""
    with tempfile.TemporaryDirectory(prefix="ats-worker-") as tmp:
        stack = devstack.Stack(log_dir=Path(tmp))
        argv = [devstack.PYTHON, "-m", "celery", "-A", "ats", "worker", f"--pool={pool}"]
        if pool == "prefork":
            argv.append("--concurrency=1")
        try:
            yield stack.start("worker", argv, env=env).popen
        finally:
            stack.stop_all()
