"""Access to the candidate portal by emailed, single-use links (PRIVACY.md P15).

A link carries a random token (256 bits); only its SHA-256 is stored. Tokens are minted at
delivery time by the outbox (`mint_access_link`, `mint_renewal_link`), so the token exists
in the email that leaves and nowhere else: not in the outbox table, not in a log. Each
token has one purpose, works once, and expires after PORTAL_TOKEN_HOURS.
"""

import contextlib
import logging
import uuid
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ats import enqueue
from ats.tokens import new_token, token_hash
from notifications.services import queue_email
from recruitment.careers.services import normalise_email
from recruitment.models import Application, Candidate, PortalToken

logger = logging.getLogger(__name__)

SEND_LINK_TASK = "recruitment.send_portal_link"
# How long a typed address may wait in the cache for a worker. A worker normally takes it
# within seconds; past this (workers down for an hour) the request is dropped, and the
# visitor, told "nothing arrived? ask again", asks again.
LINK_REQUEST_SECONDS = 3600


def issue_token(*, candidate: Candidate, purpose: str, now: datetime | None = None) -> str:
    """Creates a token for `candidate` and returns it; only its hash is stored.

    Side effect: one PortalToken row. Each call is a new token.
    """
    now = now or timezone.now()
    token = new_token()
    PortalToken.objects.create(
        candidate=candidate,
        purpose=purpose,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + timedelta(hours=settings.PORTAL_TOKEN_HOURS),
    )
    return token


def find_usable(*, token: str, purpose: str, now: datetime | None = None) -> PortalToken | None:
    """The unused, unexpired token of this purpose, or None (wrong, used, expired, foreign:
    the caller answers all of them the same way). Read-only."""
    now = now or timezone.now()
    if not token or len(token) > 100:
        return None
    return (
        PortalToken.objects.filter(
            token_hash=token_hash(token),
            purpose=purpose,
            used_at__isnull=True,
            expires_at__gt=now,
        )
        .select_related("candidate")
        .first()
    )


@transaction.atomic
def redeem(*, hashed: str, now: datetime | None = None) -> Candidate | None:
    """Spends the token with this hash; returns its candidate, or None if it is no longer
    usable (used meanwhile, expired, or erased with its candidate). One use only, even
    under concurrent requests (the row is locked)."""
    now = now or timezone.now()
    row = (
        PortalToken.objects.select_for_update()
        .filter(token_hash=hashed, used_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if row is None:
        return None
    row.used_at = now
    row.save(update_fields=["used_at"])
    return Candidate.objects.get(pk=row.candidate_id)


def _candidate_for(subject_ref: UUID | None) -> Candidate | None:
    if subject_ref is None:
        return None
    candidate = Candidate.objects.filter(pk=subject_ref).first()
    if candidate is not None:
        return candidate
    application = Application.objects.select_related("candidate").filter(pk=subject_ref).first()
    return application.candidate if application else None


def _mint(subject_ref: UUID | None, *, purpose: str, url_name: str) -> str:
    candidate = _candidate_for(subject_ref)
    if candidate is None:
        # Erased meanwhile: the link still leads somewhere sensible, and opens nothing.
        return settings.PUBLIC_URL + reverse("privacy:request_link")
    token = issue_token(candidate=candidate, purpose=purpose)
    return settings.PUBLIC_URL + reverse(url_name, kwargs={"token": token})


def mint_access_link(*, subject_ref: UUID | None) -> str:
    """A new one-time portal link for the candidate an email is about (an application or
    candidate id). Called by the outbox at delivery. Side effect: one token row."""
    return _mint(subject_ref, purpose=PortalToken.Purpose.ACCESS, url_name="privacy:access")


def mint_renewal_link(*, subject_ref: UUID | None) -> str:
    """Like `mint_access_link`, for a link that opens the portal at the consent renewal."""
    return _mint(subject_ref, purpose=PortalToken.Purpose.RENEWAL, url_name="privacy:renew")


def _link_request_key(request_id: str) -> str:
    return f"portal-link-request:{request_id}"


def request_access_link(*, email: str, language: str) -> bool:
    """Asks a worker to email a portal link to `email` if we hold data for that address.

    Does exactly the same for every address, known or not, so the request's timing tells
    nothing: no query, one cache entry (the address, under a random id, expiring after
    LINK_REQUEST_SECONDS), one broker message carrying only that id. The worker's
    `send_requested_link` deletes the entry. Returns False (and logs, without the address)
    if the cache or the broker is unreachable: the visitor may ask again. Each call is a
    new request.
    """
    request_id = uuid.uuid4().hex
    key = _link_request_key(request_id)
    cache = caches["default"]
    try:
        cache.set(
            key,
            {"email": normalise_email(email), "language": language},
            timeout=LINK_REQUEST_SECONDS,
        )
    except Exception as exc:
        # Cache clients raise many kinds of error (redis-py, socket, pool state).
        logger.warning("portal link request not kept (%s)", type(exc).__name__)
        return False
    if not enqueue.send(SEND_LINK_TASK, request_id):
        with contextlib.suppress(Exception):
            cache.delete(key)  # nobody will come for the address: do not keep it
        return False
    return True


def send_requested_link(*, request_id: str) -> bool:
    """Emails the portal link a visitor asked for (`request_access_link`) if the address
    they typed is known, and deletes the address from the cache. Returns whether an email
    was queued.

    Safe to run twice or concurrently: the entry's deletion is the claim, made inside the
    transaction that writes the email, so one run sends and the others roll back; a missing
    entry (expired, or already sent) is a no-op. A database error leaves the entry for a retry.
    """
    key = _link_request_key(request_id)
    cache = caches["default"]
    pending = cache.get(key)
    if not isinstance(pending, dict):
        return False
    with transaction.atomic():
        sent = send_access_link(email=pending["email"], language=pending["language"])
        if not cache.delete(key):  # another run claimed it meanwhile
            transaction.set_rollback(True)
            return False
    return sent


def send_access_link(*, email: str, language: str) -> bool:
    """Emails a portal link to `email` if we hold data for that address. Returns whether
    one was queued; the caller must not tell the visitor (no enumeration). Called by a
    worker (`send_requested_link`): on a request its timing would tell who applied.

    Side effect: at most one outbox email (about the candidate, purged with them).
    """
    candidate = Candidate.objects.filter(email=normalise_email(email)).first()
    if candidate is None:
        return False
    queue_email(
        to=candidate.email,
        template="rights/emails/portal_link",
        context={"full_name": candidate.full_name},
        language=language,
        subject_ref=candidate.pk,
        personal_link="portal-access",
    )
    logger.info("portal link queued for candidate %s", candidate.pk)
    return True
