"""django-allauth adapters: nobody signs up, the first second factor is set up right after
the password without typing it again, TOTP secrets are encrypted at rest.

allauth stores TOTP secrets as given unless its adapter encrypts them (its documented hook);
here they are encrypted with Fernet (the `cryptography` package allauth's WebAuthn support
already installs), keyed by DJANGO_SECRET_KEY, and readable with any key in
DJANGO_SECRET_KEY_FALLBACKS, so a key rotation keeps working second factors as long as the
old key stays a fallback. Losing every key that encrypted a secret means resetting that
person's second factor (`services.reset_second_factor`).
"""

import base64
import hashlib
import time
from datetime import UTC, datetime
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.http import HttpRequest

from recruitment.accounts.verification import has_second_factor


def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(f"ats.accounts.totp:{secret_key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are made by admins (Django admin), never by signing up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """allauth asks for the password again before any change to a second factor. Setting
        up the first one is the exception, within ACCOUNT_REAUTHENTICATION_TIMEOUT of signing
        in with the password (the person has only just typed it): the app, its recovery
        codes, a key, as long as no factor is older than that sign-in."""
        request = context.request
        if app == "allauth.mfa" and request is not None and request.user.is_authenticated:
            signed_in_at = _password_sign_in_time(request)
            recent = time.time() - signed_in_at < account_settings.REAUTHENTICATION_TIMEOUT
            if recent and not has_second_factor(
                request.user, before=datetime.fromtimestamp(signed_in_at, tz=UTC)
            ):
                return False
        return super().is_reauthentication_required(app=app, **kwargs)


def _password_sign_in_time(request: HttpRequest) -> float:
    """When this session last signed in with the password (epoch seconds; 0 if never)."""
    records = get_authentication_records(request, request.user)
    return max((r["at"] for r in records if r.get("method") == "password"), default=0.0)


class MFAAdapter(DefaultMFAAdapter):
    """The authenticator app shows the company's name; secrets are encrypted at rest."""

    def get_totp_issuer(self) -> str:
        return str(settings.CONTROLLER["name"])

    def encrypt(self, text: str) -> str:
        return self._keys().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return self._keys().decrypt(encrypted_text.encode()).decode()

    @staticmethod
    def _keys() -> MultiFernet:
        keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        return MultiFernet([_fernet(key) for key in keys])
