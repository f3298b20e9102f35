"""Settings, entirely from environment variables (every one is documented in `.env.example`).

The same module serves production, `make run` and the tests: what differs is only the
environment each of them sets, so nothing production-only goes untested.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
import structlog
from botocore.config import Config as BotoConfig
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from ats import jurisdictions, log_redaction

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# The jurisdiction's legal defaults (ATS_JURISDICTION, ats/jurisdictions.py), with the
# environment's overrides applied and validated; copied into settings below.
_jurisdiction = jurisdictions.resolve(os.environ)

# Runtime files of the embedded defaults (SQLite, the filesystem broker, SeaweedFS data).
VAR_DIR = Path(env.str("ATS_VAR_DIR", default=str(BASE_DIR / "var")))

# --- Core -------------------------------------------------------------------------------------

SECRET_KEY = env.str("DJANGO_SECRET_KEY")
# Old keys, still accepted for signatures and for reading second-factor secrets after a rotation.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "ats",  # cross-cutting: the `__any_of` lookup, registered once for every app
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # the widgets' own templates, for FORM_RENDERER's template engine
    # Full-text search of the talent pool (SearchVectorField, SearchQuery, unaccent).
    "django.contrib.postgres",
    "django.contrib.humanize",  # allauth's security key list shows "last used 2 days ago"
    "django.contrib.sitemaps",  # /sitemap.xml of the open postings (its template)
    "csp",
    "django_htmx",
    "django_structlog",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "recruitment",
    "notifications",
]

MIDDLEWARE = [
    # First: every later middleware's responses and log lines carry the request's id, chosen
    # by the first and bound by the second (django-structlog; ats.request_id says why both).
    "ats.request_id.RequestIdMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body: an oversize upload is refused unread.
    "ats.middleware.RequestBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After authentication: no staff page without a second factor (enrol first if none).
    "recruitment.accounts.middleware.SecondFactorMiddleware",
    # After authentication and messages: it signs out idle or old sessions and says why.
    "ats.middleware.StaffSessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it turns lockouts raised during login into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ats.urls"
WSGI_APPLICATION = "ats.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "recruitment.context_processors.controller",
                "recruitment.context_processors.language_switch",
            ],
        },
    },
]

# Forms render with the engine above: {{ field.as_field_group }} is templates/forms/field.html.
FORM_RENDERER = "ats.forms.FormRenderer"

# --- Database ---------------------------------------------------------------------------------

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ats.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while one of them writes; IMMEDIATE makes
    # a writing transaction take its lock up front instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache ------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
# A frozen Redis must not hang a candidate's request: every socket operation gives up quickly.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=2.0)

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ats",
            "OPTIONS": {
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery -----------------------------------------------------------------------------------

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
        "socket_timeout": REDIS_SOCKET_TIMEOUT,
        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
        "visibility_timeout": 3600,
    }
else:
    # Embedded default without Redis: kombu's filesystem transport (single host only).
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing gives up after one quick retry: the outbox row is already committed and the
# sweep re-enqueues it, so a broken broker costs a delay, never a lost email or a hung page.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Let the console email backend print plainly instead of as one log record per line.
CELERY_WORKER_REDIRECT_STDOUTS = False
CELERY_TIMEZONE = "UTC"

OUTBOX_SWEEP_SECONDS = env.int("ATS_OUTBOX_SWEEP_SECONDS", default=60)
# A row not delivered this long after it was queued is picked up again by the sweep.
OUTBOX_RETRY_AFTER_SECONDS = env.int("ATS_OUTBOX_RETRY_AFTER_SECONDS", default=60)
OUTBOX_MAX_ATTEMPTS = env.int("ATS_OUTBOX_MAX_ATTEMPTS", default=10)
# Links minted at delivery, by name (notifications.services.queue_email's personal_link).
OUTBOX_PERSONAL_LINKS = {
    "portal-access": "recruitment.rights.services.portal_access.mint_access_link",
    "consent-renewal": "recruitment.rights.services.portal_access.mint_renewal_link",
    "pool-invitation": "recruitment.pool.services.invitations.mint_invitation_link",
}

# Retention: how often the sweep looks for due purges, and how many it takes per batch.
RETENTION_SWEEP_SECONDS = env.int("ATS_RETENTION_SWEEP_SECONDS", default=300)
RETENTION_BATCH_SIZE = env.int("ATS_RETENTION_BATCH_SIZE", default=500)
# How long a purge waits for the candidate's last emails (e.g. "your data is deleted") to be
# delivered before it erases the address anyway.
RETENTION_NOTICE_WAIT_HOURS = env.int("ATS_RETENTION_NOTICE_WAIT_HOURS", default=24)

# The audit log (AccessEvent) holds no candidate data, but it does hold staff activity (who,
# what, when, from which network): it is kept this many days, then deleted by a daily task.
# Three years by default: evidence of who accessed an application, and of how a data-subject
# request was handled, must outlast the three years in which a candidate may claim damages
# (Law on Obligations, Serbia and Bosnia and Herzegovina, art. 376), but not be kept forever.
AUDIT_RETENTION_DAYS = env.int("ATS_AUDIT_RETENTION_DAYS", default=3 * 365)
if AUDIT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("ATS_AUDIT_RETENTION_DAYS must be a positive number of days.")

# Staff notifications (issue 20): the daily digest goes out at this local hour; "at once"
# means within one sweep of the digest task (STAFF_DIGEST_SWEEP_SECONDS).
STAFF_DIGEST_HOUR = env.int("ATS_STAFF_DIGEST_HOUR", default=8)
if not 0 <= STAFF_DIGEST_HOUR <= 23:
    raise ImproperlyConfigured("ATS_STAFF_DIGEST_HOUR must be an hour from 0 to 23.")
STAFF_DIGEST_SWEEP_SECONDS = env.int("ATS_STAFF_DIGEST_SWEEP_SECONDS", default=300)
# Interviews (issue 20): the reminder to the candidate and the interviewers goes this many
# hours before the start; the sweep that sends due reminders runs this often.
INTERVIEW_REMINDER_HOURS = env.int("ATS_INTERVIEW_REMINDER_HOURS", default=24)
if INTERVIEW_REMINDER_HOURS < 1:
    raise ImproperlyConfigured("ATS_INTERVIEW_REMINDER_HOURS must be a positive number of hours.")
INTERVIEW_REMINDER_SWEEP_SECONDS = env.int("ATS_INTERVIEW_REMINDER_SWEEP_SECONDS", default=300)

CELERY_BEAT_SCHEDULE = {
    "notifications.sweep_outbox": {
        "task": "notifications.sweep_outbox",
        "schedule": OUTBOX_SWEEP_SECONDS,
    },
    "recruitment.sweep_retention": {
        "task": "recruitment.sweep_retention",
        "schedule": RETENTION_SWEEP_SECONDS,
    },
    "recruitment.reconcile_storage": {
        "task": "recruitment.reconcile_storage",
        "schedule": 6 * 3600,
    },
    "recruitment.send_consent_reminders": {
        "task": "recruitment.send_consent_reminders",
        "schedule": 24 * 3600,
    },
    "recruitment.send_request_reminders": {
        "task": "recruitment.send_request_reminders",
        "schedule": 24 * 3600,
    },
    # As often as the outbox is swept: an extension's notice goes out within that time.
    "recruitment.settle_request_extensions": {
        "task": "recruitment.settle_request_extensions",
        "schedule": OUTBOX_SWEEP_SECONDS,
    },
    # Hourly, but the digest of overdue legal-hold reviews goes out once per local day:
    # the first run of a day sends it, the others find it sent.
    "recruitment.send_hold_review_reminders": {
        "task": "recruitment.send_hold_review_reminders",
        "schedule": 3600,
    },
    "recruitment.delete_expired_exports": {
        "task": "recruitment.delete_expired_exports",
        "schedule": 3600,
    },
    "recruitment.delete_old_audit_events": {
        "task": "recruitment.delete_old_audit_events",
        "schedule": 24 * 3600,
    },
    # Postings past their closing time stop taking applications at once (the careers pages
    # check it); this only makes them show as closed to staff within five minutes.
    "recruitment.close_expired_postings": {
        "task": "recruitment.close_expired_postings",
        "schedule": 300,
    },
    # Staff digests whose stored due date has passed: "at once" ones each run, daily ones
    # at ATS_STAFF_DIGEST_HOUR (recruitment.pipeline.services.digest).
    "recruitment.send_staff_digests": {
        "task": "recruitment.send_staff_digests",
        "schedule": STAFF_DIGEST_SWEEP_SECONDS,
    },
    # Due reminders are found by their stored due time (Interview.reminder_due_at).
    "recruitment.send_interview_reminders": {
        "task": "recruitment.send_interview_reminders",
        "schedule": INTERVIEW_REMINDER_SWEEP_SECONDS,
    },
    # CV texts whose reading was not enqueued (broker down) or waited for a restriction to
    # be lifted (recruitment.cvs.extraction): each upload enqueues its own at once.
    "recruitment.read_pending_cv_texts": {
        "task": "recruitment.read_pending_cv_texts",
        "schedule": 600,
    },
}

# --- Object storage (S3-compatible; SeaweedFS here) --------------------------------------------

S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL")
# The host a browser can reach; presigned links are signed for it (defaults to the endpoint).
S3_PUBLIC_ENDPOINT_URL = env.str("S3_PUBLIC_ENDPOINT_URL", default="") or S3_ENDPOINT_URL
S3_BUCKET = env.str("S3_BUCKET")
S3_REGION = env.str("S3_REGION", default="us-east-1")
# "AES256" asks for server-side encryption (SSE-S3); empty turns it off for stores without it.
S3_SERVER_SIDE_ENCRYPTION = env.str("S3_SERVER_SIDE_ENCRYPTION", default="AES256")

_s3_options: dict[str, Any] = {
    "endpoint_url": S3_ENDPOINT_URL,
    "bucket_name": S3_BUCKET,
    "access_key": env.str("S3_ACCESS_KEY"),
    "secret_key": env.str("S3_SECRET_KEY"),
    "region_name": S3_REGION,
    "addressing_style": "path",
    "signature_version": "s3v4",
    # Keys are random; never silently rename, never overwrite.
    "file_overwrite": False,
    "default_acl": None,
    "querystring_auth": True,
    "querystring_expire": 60,
    "client_config": BotoConfig(
        s3={"addressing_style": "path"},
        signature_version="s3v4",
        # Storage that is down must fail a request in seconds, not minutes.
        connect_timeout=env.float("S3_CONNECT_TIMEOUT", default=3.0),
        read_timeout=env.float("S3_READ_TIMEOUT", default=20.0),
        retries={"max_attempts": 2, "mode": "standard"},
        # boto3 >= 1.36 checksums by default; not every S3 clone accepts them.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    ),
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "cvs": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Email ------------------------------------------------------------------------------------

_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="careers@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Static files, i18n -----------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("bs", "Bosanski"),
    ("hr", "Hrvatski"),
    ("sr-latn", "Srpski (latinica)"),
    ("sr", "Српски"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# The language switcher (django's set_language) remembers an explicit choice in this cookie;
# without one, LocaleMiddleware follows the browser's Accept-Language. The cookie is set
# only when the visitor asks for it, holds only the language code, and lasts a year.
LANGUAGE_COOKIE_NAME = "language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_TZ = True
# The jurisdiction's zone unless TIME_ZONE is set (ats/jurisdictions.py).
TIME_ZONE = _jurisdiction.time_zone

# --- Security ---------------------------------------------------------------------------------

# Production runs behind TLS. `make run` and the test servers speak plain HTTP on loopback,
# so they set DJANGO_HTTPS=false; everything else here is the same in every environment.
HTTPS = env.bool("DJANGO_HTTPS", default=True)
SECURE_SSL_REDIRECT = HTTPS
# Probes call these over plain HTTP from inside the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# Lax: cookies go with top-level navigation (an emailed link) but not with cross-site POSTs.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# --- Staff login ------------------------------------------------------------------------------

# Signing in is django-allauth's (recruitment.accounts): password, then a second factor.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "recruitment.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
# The session cookie lives as long as STAFF_SESSION_HOURS allows (no "remember me" box).
ACCOUNT_SESSION_REMEMBER = True
# django-axes counts failed passwords and codes and locks out (below); allauth's own
# counter of failed logins would refuse the same attempts with a different page.
ACCOUNT_RATE_LIMITS = {"login_failed": False}
MFA_ADAPTER = "recruitment.accounts.adapters.MFAAdapter"
MFA_FORMS = {"authenticate": "recruitment.accounts.forms.AuthenticateForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_RECOVERY_CODES_SHOW_ONCE = True
# allauth's guard against someone signing up with another's unverified address and then
# locking them out with a second factor; here nobody signs up (admins create accounts).
MFA_ALLOW_UNVERIFIED_EMAIL = True
# WebAuthn needs a secure origin; `make run` serves plain http on this machine.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not HTTPS
# "Trust this browser" skips the code at sign-in for this many days (0: never offered).
STAFF_TRUSTED_BROWSER_DAYS = env.int("ATS_STAFF_TRUSTED_BROWSER_DAYS", default=7)
if not 0 <= STAFF_TRUSTED_BROWSER_DAYS <= 30:
    raise ImproperlyConfigured("ATS_STAFF_TRUSTED_BROWSER_DAYS must be between 0 and 30.")
MFA_TRUST_ENABLED = STAFF_TRUSTED_BROWSER_DAYS > 0
MFA_TRUST_COOKIE_AGE = timedelta(days=STAFF_TRUSTED_BROWSER_DAYS)
AUTHENTICATION_BACKENDS = [
    # First: refuses locked-out credentials before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("ATS_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("ATS_LOGIN_LOCKOUT_HOURS", default=1.0)
# Lock an address that guesses many accounts, and an account guessed from many addresses.
# Unknown usernames are counted like real ones, so a lockout says nothing about existence.
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "staff/locked_out.html"
# An IPv6 client counts by its /64, as in the rate limits (a new address per try is free).
AXES_CLIENT_IP_CALLABLE = "ats.client_address.client_key"
AXES_VERBOSE = False
# A signed-in session ends after this long without a request, or this long after signing
# in, whichever comes first (ats.middleware.StaffSessionLimitsMiddleware).
STAFF_IDLE_MINUTES = env.int("ATS_STAFF_IDLE_MINUTES", default=30)
STAFF_SESSION_HOURS = env.int("ATS_STAFF_SESSION_HOURS", default=12)
if STAFF_IDLE_MINUTES < 1 or STAFF_SESSION_HOURS < 1:
    raise ImproperlyConfigured("ATS_STAFF_IDLE_MINUTES and ATS_STAFF_SESSION_HOURS must be >= 1.")
SESSION_COOKIE_AGE = STAFF_SESSION_HOURS * 3600

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# How many reverse proxies append to X-Forwarded-For in front of the app (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("ATS_TRUSTED_PROXY_COUNT", default=0)

# --- Uploads and abuse limits ------------------------------------------------------------------

CV_MAX_BYTES = env.int("ATS_CV_MAX_BYTES", default=10 * 1024 * 1024)
COVER_LETTER_MAX_CHARS = env.int("ATS_COVER_LETTER_MAX_CHARS", default=5000)
# How long the worker may spend reading one CV's text (recruitment.cvs.tasks): past it the
# task is interrupted and the CV kept without text; past it by 40 s, the worker process is
# killed and replaced.
CV_TEXT_SECONDS = env.int("ATS_CV_TEXT_SECONDS", default=20)
if CV_TEXT_SECONDS < 1:
    raise ImproperlyConfigured("ATS_CV_TEXT_SECONDS must be at least 1.")
# The whole form around the CV is small; anything bigger is refused before it is read.
MAX_REQUEST_BYTES = CV_MAX_BYTES + 256 * 1024
FILE_UPLOAD_HANDLERS = ["recruitment.cvs.checks.SizeCappedUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Submissions per client IP per window ("count/seconds").
APPLY_RATE_LIMIT = env.str("ATS_APPLY_RATE_LIMIT", default="20/3600")

# --- Privacy: jurisdiction and controller (PRIVACY.md) -----------------------------------------

# The profile's values, each overridable by its environment variable (listed in
# jurisdictions.ENV_NAMES and .env.example); validated there against the law's limits.
JURISDICTION = _jurisdiction.code
APPLICABLE_LAW = {"name": _jurisdiction.law.name, "gazette": _jurisdiction.law.gazette}
PRIVACY_REQUEST_DEADLINE_DAYS = _jurisdiction.request_deadline_days
PRIVACY_REQUEST_EXTENSION_DAYS = _jurisdiction.request_extension_days
APPLICANT_MIN_AGE = _jurisdiction.applicant_min_age
TALENT_POOL_CONSENT_MONTHS = _jurisdiction.talent_pool_consent_months
TALENT_POOL_CONSENT_MAX_MONTHS = _jurisdiction.talent_pool_consent_max_months
CONSENT_RENEWAL_NOTICE_DAYS = _jurisdiction.consent_renewal_notice_days
RETENTION_GRACE_DAYS = env.int("ATS_RETENTION_GRACE_DAYS", default=0)
# Hired candidates become employees: their application is handed over to HR and kept here
# unless a number of days after the hiring decision is set (empty: keep, the default).
_hired_retention = env.str("ATS_HIRED_RETENTION_DAYS", default="").strip()
HIRED_RETENTION_DAYS: int | None = int(_hired_retention) if _hired_retention else None

# Shown on every candidate-facing page and email. "registration" is a list of
# (label, value) pairs, e.g. [("Matični broj", "12345678"), ("PIB", "100000000")].
CONTROLLER: dict[str, Any] = {
    "name": _jurisdiction.controller.name,
    "address": _jurisdiction.controller.address,
    "registration": list(_jurisdiction.controller.registration),
    "privacy_email": _jurisdiction.controller.privacy_email,
}
# The employer as job boards show it (schema.org hiringOrganization of each posting): its
# website and the address of its logo (absolute URLs; empty: not given).
CONTROLLER_WEBSITE = env.str("ATS_CONTROLLER_WEBSITE", default="")
CONTROLLER_LOGO_URL = env.str("ATS_CONTROLLER_LOGO_URL", default="")
SUPERVISORY_AUTHORITY = {
    "name": _jurisdiction.authority.name,
    "address": _jurisdiction.authority.address,
    "url": _jurisdiction.authority.url,
}
# Processors that receive candidate data on the controller's behalf, shown in the notice.
PROCESSORS = env.list("ATS_PROCESSORS", default=[])
# Staff reminders about data-subject requests: this many days before the due date, and
# again once overdue, to these addresses (default: the controller's privacy contact).
PRIVACY_REQUEST_REMINDER_DAYS = env.int("ATS_PRIVACY_REQUEST_REMINDER_DAYS", default=7)
PRIVACY_OFFICER_EMAILS = env.list(
    "ATS_PRIVACY_OFFICER_EMAILS", default=[CONTROLLER["privacy_email"]]
)
# The staff home's attention counts for those who decide on a posting: applications are "new"
# if received in the last this many days and not yet seen on the board, and "undecided for a
# while" once they have waited this many days without a decision.
STAFF_HOME_NEW_DAYS = env.int("ATS_STAFF_HOME_NEW_DAYS", default=7)
STAFF_HOME_UNDECIDED_DAYS = env.int("ATS_STAFF_HOME_UNDECIDED_DAYS", default=14)
if STAFF_HOME_NEW_DAYS < 1 or STAFF_HOME_UNDECIDED_DAYS < 1:
    raise ImproperlyConfigured(
        "ATS_STAFF_HOME_NEW_DAYS and ATS_STAFF_HOME_UNDECIDED_DAYS must be positive day counts."
    )
# Where a candidate's reply to any email goes (the emails invite them to reply, e.g. to
# withdraw a consent): someone who records it as a request at /staff/requests/new/.
EMAIL_REPLY_TO = env.str("ATS_EMAIL_REPLY_TO", default=CONTROLLER["privacy_email"])

# --- Candidate portal (PRIVACY.md P10-P16) -------------------------------------------------------

# Where candidates reach this site: the base of every link in an email.
PUBLIC_URL = env.str("ATS_PUBLIC_URL", default="http://localhost:8000").rstrip("/")

# An emailed portal link works once, within this many hours.
PORTAL_TOKEN_HOURS = env.int("ATS_PORTAL_TOKEN_HOURS", default=24)
# Invitations from the talent pool: at most this many per person within this many days
# (however many recruiters invite), and each link works for this many days (or until the
# posting closes, or the person applies through it).
POOL_INVITATIONS_PER_PERSON = env.int("ATS_POOL_INVITATIONS_PER_PERSON", default=2)
POOL_INVITATION_PERIOD_DAYS = env.int("ATS_POOL_INVITATION_PERIOD_DAYS", default=30)
POOL_INVITATION_VALID_DAYS = env.int("ATS_POOL_INVITATION_VALID_DAYS", default=30)
# The portal session a link opens lasts this long without activity.
PORTAL_SESSION_MINUTES = env.int("ATS_PORTAL_SESSION_MINUTES", default=30)
# Link requests per email address and per client IP, and link uses per client IP
# ("count/seconds").
PORTAL_LINK_RATE_LIMIT = env.str("ATS_PORTAL_LINK_RATE_LIMIT", default="5/3600")
PORTAL_TOKEN_RATE_LIMIT = env.str("ATS_PORTAL_TOKEN_RATE_LIMIT", default="30/600")
# A data export (ZIP) can be downloaded for this many hours; then it is deleted.
EXPORT_EXPIRY_HOURS = env.int("ATS_EXPORT_EXPIRY_HOURS", default=24)

# --- Demo data --------------------------------------------------------------------------------

# `seed_demo` creates staff accounts with printed passwords; it refuses to run without this.
DEMO_MODE = env.bool("ATS_DEMO_MODE", default=False)
if DEMO_MODE and HTTPS:
    # Demo accounts have printed passwords and a published second-factor secret.
    raise ImproperlyConfigured("ATS_DEMO_MODE is for `make run` only; it refuses DJANGO_HTTPS.")

# --- Logging: no personal data goes here; ids only. ---------------------------------------------

# One JSON object per line (time, level, logger, message, request_id, task_id, task_name,
# exception), or "plain" text for a human at a terminal. gunicorn's access log has its own
# format (ats.log_redaction.RedactingAccessLogger).
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured('LOG_FORMAT must be "json" or "plain".')

# django-structlog: one request id per request (ats.request_id chooses it), bound to every line
# of the request and carried in the headers of the Celery tasks it enqueues; a worker binds it
# with the task's id and name. No client address and no user id: they are personal data.
DJANGO_STRUCTLOG_CELERY_ENABLED = True
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False
DJANGO_STRUCTLOG_USER_ID_FIELD = None

# Every line, from a structlog logger or a plain `logging` one, is finished by the console
# handler's ProcessorFormatter: the request's (or task's) bound ids, then the personal-data
# processors (ats.log_redaction), then the renderer.
_LOG_CONTEXT: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
]
_LOG_PRIVACY: list[Any] = [
    log_redaction.exceptions_without_messages,
    log_redaction.RedactTokens(),
]
structlog.configure(
    # The privacy processors run here too, so that a structlog line leaves as a clean
    # record for any handler (the console's formatter runs them again, for stdlib lines).
    processors=[
        structlog.stdlib.filter_by_level,
        *_LOG_CONTEXT,
        structlog.stdlib.PositionalArgumentsFormatter(),
        *_LOG_PRIVACY,
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # json.dumps escapes newlines: a line is always exactly one line, whatever it holds.
        "json": {
            "()": structlog.stdlib.ProcessorFormatter,
            "foreign_pre_chain": _LOG_CONTEXT,
            "processors": [
                *_LOG_PRIVACY,
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.EventRenamer("message"),
                structlog.processors.JSONRenderer(),
            ],
        },
        "plain": {
            "()": structlog.stdlib.ProcessorFormatter,
            "foreign_pre_chain": _LOG_CONTEXT,
            "processors": [
                *_LOG_PRIVACY,
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                log_redaction.exception_as_text,
                structlog.dev.ConsoleRenderer(colors=False),
            ],
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # django-structlog's request_failed and request_finished lines name every failed
        # request, with its id; Django's own lines about them would only repeat them.
        "django.request": {"level": "CRITICAL"},
        # Likewise django-structlog's task_started, task_succeeded and task_failed lines for
        # Celery's; and Celery's quote the task's result and the exception's text.
        "celery.app.trace": {"level": "CRITICAL"},
        "botocore": {"level": "WARNING"},
        # pypdf warns about every oddity of an uploaded CV; the upload checks turn those
        # warnings into rejections, so they need not reach the logs. Its level must stay at
        # WARNING or the checks stop seeing them.
        "pypdf": {"handlers": [], "propagate": False, "level": "WARNING"},
    },
}
