"""Personal calendar feeds: a secret, revocable link per staff member (only its hash stored)."""

from django.contrib.auth.models import User
from django.db import transaction

from ats.tokens import new_token, token_hash
from recruitment.models import CalendarFeedToken


@transaction.atomic
def new_feed_token(*, user: User) -> str:
    """A new feed link's token for `user`, replacing (and so revoking) any earlier one.
    Side effect: stores the token's SHA-256. Each call revokes the previous link."""
    token = new_token()
    CalendarFeedToken.objects.update_or_create(
        user=user, defaults={"token_hash": token_hash(token)}
    )
    return token


def revoke_feed_token(*, user: User) -> bool:
    """Revokes `user`'s feed link; returns whether there was one. Rerun-safe."""
    deleted, _ = CalendarFeedToken.objects.filter(user=user).delete()
    return bool(deleted)


def user_for_feed_token(token: str) -> User | None:
    """The active staff member whose feed link this is, or None. Read-only."""
    row = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token_hash=token_hash(token), user__is_active=True, user__is_staff=True)
        .first()
    )
    return row.user if row else None


def has_feed(user: User) -> bool:
    return CalendarFeedToken.objects.filter(user=user).exists()
