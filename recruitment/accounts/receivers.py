"""Signal receivers tying allauth's second factor to the session and to django-axes.

Connected in `recruitment.apps.RecruitmentConfig.ready`. Each writes only the current
session (or, for a failed code, axes' attempt log) and is safe to run twice.
"""

from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.auth import user_login_failed
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from recruitment.accounts import verification


def verify_on_use(
    *, request: HttpRequest | None, authenticator: Authenticator, **kwargs: Any
) -> None:
    """A code or key accepted (at sign-in or re-authentication) verifies the session by it."""
    if request is not None:
        verification.mark_verified(request, [authenticator.pk])


def verify_on_enrolment(
    *,
    request: HttpRequest | None,
    user: AbstractBaseUser,
    authenticator: Authenticator,
    **kwargs: Any,
) -> None:
    """Setting up a factor in a session verifies that session by it (the person just proved
    they hold it)."""
    if request is not None and request.user.pk == user.pk:
        verification.mark_verified(request, [authenticator.pk])


def verify_on_login(*, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any) -> None:
    """allauth signs in someone with a second factor only after it was checked, or on a
    browser they chose to trust: then the session counts as verified by all their factors.
    (The admin's own login page is replaced by the staff one, so no other login runs.)"""
    if request is None or request.session.get(verification.SESSION_KEY):
        return
    if verification.has_second_factor(user):
        verification.mark_verified_by_all(request, user)


def count_failed_code(
    *, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any
) -> None:
    """A wrong code counts as a failed login for axes, like a wrong password."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
