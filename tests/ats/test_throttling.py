"""Rate-limit counters (ats.throttling) on the real Redis cache and on the others."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.http import HttpRequest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from ats import throttling
from ats.client_address import client_network
from tools import devstack


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


# --- Who counts as one client -----------------------------------------------------------------


# Address -> the client it identifies.
CLIENTS = {
    "192.0.2.10": "192.0.2.10",  # IPv4: each address is a client
    "2001:db8:1:2:aaaa:bbbb:cccc:dddd": "2001:db8:1:2::",  # IPv6: the /64
    "2001:DB8:1:2::1": "2001:db8:1:2::",
    "fe80::1%eth0": "fe80::",  # a zone id names an interface, not a client
    "::ffff:192.0.2.10": "192.0.2.10",  # IPv4-mapped (a dual-stack socket): the IPv4 client
    "not an address": "not an address",
    "": "",
}


def test_a_client_is_an_ipv4_address_or_an_ipv6_slash_64() -> None:
    assert {address: client_network(address) for address in CLIENTS} == CLIENTS


def request_from(address: str) -> HttpRequest:
    return RequestFactory(REMOTE_ADDR=address).post("/")


def test_every_address_of_one_ipv6_slash_64_shares_one_window() -> None:
    hits = [
        throttling.hit("test", request_from(f"2001:db8:1:2::{n:x}"), rate="3/60")[0]
        for n in range(1, 5)
    ]
    assert hits == [True, True, True, False]
    assert throttling.hit("test", request_from("2001:db8:1:3::1"), rate="3/60")[0], (
        "the next /64 is another client"
    )


def test_ipv4_addresses_count_separately_and_mapped_ones_as_themselves() -> None:
    assert throttling.hit("test", request_from("192.0.2.1"), rate="1/60")[0]
    assert not throttling.hit("test", request_from("::ffff:192.0.2.1"), rate="1/60")[0]
    assert throttling.hit("test", request_from("192.0.2.2"), rate="1/60")[0]


@pytest.mark.django_db
def test_the_portal_link_limit_holds_for_a_client_changing_its_ipv6_address(
    settings: Any,
) -> None:
    settings.PORTAL_LINK_RATE_LIMIT = "2/3600"
    statuses = [
        Client(REMOTE_ADDR=f"2001:db8:77:1:{n}::{n}")
        .post(reverse("privacy:request_link"), {"email": f"someone-{n}@example.com"})
        .status_code
        for n in range(1, 4)
    ]
    assert statuses == [200, 200, 429]


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_forwarded_ipv6_address_is_keyed_on_its_slash_64(
    settings: Any,
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PORTAL_TOKEN_RATE_LIMIT = "2/600"
    statuses = [
        Client(HTTP_X_FORWARDED_FOR=f"2001:db8:5:6::{n}")
        .get(f"/privacy/access/{'x' * 43}/")
        .status_code
        for n in range(1, 4)
    ]
    assert statuses == [404, 404, 429]
