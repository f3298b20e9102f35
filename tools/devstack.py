"""The local stack behind `make run` and `make test`.

    python -m tools.devstack run            # the whole system on embedded defaults
    python -m tools.devstack test [ARGS]    # services on free ports, then pytest and the linters
    python -m tools.devstack demo-totp USER # a `make run` demo account's current 2FA code

Every process it starts is its own child (no daemons), so it knows every PID and stops them
all, in reverse order, on exit or Ctrl-C. A service that does not come up fails the command
loudly with the tail of its log. The commands are the ones docker-compose.yml runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN_DIR = Path(PYTHON).parent


class ServiceFailed(RuntimeError):
    """A service did not start or died."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As the servers themselves bind: connections of a previous run lingering in
        # TIME_WAIT must not make a restart refuse the port.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def tcp_answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def http_answers(url: str) -> bool:
    """True once anything answers HTTP at `url` (an S3 403 counts: the server is up)."""
    try:
        with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback URL we built
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


def tool(name: str) -> str:
    """A command from the virtualenv if it is there, else from PATH."""
    candidate = BIN_DIR / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise ServiceFailed(f"{name} is not installed")
    return found


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    stop_signal: int = signal.SIGTERM

    def tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@dataclass
class Stack:
    """Children started in order and stopped in reverse order."""

    log_dir: Path
    quiet: bool = True
    processes: list[Process] = field(default_factory=list)

    def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        ready: Callable[[], bool] | None = None,
        timeout: float = 30.0,
        stop_signal: int = signal.SIGTERM,
        user: str | None = None,
        cwd: Path | None = None,
    ) -> Process:
        log = self.log_dir / f"{name}.log"
        log_file = log.open("ab")
        # Quiet services log to files; in `run` mode the app's own processes log to the
        # terminal so the console email backend's output is visible.
        out = log_file if self.quiet else None
        popen = subprocess.Popen(
            list(argv),
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT if self.quiet else None,
            stdin=subprocess.DEVNULL,
            # Own session: Ctrl-C reaches only us, and we stop children in order.
            start_new_session=True,
            user=user,
            cwd=cwd or BASE_DIR,
        )
        process = Process(name=name, popen=popen, log=log, stop_signal=stop_signal)
        self.processes.append(process)
        if ready is not None:
            deadline = time.monotonic() + timeout
            while not ready():
                if popen.poll() is not None:
                    raise ServiceFailed(
                        f"{name} exited with {popen.returncode} while starting:\n{process.tail()}"
                    )
                if time.monotonic() > deadline:
                    raise ServiceFailed(
                        f"{name} did not become ready in {timeout:.0f}s:\n{process.tail()}"
                    )
                time.sleep(0.1)
        return process

    def check_alive(self) -> None:
        for process in self.processes:
            if process.popen.poll() is not None:
                raise ServiceFailed(f"{process.name} stopped unexpectedly:\n{process.tail()}")

    def stop_all(self) -> None:
        # The signal goes to each main process only: Celery and gunicorn shut their own
        # children down in order. Their whole group is killed only if that takes too long.
        for process in reversed(self.processes):
            if process.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.popen.send_signal(process.stop_signal)
        for process in reversed(self.processes):
            try:
                process.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.popen.pid, signal.SIGKILL)
                process.popen.wait(timeout=5)
        self.processes.clear()


# --- Services ------------------------------------------------------------------------------------


def s3_config(access_key: str, secret_key: str) -> str:
    """SeaweedFS identities file: without one its S3 endpoint is open to anyone."""
    return json.dumps(
        {
            "identities": [
                {
                    "name": "ats",
                    "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                }
            ]
        }
    )


def seaweedfs_argv(data_dir: Path, config: Path, s3_port: int) -> list[str]:
    """`weed mini` on loopback with credentials; every port explicit so instances coexist."""
    ports = {
        name: free_port()
        for name in (
            "master.port",
            "master.port.grpc",
            "volume.port",
            "volume.port.grpc",
            "filer.port",
            "filer.port.grpc",
            "s3.port.grpc",
            "admin.port",
            "admin.port.grpc",
            "metricsPort",
        )
    }
    return [
        tool("weed"),
        "mini",
        f"-dir={data_dir}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-master.telemetry=false",
        "-webdav=false",
        "-admin.ui=false",
        f"-s3.config={config}",
        f"-s3.port={s3_port}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        *(f"-{name}={port}" for name, port in ports.items()),
    ]


def start_seaweedfs(
    stack: Stack, *, data_dir: Path, access_key: str, secret_key: str, port: int | None = None
) -> str:
    """Starts SeaweedFS; returns its S3 endpoint URL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    config = data_dir.parent / f"{data_dir.name}-s3.json"
    config.write_text(s3_config(access_key, secret_key))
    config.chmod(0o600)
    s3_port = port or free_port()
    endpoint = f"http://127.0.0.1:{s3_port}"
    stack.start(
        "seaweedfs",
        seaweedfs_argv(data_dir, config, s3_port),
        ready=lambda: http_answers(endpoint),
        timeout=60,
    )
    return endpoint


def start_redis(stack: Stack, *, data_dir: Path) -> str:
    """Starts a throwaway Redis (no persistence); returns its URL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    stack.start(
        "redis",
        [
            tool("redis-server"),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(data_dir),
        ],
        ready=lambda: tcp_answers(port),
    )
    return f"redis://127.0.0.1:{port}/0"


def postgres_bin(name: str) -> str:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    for bin_dir in reversed(versions):
        if (bin_dir / name).exists():
            return str(bin_dir / name)
    found = shutil.which(name)
    if not found:
        raise ServiceFailed("PostgreSQL is not installed (apt-get install postgresql)")
    return found


def start_postgres(stack: Stack, *, data_dir: Path) -> str:
    """Initialises and starts a private PostgreSQL cluster on a free port; returns its URL.

    As root it runs as the `postgres` user (initdb refuses root). Durability is switched off:
    this cluster lives only as long as the test run.
    """
    user = "postgres" if os.geteuid() == 0 else None
    data_dir.mkdir(parents=True, exist_ok=True)
    if user:
        shutil.chown(data_dir, user, user)
    data_dir.chmod(0o700)
    subprocess.run(
        [
            postgres_bin("initdb"),
            "-D",
            str(data_dir),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        user=user,
    )
    port = free_port()
    stack.start(
        "postgres",
        [
            postgres_bin("postgres"),
            "-D",
            str(data_dir),
            "-p",
            str(port),
            "-k",
            str(data_dir),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=200",
        ],
        ready=lambda: tcp_answers(port),
        stop_signal=signal.SIGINT,  # "fast" shutdown: do not wait for clients
        user=user,
        cwd=data_dir,
    )
    admin_url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    wait_for_sql(admin_url)
    _psql(admin_url, "CREATE ROLE ats LOGIN PASSWORD 'ats' CREATEDB")
    _psql(admin_url, "CREATE DATABASE ats OWNER ats")
    return f"postgres://ats:ats@127.0.0.1:{port}/ats"


def wait_for_sql(url: str, timeout: float = 30.0) -> None:
    """Returns once the PostgreSQL server at `url` accepts a connection for SQL, not just a
    TCP one (a postmaster answers TCP while it still starts up or recovers from its WAL);
    raises psycopg.OperationalError after `timeout` seconds. Read-only: it connects, does
    nothing, disconnects, so it is safe to call any number of times."""
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(url, connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _psql(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.encode())  # fixed statements of ours, never user input


def start_smtp(stack: Stack, *, maildir: Path) -> int:
    """Starts an aiosmtpd SMTP peer that files every message into `maildir`; returns its port."""
    port = free_port()
    stack.start(
        "smtp",
        [
            PYTHON,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(maildir),
        ],
        ready=lambda: tcp_answers(port),
    )
    return port


def prepare_var_dir(var_dir: Path) -> None:
    """Creates the runtime folders settings point into (kombu's filesystem transport does not)."""
    for sub in ("broker/queue", "broker/control", "cache", "static", "logs"):
        (var_dir / sub).mkdir(parents=True, exist_ok=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def stop_on_signals() -> None:
    """Turns Ctrl-C, `kill` and a closed terminal into KeyboardInterrupt, so the `finally`
    that stops every child always runs. Installed explicitly: a shell may start us with
    SIGINT ignored (background jobs), and SIGTERM would otherwise end us without cleanup,
    leaving the children (in their own sessions) running."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)


# --- make run ------------------------------------------------------------------------------------


def _local_secrets(var_dir: Path) -> dict[str, str]:
    """Secrets for the embedded stack, generated once and kept in var/ (never committed)."""
    path = var_dir / "local-secrets.json"
    if path.exists():
        return dict(json.loads(path.read_text()))
    values = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "S3_ACCESS_KEY": "ats" + secrets.token_hex(8),
        "S3_SECRET_KEY": secrets.token_urlsafe(30),
    }
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return values


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args], env={**os.environ, **env}, check=True, cwd=BASE_DIR
    )


def resolved(argv: list[str]) -> list[str]:
    """argv with its program taken from the virtualenv (compose runs the bare names)."""
    program = PYTHON if argv[0] == "python" else tool(argv[0])
    return [program, *argv[1:]]


def app_commands(*, host: str, port: int) -> dict[str, list[str]]:
    """The app's long-running processes. docker-compose.yml runs exactly these (a test checks)."""
    return {
        "worker": ["celery", "-A", "ats", "worker", "--concurrency=2"],
        "beat": [
            "celery",
            "-A",
            "ats",
            "beat",
            "--schedule=var/celerybeat-schedule",
        ],
        "web": [
            "gunicorn",
            "ats.wsgi",
            f"--bind={host}:{port}",
            "--workers=2",
            "--access-logfile=-",
            "--logger-class=ats.log_redaction.RedactingAccessLogger",
        ],
    }


def prepare_commands() -> list[list[str]]:
    """One-off steps before the app starts; compose's `migrate` service runs the same."""
    return [
        ["python", "manage.py", "migrate", "--no-input"],
        ["python", "manage.py", "ensure_bucket"],
    ]


def run_environment(
    *,
    local: dict[str, str],
    web_port: int,
    s3_endpoint: str,
    redis_url: str,
    outer: Mapping[str, str],
) -> dict[str, str]:
    """The environment `make run` gives every process it starts (read-only, no side effects).

    The links in emails point at the port gunicorn serves on, on the host the banner prints,
    so `PORT=18502 make run` sends links a browser on this machine can open. An
    ATS_PUBLIC_URL set by whoever runs it (the site reached through a proxy or another
    name) wins, as in production, where the setting always comes from configuration.
    """
    local_url = f"http://127.0.0.1:{web_port}"
    return {
        "DJANGO_SECRET_KEY": local["DJANGO_SECRET_KEY"],
        "DJANGO_DEBUG": "false",
        "DJANGO_HTTPS": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ATS_DEMO_MODE": "true",
        "ATS_PUBLIC_URL": outer.get("ATS_PUBLIC_URL") or local_url,
        "REDIS_URL": redis_url,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_PUBLIC_ENDPOINT_URL": s3_endpoint,
        "S3_BUCKET": "ats-cvs",
        "S3_ACCESS_KEY": local["S3_ACCESS_KEY"],
        "S3_SECRET_KEY": local["S3_SECRET_KEY"],
        "EMAIL_URL": outer.get("EMAIL_URL", "consolemail://"),
    }


def run() -> int:
    var_dir = BASE_DIR / "var"
    prepare_var_dir(var_dir)
    local = _local_secrets(var_dir)
    web_port = int(os.environ.get("PORT", "8000"))
    if not port_is_free(web_port):
        print(f"Port {web_port} is in use; set PORT to another port.", file=sys.stderr)
        return 2

    services = Stack(log_dir=var_dir / "logs")
    app = Stack(log_dir=var_dir / "logs", quiet=False)

    stop_on_signals()
    try:
        s3_port = 8333 if port_is_free(8333) else free_port()
        endpoint = start_seaweedfs(
            services,
            data_dir=var_dir / "seaweedfs",
            access_key=local["S3_ACCESS_KEY"],
            secret_key=local["S3_SECRET_KEY"],
            port=s3_port,
        )
        redis_url = os.environ.get("REDIS_URL", "")
        if not redis_url and shutil.which("redis-server"):
            redis_url = start_redis(services, data_dir=var_dir / "redis")
        env = run_environment(
            local=local,
            web_port=web_port,
            s3_endpoint=endpoint,
            redis_url=redis_url,
            outer=os.environ,
        )
        for argv in prepare_commands():
            subprocess.run(resolved(argv), env={**os.environ, **env}, check=True, cwd=BASE_DIR)
        manage("collectstatic", "--no-input", "-v", "0", env=env)
        manage("seed_demo", env=env)
        commands = app_commands(host="127.0.0.1", port=web_port)
        app.start("worker", resolved(commands["worker"]), env=env)
        app.start("beat", resolved(commands["beat"]), env=env)
        app.start("web", resolved(commands["web"]), env=env, ready=lambda: tcp_answers(web_port))
        broker = redis_url or "kombu filesystem transport in var/broker"
        print(
            "\n"
            "  ATS is running.\n"
            f"    Careers pages:  http://127.0.0.1:{web_port}/careers/\n"
            f"    Staff:          http://127.0.0.1:{web_port}/staff/  (accounts printed above)\n"
            "    2FA code:       make demo-totp ACCOUNT=recruiter  (or any demo account)\n"
            f"    Object storage: {endpoint} (SeaweedFS, data in var/seaweedfs)\n"
            f"    Broker:         {broker}\n"
            "    Emails are printed below by the worker.  Press Ctrl-C to stop everything.\n",
            flush=True,
        )
        while True:
            services.check_alive()
            app.check_alive()
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    except (ServiceFailed, subprocess.CalledProcessError) as exc:
        print(f"\nmake run failed: {exc}", file=sys.stderr)
        return 1
    finally:
        app.stop_all()
        services.stop_all()


# --- make test -----------------------------------------------------------------------------------


@contextlib.contextmanager
def test_services(base: Path) -> Iterator[dict[str, str]]:
    """Starts PostgreSQL, Redis, SeaweedFS and an SMTP peer; yields the environment for tests."""
    stack = Stack(log_dir=base)
    access_key, secret_key = "ats-test", secrets.token_urlsafe(24)
    try:
        database_url = start_postgres(stack, data_dir=base / "postgres")
        redis_url = start_redis(stack, data_dir=base / "redis")
        endpoint = start_seaweedfs(
            stack, data_dir=base / "seaweedfs", access_key=access_key, secret_key=secret_key
        )
        prepare_var_dir(base / "var")
        maildir = base / "maildir"
        smtp_port = start_smtp(stack, maildir=maildir)
        yield {
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_DEBUG": "false",
            "DJANGO_HTTPS": "false",
            "DJANGO_ALLOWED_HOSTS": "*",
            "ATS_VAR_DIR": str(base / "var"),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "S3_ENDPOINT_URL": endpoint,
            "S3_PUBLIC_ENDPOINT_URL": endpoint,
            "S3_BUCKET": "ats-test",
            "S3_ACCESS_KEY": access_key,
            "S3_SECRET_KEY": secret_key,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "ATS_TEST_MAILDIR": str(maildir),
            "ATS_TEST_SERVICE_PIDS": json.dumps({p.name: p.popen.pid for p in stack.processes}),
        }
        stack.check_alive()
    finally:
        stack.stop_all()


def test(pytest_args: list[str]) -> int:
    stop_on_signals()
    base = Path(tempfile.mkdtemp(prefix="ats-test-"))
    base.chmod(0o755)  # the postgres user must reach its data directory inside
    results: list[tuple[str, int]] = []
    try:
        with test_services(base) as env:
            os.environ.update(env)
            # The tests use the production static storage, which needs its manifest.
            manage("collectstatic", "--no-input", "-v", "0", env={})

            def step(name: str, argv: list[str], extra_env: dict[str, str] | None = None) -> None:
                print(f"\n=== {name}: {' '.join(argv)}", flush=True)
                code = subprocess.run(
                    argv, env={**os.environ, **(extra_env or {})}, cwd=BASE_DIR
                ).returncode
                results.append((name, code))

            if pytest_args:
                step("pytest", [PYTHON, "-m", "pytest", *pytest_args])
            else:
                step(
                    "pytest (PostgreSQL, Redis, SeaweedFS, SMTP)",
                    [PYTHON, "-m", "pytest", "-n", "2", "-m", "not sqlite and not browser"],
                )
                # Chromium driven by Playwright, in a session of its own: Playwright's sync
                # API keeps an event loop in its thread, which Django's ORM then refuses to
                # run under in the tests that follow.
                step("pytest (browser, Chromium)", [PYTHON, "-m", "pytest", "-m", "browser"])
                # The embedded default: SQLite and the filesystem broker, same object store.
                step(
                    "pytest (SQLite smoke run)",
                    [PYTHON, "-m", "pytest", "-m", "sqlite"],
                    {"DATABASE_URL": f"sqlite:///{base / 'smoke.sqlite3'}", "REDIS_URL": ""},
                )
                step("ruff check", [tool("ruff"), "check", "."])
                step("ruff format", [tool("ruff"), "format", "--check", "."])
                step("mypy", [tool("mypy"), "."])
                step("import-linter", [tool("lint-imports")])
    except ServiceFailed as exc:
        print(f"\nA test service could not start:\n{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nInterrupted; the test services were stopped.", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print("\n=== summary")
    for name, code in results:
        print(
            f"  {'ok  ' if code == 0 else 'FAIL'}  {name}"
            + ("" if code == 0 else f" (exit {code})")
        )
    return 0 if results and all(code == 0 for _, code in results) else 1


def demo_totp(username: str) -> int:
    """Prints the current second-factor code of a `make run` demo account, from another
    terminal: the same settings as `make run` (its database and secrets in var/), no
    service needed. Read-only."""
    var_dir = BASE_DIR / "var"
    if not (var_dir / "local-secrets.json").exists():
        print("No demo data yet: start `make run` first.", file=sys.stderr)
        return 1
    env = run_environment(
        local=_local_secrets(var_dir),
        web_port=int(os.environ.get("PORT", "8000")),
        s3_endpoint="http://127.0.0.1:1",  # not contacted: the command reads the database
        redis_url="",
        outer=os.environ,
    )
    try:
        manage("demo_totp", username, env=env)
    except subprocess.CalledProcessError as exc:
        return exc.returncode
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["demo-totp"] and len(argv) == 2:
        return demo_totp(argv[1])
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    if argv[0] == "run":
        return run()
    return test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
