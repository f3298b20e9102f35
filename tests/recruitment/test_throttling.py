"""Rate-limit counters (recruitment.throttling) on the real Redis cache and on the others."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.test import override_settings

from ats import devstack
from recruitment import throttling


def test_counts_each_identity_separately_and_refuses_past_the_limit() -> None:
    hits = [throttling.hit_identity("test", "a@example.com", rate="3/60") for _ in range(4)]
    assert [allowed for allowed, _ in hits] == [True, True, True, False]
    assert hits[-1][1] == 60, "the refusal says when to retry"
    assert throttling.hit_identity("test", "b@example.com", rate="3/60") == (True, 60)


def test_on_redis_the_counter_expires_with_its_window_and_names_no_identity() -> None:
    throttling.hit_identity("test", "c@example.com", rate="3/60")
    throttling.hit_identity("test", "c@example.com", rate="3/60")
    backend = caches["default"]
    client = backend._cache.get_client(write=True)  # type: ignore[attr-defined]
    [key] = client.keys("*ratelimit:test:*")
    assert b"example.com" not in key
    assert int(client.get(key)) == 2
    assert 0 < client.ttl(key) <= 60, "a second hit does not extend the window"


@pytest.fixture
def local_memory_cache() -> Iterator[None]:
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem):
        caches["default"].clear()
        yield


def test_other_cache_backends_count_the_same_way(local_memory_cache: None) -> None:
    hits = [throttling.hit_identity("test", "d@example.com", rate="2/60")[0] for _ in range(3)]
    assert hits == [True, True, False]


def test_an_unreachable_cache_lets_the_request_through(caplog: Any) -> None:
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{devstack.free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    with override_settings(CACHES=dead):
        assert throttling.hit_identity("test", "e@example.com", rate="1/60") == (True, 0)
    assert "rate limit cache unavailable (ConnectionError)" in caplog.text
    assert "e@example.com" not in caplog.text
