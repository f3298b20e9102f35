"""Private service instances for fault tests: started per test, killed, frozen or restarted
by PID, and the app pointed at them (broker, CV storage, default database).

The shared services of `make test` are never disturbed, so parallel tests stay unaffected.
"""

import contextlib
import copy
import os
import signal
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import psycopg
from kombu import pools
from kombu.connection import ConnectionPool

from ats.celery import app
from tools import devstack


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
    # global registry keyed by connection; a new broker URL needs all of them fresh. The two
    # caches are Celery's private attributes (not in its stubs), and `app.pool` is the
    # connection pool, which the stubs call a producer pool.
    cast(ConnectionPool, app.pool).force_close_all()
    vars(app)["_pool"] = None
    vars(app.amqp)["_producer_pool"] = None
    pools.reset()


@contextlib.contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Points this process's Celery app (publishers and test workers) at another broker."""
    previous = app.conf.broker_url
    _drop_broker_connections()
    app.conf["broker_url"] = url  # the setting; `conf.broker_url` is a read-only view of it
    try:
        yield
    finally:
        _drop_broker_connections()
        app.conf["broker_url"] = previous


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
    from recruitment.cvs import storage

    options = settings.STORAGES["cvs"]["OPTIONS"]
    with private_seaweedfs(options["access_key"], options["secret_key"]) as s3:
        point_storage_at(settings, s3.url)
        storage.ensure_bucket()
        yield s3


class RestartableSeaweedfs:
    """A private SeaweedFS on a fixed data directory and S3 port: kill it by PID, then start
    it again on the same data and endpoint (what an orchestrator's restart does)."""

    def __init__(self, base: Path, access_key: str, secret_key: str) -> None:
        self.base = base
        self.access_key = access_key
        self.secret_key = secret_key
        self.port = devstack.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stacks: list[devstack.Stack] = []

    @property
    def pid(self) -> int:
        return self.stacks[-1].processes[-1].popen.pid

    def start(self) -> None:
        stack = devstack.Stack(log_dir=self.base)
        self.stacks.append(stack)
        deadline = time.monotonic() + 20
        while not devstack.port_is_free(self.port) and time.monotonic() < deadline:
            time.sleep(0.1)
        devstack.start_seaweedfs(
            stack,
            data_dir=self.base / "data",
            access_key=self.access_key,
            secret_key=self.secret_key,
            port=self.port,
        )

    def kill(self) -> None:
        process = self.stacks[-1].processes[-1].popen
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for stack in reversed(self.stacks):
            stack.stop_all()


@contextlib.contextmanager
def storage_on_restartable_seaweedfs(settings: Any) -> Iterator[RestartableSeaweedfs]:
    """As `storage_on_private_seaweedfs`, with a SeaweedFS that can be killed and restarted."""
    from recruitment.cvs import storage

    options = settings.STORAGES["cvs"]["OPTIONS"]
    with tempfile.TemporaryDirectory(prefix="ats-s3-") as tmp:
        s3 = RestartableSeaweedfs(Path(tmp), options["access_key"], options["secret_key"])
        try:
            s3.start()
            point_storage_at(settings, s3.url)
            storage.ensure_bucket()
            yield s3
        finally:
            s3.stop_all()


# --- PostgreSQL: a private cluster to restart ------------------------------------------------


class RestartablePostgres:
    """A private PostgreSQL cluster, initialised and started as `make test` starts the shared
    one (devstack.start_postgres): stop its postmaster by PID, then start it again on the same
    data directory and port, as `pg_ctl restart`, systemd or an orchestrator does.

    `base` must be reachable by the `postgres` user when we are root (devstack runs the
    cluster as that user then)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.data_dir = base / "postgres"
        self.stack = devstack.Stack(log_dir=base)
        self.url = ""
        self._argv: list[str] = []

    @property
    def pid(self) -> int:
        """The running postmaster's PID (a new one after each restart)."""
        return self.stack.processes[-1].popen.pid

    @property
    def port(self) -> int:
        return int(urlsplit(self.url).port or 0)

    def start(self) -> None:
        """The first call initialises the cluster and creates the `ats` role and database;
        later ones start the postmaster alone, with exactly the first one's command line, on
        the same data. Returns once it accepts SQL (after crash recovery, if it needed one)."""
        if not self.url:
            self.url = devstack.start_postgres(self.stack, data_dir=self.data_dir)
            argv = self.stack.processes[-1].popen.args
            assert isinstance(argv, list), "devstack starts it with an argv list"
            self._argv = [str(arg) for arg in argv]
            # The command line turns synchronous commit off for speed, so an immediate
            # shutdown could lose the last commits and a crash drill would fail for the test
            # cluster's sake. The database's own setting takes precedence over the command line.
            with psycopg.connect(self._admin_url(), autocommit=True) as admin:
                admin.execute("ALTER DATABASE ats SET synchronous_commit = on")
            return
        deadline = time.monotonic() + 20
        while not devstack.port_is_free(self.port) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.stack.start(
            "postgres",
            self._argv,
            ready=lambda: devstack.tcp_answers(self.port),
            stop_signal=signal.SIGINT,
            user="postgres" if os.geteuid() == 0 else None,
            cwd=self.data_dir,
        )
        devstack.wait_for_sql(self.url)

    def stop(self, how: int = signal.SIGINT) -> None:
        """Signals the postmaster by PID and waits for it to exit: SIGINT is PostgreSQL's
        "fast" shutdown (every session terminated, its transaction rolled back, a checkpoint),
        SIGQUIT its "immediate" one (every process quits at once, as in a crash; the next
        start recovers from the WAL)."""
        process = self.stack.processes[-1].popen
        os.kill(process.pid, how)
        process.wait(timeout=30)

    def restart(self, how: int = signal.SIGINT) -> None:
        self.stop(how)
        self.start()

    def stop_all(self) -> None:
        self.stack.stop_all()

    def _admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"


@contextlib.contextmanager
def default_database_at(url: str) -> Iterator[None]:
    """Points Django's default database at `url` (a postgres:// URL) while the block lasts,
    migrated first, then back at the session's test database.

    The settings dict is changed in place, as pytest-django sets its test database's name,
    so every thread's connection follows. This thread's connection is closed on the way in
    and out, which only a transactional test (django_db(transaction=True)) survives: a
    TestCase-style test runs inside a transaction of the session's database."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import DatabaseError, connection

    if connection.in_atomic_block:
        raise RuntimeError("default_database_at needs pytest.mark.django_db(transaction=True)")
    parts = urlsplit(url)
    target = {
        "HOST": parts.hostname,
        "PORT": parts.port,
        "NAME": parts.path.lstrip("/"),
        "USER": parts.username,
        "PASSWORD": parts.password,
    }
    settings_dict = connection.settings_dict
    saved = {key: settings_dict[key] for key in target}
    connection.close()
    settings_dict.update(target)
    ContentType.objects.clear_cache()  # its ids are the other database's
    try:
        call_command("migrate", verbosity=0, interactive=False)
        yield
    finally:
        # The server may be down or restarted under it: closing still forgets the connection.
        with contextlib.suppress(DatabaseError):
            connection.close()
        settings_dict.update(saved)
        ContentType.objects.clear_cache()


@contextlib.contextmanager
def database_on_restartable_postgres() -> Iterator[RestartablePostgres]:
    """A private, restartable PostgreSQL cluster that Django's default database uses while the
    block lasts (`default_database_at`): free to restart without touching the shared one,
    which the other xdist worker keeps using."""
    with tempfile.TemporaryDirectory(prefix="ats-pg-") as tmp:
        base = Path(tmp)
        base.chmod(0o755)  # as devstack.test: the postgres user must reach its data directory
        db = RestartablePostgres(base)
        try:
            db.start()
            with default_database_at(db.url):
                yield db
        finally:
            db.stop_all()
