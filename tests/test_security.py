"""Hardened deployment: deploy checks, security headers and cookies, sessions, the generic
500 page with one JSON log line per error, request ids, and a private bucket.

This module doubles as the URLconf of the forced-error test (`urlpatterns` below): a view
that raises exists only here, never among the product's routes.
"""

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from django.conf import settings as django_settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.template import RequestContext, Template
from django.test import Client, override_settings
from django.urls import include, path, reverse

from ats import health
from ats.celery import app as celery_app
from ats.request_id import accepted_or_new
from recruitment.accounts.codes import lasting_code
from recruitment.cvs import storage
from recruitment.models import Application, PortalToken, Posting
from recruitment.rights.services import portal_access
from tests.factories import TEST_TOTP_SECRET, MembershipFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "DJANGO_DEBUG": "false",
    "DJANGO_HTTPS": "true",
    "DJANGO_ALLOWED_HOSTS": "careers.example.com",
}

# What ats/settings.py computes with DJANGO_HTTPS=true (a subprocess test below checks this).
PRODUCTION = {
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
}

NAME = "Jelena Testović-Privatna"
EMAIL = "jelena.privatna@example.com"


# --- The test-only URLconf: a view that fails -----------------------------------------------


def explode(request: HttpRequest) -> HttpResponse:
    # An exception whose message quotes personal data, as a database error may.
    raise ValueError(f"duplicate key: {request.POST.get('email')} ({request.POST.get('name')})")


def inline_script(request: HttpRequest) -> HttpResponse:
    template = Template('<script nonce="{{ request.csp_nonce }}">let x = 1;</script>')
    return HttpResponse(template.render(RequestContext(request)))


urlpatterns = [
    path("boom/", explode),
    path("inline-script/", inline_script),
    path("", include("ats.urls")),
]
handler500 = "recruitment.workspace.errors.server_error"


# --- 1. check --deploy -------------------------------------------------------------------------


def _production_run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=ROOT,
        env={**os.environ, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_settings() -> None:
    result = _production_run("check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output and "ERRORS" not in output, output
    assert "no issues" in output


def test_production_environment_yields_the_settings_the_header_tests_use() -> None:
    names = [*PRODUCTION, "DEBUG", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE"]
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    result = _production_run("shell", "-c", code)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert {name: values[name] for name in PRODUCTION} == PRODUCTION
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"


# --- 2. Headers, CSP, cookies, sessions --------------------------------------------------------

NONCE = re.compile(r"'nonce-([^']+)'")


def assert_hardened(response: Any, *, production: bool = True) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    # same-origin site-wide; the portal tightens it to no-referrer.
    assert response["Referrer-Policy"] in {"same-origin", "no-referrer"}
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    if production:
        assert response["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
    else:
        assert "Strict-Transport-Security" not in response
    csp = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["script-src"][0] == "'self'"
    # django-csp adds the nonce to the header only when the page used it: every inline
    # script carries this response's nonce, and without a nonce there is no inline script.
    nonce = NONCE.search(" ".join(directives["script-src"]))
    html = response.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        if "src=" not in tag:
            assert nonce and f'nonce="{nonce.group(1)}"' in tag, tag


@override_settings(ROOT_URLCONF=__name__)
def test_an_inline_script_runs_only_with_the_nonce_of_its_response() -> None:
    first, second = Client().get("/inline-script/"), Client().get("/inline-script/")
    assert_hardened(first, production=False)
    nonces = [NONCE.search(r["Content-Security-Policy"]) for r in (first, second)]
    assert nonces[0] and nonces[1] and nonces[0].group(1) != nonces[1].group(1)
    assert f'nonce="{nonces[0].group(1)}"' in first.content.decode()


def test_templates_have_no_inline_handlers_or_scripts_without_a_nonce() -> None:
    for template in (ROOT / "templates").rglob("*.html"):
        if "email" in template.parts:
            continue  # emails are not served under the CSP
        text = template.read_text()
        assert not re.search(r"\son[a-z]+\s*=", text), template
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or "nonce=" in tag, (template, tag)


def open_portal(client: Client, application: Application, *, secure: bool = True) -> Any:
    token = portal_access.issue_token(
        candidate=application.candidate, purpose=PortalToken.Purpose.ACCESS
    )
    assert client.get(f"/privacy/access/{token}/", secure=secure).status_code == 302
    response = client.post(reverse("privacy:continue"), secure=secure)
    assert response.status_code == 302
    return response


@pytest.mark.django_db
@override_settings(**PRODUCTION)
def test_careers_page_headers_and_csrf_cookie_in_production(posting: Posting) -> None:
    client = Client()
    response = client.get(reverse("careers:posting_detail", args=[posting.slug]), secure=True)
    assert response.status_code == 200
    assert_hardened(response)
    csrf = response.cookies[django_settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["samesite"] == "Lax"


@pytest.mark.django_db
@override_settings(**PRODUCTION)
def test_plain_http_is_redirected_to_https_in_production(posting: Posting) -> None:
    response = Client().get(reverse("careers:posting_detail", args=[posting.slug]))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
@override_settings(**PRODUCTION)
def test_staff_page_headers_in_production(posting: Posting) -> None:
    client = Client()
    client.force_login(MembershipFactory.create(posting=posting).user)
    response = client.get(reverse("staff:home"), secure=True)
    assert response.status_code == 200
    assert_hardened(response)


@pytest.mark.django_db
@override_settings(**PRODUCTION)
def test_portal_page_headers_and_session_cookie_in_production(applied: Application) -> None:
    client = Client()
    opened = open_portal(client, applied)
    session = opened.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    response = client.get(reverse("privacy:portal"), secure=True)
    assert response.status_code == 200
    assert_hardened(response)


@pytest.mark.django_db
def test_no_hsts_without_https(posting: Posting) -> None:
    assert django_settings.SECURE_HSTS_SECONDS == 0  # the test servers speak plain HTTP
    response = Client().get(reverse("careers:posting_detail", args=[posting.slug]))
    assert_hardened(response, production=False)


def _session_key(client: Client) -> str | None:
    cookie = client.cookies.get(django_settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie else None


@pytest.mark.django_db
@override_settings(**PRODUCTION)
def test_staff_login_rotates_the_session_and_the_session_expires() -> None:
    user = UserFactory.create()
    client = Client()
    before: SessionBase = client.session  # an anonymous session, as a visitor would have
    before["seen"] = True
    before.save()
    old_key = before.session_key
    assert _session_key(client) == old_key

    response = client.post(
        reverse("account_login"),
        {"login": user.username, "password": "correct horse battery staple"},
        secure=True,
    )
    assert response.status_code == 302
    client.post(
        reverse("mfa_authenticate"),
        {"code": lasting_code(TEST_TOTP_SECRET, for_at_least=2)},
        secure=True,
    )
    response = client.post(reverse("mfa_trust"), {"action": "skip"}, secure=True)

    assert response.status_code == 302
    new_key = _session_key(client)
    assert new_key and new_key != old_key
    assert old_key is not None
    assert not before.exists(old_key)  # the old id is dead, not merely unused
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert (
        django_settings.SESSION_COOKIE_AGE
        == django_settings.STAFF_SESSION_HOURS * 3600
        == 12 * 3600
    )
    assert int(cookie["max-age"]) == django_settings.SESSION_COOKIE_AGE


@pytest.mark.django_db
def test_the_portal_session_rotates_and_expires_sooner_than_a_staff_session(
    applied: Application,
) -> None:
    client = Client()
    before = client.session
    before.save()
    old_key = before.session_key
    opened = open_portal(client, applied, secure=False)

    assert _session_key(client) != old_key
    portal_seconds = django_settings.PORTAL_SESSION_MINUTES * 60
    assert portal_seconds < django_settings.SESSION_COOKIE_AGE
    assert int(opened.cookies[django_settings.SESSION_COOKIE_NAME]["max-age"]) == portal_seconds
    assert client.session.get_expiry_age() == portal_seconds


# --- 3. The generic 500 page, JSON logs, request ids ------------------------------------------


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_failing_view_shows_the_generic_page_and_logs_one_json_line_without_personal_data(
    log_lines: io.StringIO,
) -> None:
    client = Client(raise_request_exception=False)

    response = client.post("/boom/", {"name": NAME, "email": EMAIL, "cover_letter": "Hi"})

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    for leak in (NAME, EMAIL, "Traceback", "ValueError", "duplicate key", "explode"):
        assert leak not in page
    request_id = response["X-Request-ID"]
    assert request_id in page  # the reference the visitor can quote

    # django-structlog's request_started and request_failed, and nothing else (Django's own
    # django.request line would only repeat request_failed).
    lines = log_lines.getvalue().splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["message"] for e in entries] == ["request_started", "request_failed"], lines
    entry = entries[1]
    assert {"time", "level", "logger", "message", "request_id"} <= set(entry)
    assert entry["level"] == "error"
    assert entry["request"] == "POST /boom/"
    assert {e["request_id"] for e in entries} == {request_id}
    assert entry["exception"]["type"] == "ValueError"
    for leak in (NAME, EMAIL, "Jelena", "privatna"):
        assert leak not in log_lines.getvalue()


@pytest.mark.django_db
def test_a_safe_incoming_request_id_is_kept_and_an_unsafe_one_replaced(
    log_lines: io.StringIO,
) -> None:
    client = Client()
    kept = client.get("/healthz", headers={"X-Request-ID": "proxy-abc123.XYZ_9"})
    assert kept["X-Request-ID"] == "proxy-abc123.XYZ_9"

    for hostile in ("x\nFAKE LOG LINE", "a" * 65, "short", "<script>", ""):
        replaced = client.get("/healthz", headers={"X-Request-ID": hostile})
        assert re.fullmatch(r"[0-9a-f-]{36}", replaced["X-Request-ID"]), hostile

    first, second = client.get("/healthz"), client.get("/healthz")
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_accepted_or_new() -> None:
    assert accepted_or_new("abcdefgh") == "abcdefgh"
    assert accepted_or_new(None) != accepted_or_new(None)
    assert accepted_or_new("abc def ghi") != "abc def ghi"


@pytest.mark.django_db
def test_log_records_made_during_a_request_carry_its_id(
    log_lines: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_broker() -> None:
        raise ConnectionRefusedError

    monkeypatch.setitem(health.CHECKS, "broker", failing_broker)
    response = Client().get("/readyz")
    entries = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    warning = [e for e in entries if e["logger"] == "ats.health"]
    assert warning and warning[0]["request_id"] == response["X-Request-ID"]
    assert "ConnectionRefusedError" in warning[0]["message"]

    logging.getLogger("ats.outside").warning("no request here")
    outside = json.loads(log_lines.getvalue().splitlines()[-1])
    assert "request_id" not in outside and outside["message"] == "no request here"


def test_json_lines_stay_one_line_and_tokens_stay_redacted(log_lines: io.StringIO) -> None:
    token = "q8Yb3hK0xN2mZ5uV7wR1tS4pL6jH9gF0dC3eA2bX1yZ"
    logging.getLogger("recruitment.tasks").info("line one\nline two /privacy/access/%s/", token)
    lines = log_lines.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["message"] == "line one\nline two /privacy/access/[redacted]/"
    assert token not in lines[0]


def test_a_starting_worker_leaves_the_configured_logging_alone(log_lines: io.StringIO) -> None:
    # What every worker and beat does at start-up, with its --loglevel. Celery would set the
    # root logger's level from it, silencing INFO lines for the rest of the process.
    root = logging.getLogger()
    level = root.level
    # As celery.contrib.testing does for each worker (a private flag, not in celery-types).
    type(celery_app.log)._setup = False  # type: ignore[attr-defined]
    try:
        celery_app.log.setup(loglevel=logging.WARNING)  # as `--loglevel` reaches it
        assert root.level == level
        logging.getLogger("recruitment.tasks").info("still written after a worker started")
        assert "still written after a worker started" in log_lines.getvalue()
    finally:
        root.setLevel(level)


def test_gunicorn_logs_keep_their_own_handlers_and_format(log_lines: io.StringIO) -> None:
    from gunicorn.config import Config

    from ats.log_redaction import RedactingAccessLogger

    logger = RedactingAccessLogger(Config())
    assert logger.error_log.propagate is False and logger.access_log.propagate is False
    logger.error_log.handlers[0].setStream(io.StringIO())
    logger.error("worker booted")
    assert log_lines.getvalue() == ""  # not re-formatted as JSON by Django's handler


# --- 4. A private bucket -------------------------------------------------------------------------

PUBLIC_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::{bucket}/*",
        }
    ],
}


def _bucket_client() -> Any:
    return storage._client()


def test_policy_is_public() -> None:
    public = json.dumps(PUBLIC_POLICY)
    assert storage.policy_is_public(public)
    assert storage.policy_is_public(public.replace('"*"', '{"AWS": ["*"]}'))
    assert not storage.policy_is_public(public.replace('"*"', '{"AWS": "arn:aws:iam::1:root"}'))
    assert not storage.policy_is_public(public.replace("Allow", "Deny"))
    assert storage.policy_is_public("not json")


@pytest.mark.django_db
def test_the_test_bucket_is_private_and_encrypted_and_readyz_says_so(client: Client) -> None:
    detail = storage.check_bucket()
    assert detail == {"acl": "private", "policy": "none", "encryption": "AES256"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["detail"]["storage"] == detail


@pytest.mark.django_db
def test_a_public_bucket_policy_fails_readiness(client: Client) -> None:
    s3 = _bucket_client()
    bucket = storage._bucket()
    policy = json.dumps(PUBLIC_POLICY).replace("{bucket}", bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)  # SeaweedFS supports bucket policies
    try:
        with pytest.raises(storage.BucketNotPrivate, match="policy"):
            storage.check_bucket()
        with pytest.raises(storage.BucketNotPrivate):
            storage.ensure_bucket()  # the start-up step refuses too
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["storage"] == "public"
    finally:
        s3.delete_bucket_policy(Bucket=bucket)
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_a_public_acl_fails_readiness(client: Client) -> None:
    s3 = _bucket_client()
    bucket = storage._bucket()
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    try:
        assert storage.bucket_security()["acl"] == "public"
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["storage"] == "public"
    finally:
        s3.put_bucket_acl(Bucket=bucket, ACL="private")
    assert storage.bucket_security()["acl"] == "private"


class _NoEncryptionApi:
    """The real client, except that the store does not implement GetBucketEncryption."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def get_bucket_encryption(self, **kwargs: Any) -> Any:
        raise ClientError(
            {
                "Error": {"Code": "NotImplemented", "Message": "not implemented"},
                "ResponseMetadata": {
                    "RequestId": "",
                    "HostId": "",
                    "HTTPStatusCode": 501,
                    "HTTPHeaders": {},
                    "RetryAttempts": 0,
                },
            },
            "GetBucketEncryption",
        )


@pytest.mark.django_db
def test_unsupported_bucket_encryption_is_reported_but_not_fatal(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = storage._client()
    monkeypatch.setattr(storage, "_client", lambda: _NoEncryptionApi(real))
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["detail"]["storage"]["encryption"] == "not supported"
    assert response.json()["checks"]["storage"] == "ok"
