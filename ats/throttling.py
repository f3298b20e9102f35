"""Per-client rate limits for public forms, kept in the cache (Redis in production)."""

import hashlib
import logging

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

from ats.client_address import client_ip, client_network

logger = logging.getLogger(__name__)


def parse_rate(rate: str) -> tuple[int, int]:
    """ "count/seconds" -> (count, seconds)."""
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds)


def hit(scope: str, request: HttpRequest, *, rate: str) -> tuple[bool, int]:
    """Counts one attempt for this client; returns (allowed, retry_after_seconds).

    Fixed window per client: one IPv4 address, or one IPv6 /64 (any address in it counts
    against the same window; see `client_network`). The address is hashed with the secret
    key so the cache holds no IP address. If the cache is unreachable the request is allowed
    (logged): a broken Redis must not stop candidates from applying.
    """
    return hit_identity(scope, client_network(client_ip(request)), rate=rate)


def hit_identity(scope: str, identity: str, *, rate: str) -> tuple[bool, int]:
    """`hit` for any identity (e.g. an email address): hashed with the secret key, so the
    cache holds neither addresses nor IPs. Same window and failure rules."""
    limit, window = parse_rate(rate)
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{identity}".encode()).hexdigest()
    key = f"ratelimit:{scope}:{digest[:32]}"
    try:
        count = _count(key, window)
    except Exception as exc:  # any cache failure: fail open, see docstring
        logger.warning("rate limit cache unavailable (%s); allowing", type(exc).__name__)
        return True, 0
    return count <= limit, window


def _count(key: str, window: int) -> int:
    """Adds one to the window's counter (created with the window's expiry) and returns it."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # One round trip instead of the three of add + incr (which checks existence first):
        # this runs on every submission of the public forms.
        full_key = backend.make_and_validate_key(key)
        # The backend's own connection pool; Django exposes it only as `_cache`.
        client = backend._cache.get_client(full_key, write=True)  # type: ignore[attr-defined]
        pipeline = client.pipeline()
        pipeline.set(full_key, 0, ex=window, nx=True)
        pipeline.incr(full_key)
        return int(pipeline.execute()[1])
    try:
        backend.add(key, 0, timeout=window)
        return int(backend.incr(key))
    except ValueError:
        # The key expired between add and incr: this is the first hit of a new window.
        backend.set(key, 1, timeout=window)
        return 1
