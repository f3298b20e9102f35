"""Staff sessions end after idle time and after an absolute time; a password change ends the
person's other sessions (issue 17). Time is moved by patching `django.utils.timezone.now`,
which the limits read."""

from datetime import datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.factories import UserFactory
from tests.signin import sign_in as sign_in_with_both_factors

pytestmark = pytest.mark.django_db

HOME = reverse("staff:home")
PASSWORD = "correct horse battery staple"


def sign_in(client: Client, user: Any) -> None:
    cache.clear()  # the same code twice within its 30 seconds is refused as a replay
    response = sign_in_with_both_factors(client, user.username)
    assert response.status_code == 302


def visit(client: Client, at: datetime, path: str = HOME) -> Any:
    with mock.patch("django.utils.timezone.now", return_value=at):
        return client.get(path)


def signed_in(response: Any) -> bool:
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    return False


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(gaps=st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=6))
def test_a_session_lasts_while_no_gap_exceeds_the_idle_time_nor_the_whole_the_absolute_one(
    gaps: list[int], settings: Any
) -> None:
    settings.STAFF_IDLE_MINUTES = 30
    settings.STAFF_SESSION_HOURS = 2
    user = UserFactory.create(is_superuser=True)
    client = Client()
    start = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=start):
        sign_in(client, user)

    at = start
    expected = True
    for gap in gaps:
        at += timedelta(minutes=gap)
        expected = expected and gap <= 30 and at - start <= timedelta(hours=2)
        assert signed_in(visit(client, at)) == expected, (gaps, gap)


def test_an_idle_session_ends_and_the_login_page_says_why(client: Client) -> None:
    user = UserFactory.create(is_superuser=True)
    start = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=start):
        sign_in(client, user)

    later = start + timedelta(minutes=settings.STAFF_IDLE_MINUTES + 1)
    response = visit(client, later)
    page = visit(client, later, response["Location"])

    assert not signed_in(response)
    assert "signed out after 30 minutes without activity" in page.content.decode()
    # The admin is covered too: the session is gone.
    assert visit(client, later, "/admin/").status_code == 302


def test_an_active_session_still_ends_at_the_absolute_limit(client: Client) -> None:
    user = UserFactory.create(is_superuser=True)
    start = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=start):
        sign_in(client, user)

    at = start
    while at - start < timedelta(hours=settings.STAFF_SESSION_HOURS):
        assert signed_in(visit(client, at))
        at += timedelta(minutes=20)
    assert not signed_in(visit(client, at + timedelta(minutes=1)))


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one() -> None:
    user = UserFactory.create(is_superuser=True)
    here, elsewhere = Client(), Client()
    sign_in(here, user)
    sign_in(elsewhere, user)

    response = here.post(
        reverse("staff:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a new and long passphrase 2026",
            "new_password2": "a new and long passphrase 2026",
        },
    )

    assert response.status_code == 302
    assert here.get(HOME).status_code == 200
    assert not signed_in(elsewhere.get(HOME))
