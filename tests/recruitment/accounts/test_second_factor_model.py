"""Which sessions reach the workspace, under any sequence of sign-ins, resets and new factors.

A model of one person's browsers against the real stack (test client, middleware, allauth,
PostgreSQL): a browser's session reaches /staff/ exactly when a factor that verified it
still exists; a signed-in session without one goes to set one up only while the person has
none; every other signed-in session is signed out at its next request. Hypothesis chooses
the order of signing in and out, admin resets, factors set up elsewhere, and visits.
"""

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from recruitment.access import Actor
from recruitment.accounts.codes import lasting_code
from recruitment.accounts.services import enrol_totp, reset_second_factor
from tests.factories import UserFactory
from tests.signin import PASSWORD, answer_trust, enter_code, sign_in_with_password

HOME = reverse("staff:home")
LOGIN = reverse("account_login")
ACTIVATE = reverse("mfa_activate_totp")
SECRETS = ("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU")
BROWSERS = 3
# A browser's state in the model: signed out, signed in without any factor, or verified by
# these authenticator ids.
OUT = "out"
UNENROLLED = "unenrolled"


class SecondFactorSessions(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.user: Any = UserFactory.create(second_factor=False)
        self.admin: Any = UserFactory.create(is_superuser=True)
        self.browsers = [Client() for _ in range(BROWSERS)]
        self.sessions: list[Any] = [OUT] * BROWSERS
        self.factor: int | None = None
        self.secret: str | None = None

    # --- What people do ---------------------------------------------------------------------

    @rule(n=st.integers(0, BROWSERS - 1))
    def sign_in(self, n: int) -> None:
        browser = self.browsers[n]
        browser.post(reverse("account_logout"))
        cache.clear()  # the same code twice within 30 seconds is refused as a replay
        first = sign_in_with_password(browser, self.user.username, PASSWORD)
        assert first.status_code == 302
        if self.factor is None:
            self.sessions[n] = UNENROLLED
            return
        assert first["Location"] == reverse("mfa_authenticate")
        assert self.secret is not None
        second = enter_code(browser, lasting_code(self.secret, for_at_least=1))
        assert second.status_code == 302
        answer_trust(browser)
        self.sessions[n] = frozenset({self.factor})

    @rule(n=st.integers(0, BROWSERS - 1))
    def sign_out(self, n: int) -> None:
        self.browsers[n].post(reverse("account_logout"))
        self.sessions[n] = OUT

    @rule(which=st.sampled_from(SECRETS))
    def set_up_a_factor_elsewhere(self, which: str) -> None:
        """The person (or the demo seeding) sets up an app outside these browsers: a
        different secret replaces the one there was."""
        authenticator = enrol_totp(self.user, which)
        self.factor, self.secret = authenticator.pk, which

    @rule()
    def admin_resets(self) -> None:
        reset_second_factor(actor=Actor(user=self.admin), user=self.user)
        self.factor = self.secret = None

    # --- What the system must do ------------------------------------------------------------

    @rule(n=st.integers(0, BROWSERS - 1))
    def visit(self, n: int) -> None:
        response = self.browsers[n].get(HOME)
        state = self.sessions[n]
        if state == OUT:
            assert response.status_code == 302 and response["Location"].startswith(LOGIN)
        elif state == UNENROLLED and self.factor is None:
            assert response.status_code == 302 and response["Location"] == ACTIVATE
        elif state not in (OUT, UNENROLLED) and self.factor in state:
            assert response.status_code == 200
        else:
            # Its factor is gone, or one appeared that did not verify it: signed out.
            assert response.status_code == 302 and response["Location"].startswith(LOGIN)
            self.sessions[n] = OUT

    @invariant()
    def the_database_holds_what_the_model_does(self) -> None:
        if not hasattr(self, "user"):
            return
        factors = list(
            Authenticator.objects.filter(user=self.user, type=Authenticator.Type.TOTP).values_list(
                "pk", flat=True
            )
        )
        assert factors == ([] if self.factor is None else [self.factor])


@pytest.mark.django_db
def test_a_session_reaches_the_workspace_exactly_while_a_factor_that_verified_it_exists() -> None:
    SecondFactorSessions.TestCase.settings = settings(
        max_examples=25,
        stateful_step_count=20,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    SecondFactorSessions.TestCase().runTest()
