"""Changes to staff accounts' second factors."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.contrib.auth.models import User
from django.db import transaction

from ats.refusals import ServiceRefused
from recruitment.access import Actor
from recruitment.audit.services import record_access
from recruitment.models import AccessEvent


class ResetRefused(ServiceRefused):
    """The reset was not made; the message says why, for the admin."""


@transaction.atomic
def reset_second_factor(*, actor: Actor, user: User) -> int:
    """Removes every authenticator of `user` (TOTP app, security keys, recovery codes) and
    writes one audit row, in one transaction; returns how many were removed.

    Every session of `user` ends at its next request (`SecondFactorMiddleware`: the
    authenticators that verified it are gone), and at their next sign-in they must set up a
    new second factor before seeing anything. An admin may not reset their own (they would
    lock themselves out of the page that undoes it; they manage their own devices instead).
    Rerun-safe: a second run removes nothing and records another reset.
    """
    if actor.user.pk == user.pk:
        raise ResetRefused("Manage your own second factor on your security page.")
    removed, _ = Authenticator.objects.filter(user=user).delete()
    record_access(
        actor=actor,
        action=AccessEvent.Action.RESET_SECOND_FACTOR,
        subject_username=user.get_username(),
    )
    return removed


def enrol_totp(user: User, secret: str) -> Authenticator:
    """Makes `user`'s TOTP authenticator one with this base32 secret (the demo accounts and
    the tests; people enrol themselves on the setup page). Idempotent: an authenticator with
    this secret is kept, one with another secret is replaced (which ends the sessions it
    verified)."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        if decrypt(existing.data["secret"]) == secret:
            return existing
        existing.delete()
    return TOTP.activate(user, secret).instance
