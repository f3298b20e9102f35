"""Signing in as a person does: password, then the code of their authenticator app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.test import Client
from django.urls import reverse

from recruitment.accounts.codes import lasting_code
from tests.factories import TEST_TOTP_SECRET

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

PASSWORD = "correct horse battery staple"


def sign_in_with_password(client: Client, username: str, password: str = PASSWORD) -> TestResponse:
    """The first step only: the response asks for the second factor (or refuses)."""
    return client.post(reverse("account_login"), {"login": username, "password": password})


def enter_code(client: Client, code: str | None = None) -> TestResponse:
    """The second step, with the current code of TEST_TOTP_SECRET unless `code` is given
    (waiting for the next code when this one is about to change)."""
    return client.post(
        reverse("mfa_authenticate"),
        {"code": code or lasting_code(TEST_TOTP_SECRET, for_at_least=2)},
    )


def answer_trust(client: Client, *, trust: bool = False) -> TestResponse:
    """The last step: whether to trust this browser (skip the code for some days)."""
    return client.post(reverse("mfa_trust"), {"action": "trust" if trust else "skip"})


def sign_in(
    client: Client, username: str, password: str = PASSWORD, *, trust: bool = False
) -> TestResponse:
    """Every step; returns the response that ends signing in (a redirect onwards)."""
    first = sign_in_with_password(client, username, password)
    assert first.status_code == 302 and first["Location"] == reverse("mfa_authenticate"), first
    second = enter_code(client)
    if second.status_code == 302 and second["Location"] == reverse("mfa_trust"):
        return answer_trust(client, trust=trust)
    return second
