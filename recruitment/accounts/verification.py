"""Which sessions have passed the second factor.

A session is verified when it holds the ids of the authenticators that verified it and at
least one of them still exists. So removing an authenticator (the person revoking a lost key,
an admin resetting the second factor) ends, at their next request, every session that only
it verified, without finding and deleting sessions. Reads and writes the session only.
"""

from datetime import datetime

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest

SESSION_KEY = "staff_second_factor"
# The types that make a second factor; recovery codes only stand in for one of them.
FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_second_factor(
    user: AbstractBaseUser | AnonymousUser, *, before: datetime | None = None
) -> bool:
    """Whether the person has enrolled a TOTP app or a security key (set up before
    `before`, if given). One query."""
    factors = Authenticator.objects.filter(user_id=user.pk, type__in=FACTOR_TYPES)
    if before is not None:
        factors = factors.filter(created_at__lt=before)
    return factors.exists()


def mark_verified(request: HttpRequest, authenticator_ids: list[int]) -> None:
    """Records that these authenticators verified this session (adds to what is there)."""
    current = list(request.session.get(SESSION_KEY, []))
    request.session[SESSION_KEY] = sorted({*current, *authenticator_ids})


def mark_verified_by_all(request: HttpRequest, user: AbstractBaseUser) -> None:
    """Records every authenticator of the person: for a sign-in that allauth completed
    without asking for a code (a browser the person chose to trust)."""
    ids = list(Authenticator.objects.filter(user_id=user.pk).values_list("pk", flat=True))
    mark_verified(request, ids)


def is_verified(request: HttpRequest) -> bool:
    """Whether an authenticator that verified this session still exists (one query)."""
    ids = request.session.get(SESSION_KEY)
    if not ids:
        return False
    return Authenticator.objects.filter(user_id=request.user.pk, pk__in=ids).exists()
