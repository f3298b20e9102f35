"""Every staff sign-in needs a second factor before any personal data is shown (issue 17).

Signing in is django-allauth's (password, then a TOTP code or a security key, then whether
to trust the browser); `recruitment.accounts` makes it compulsory for /staff/ and /admin/,
counts wrong codes in django-axes' lockout, and lets an admin reset a colleague's factor.
"""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from recruitment.access import Actor
from recruitment.accounts import services
from recruitment.accounts.codes import current_code, lasting_code
from recruitment.accounts.services import ResetRefused, reset_second_factor
from recruitment.models import AccessEvent
from tests.factories import TEST_TOTP_SECRET, ApplicationFactory, MembershipFactory, UserFactory
from tests.signin import (
    PASSWORD,
    answer_trust,
    enter_code,
    sign_in,
    sign_in_with_password,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
HOME = reverse("staff:home")
LOGIN = reverse("account_login")
ACTIVATE = reverse("mfa_activate_totp")


def staff_pages(application: Any) -> list[str]:
    """Pages that show a candidate's data to someone allowed to see it."""
    posting = application.posting
    return [
        HOME,
        reverse("staff:pipeline", kwargs={"pk": posting.pk}),
        reverse("staff:application", kwargs={"pk": application.pk}),
        reverse("staff:retention"),
        reverse("staff:requests"),
        reverse("staff:audit_log"),
        reverse("admin:index"),
        reverse("admin:recruitment_application_changelist"),
        reverse("admin:recruitment_application_change", args=[application.pk]),
    ]


def shows_personal_data(response: Any, application: Any) -> bool:
    page = response.content.decode(errors="replace")
    candidate = application.candidate
    return candidate.full_name in page or candidate.email in page


# --- Password alone shows nothing -------------------------------------------------------------


def test_a_password_alone_reaches_no_page_and_no_personal_data(client: Client) -> None:
    # Given an admin (who may see everything) with a second factor
    admin = UserFactory.create(is_superuser=True)
    application = ApplicationFactory.create()
    # When they give only the password
    response = sign_in_with_password(client, admin.username)
    # Then they are asked for the code, and every page sends them to sign in
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    for path in staff_pages(application):
        page = client.get(path, follow=True)
        # (to the sign-in page, which sends one half-way through it on to the code)
        assert page.redirect_chain, path
        assert page.request["PATH_INFO"] in {LOGIN, reverse("mfa_authenticate")}, path
        assert not shows_personal_data(page, application)


def test_without_a_second_factor_every_page_leads_to_setting_one_up(client: Client) -> None:
    # Given an admin whose account has no second factor yet (a new account)
    admin = UserFactory.create(is_superuser=True, second_factor=False)
    application = ApplicationFactory.create()
    # When they sign in with the password
    response = sign_in_with_password(client, admin.username)
    # Then they are signed in only as far as setting one up: nothing else opens
    assert response.status_code == 302
    for path in staff_pages(application):
        page = client.get(path)
        assert page.status_code == 302 and page["Location"] == ACTIVATE, path
        assert not shows_personal_data(page, application)
    setup = client.get(ACTIVATE)
    assert setup.status_code == 200
    # The navigation offers nothing but signing out until the factor is set up
    assert reverse("staff:retention") not in setup.content.decode()


def test_a_session_signed_in_before_the_second_factor_is_sent_to_sign_in_again(
    client: Client,
) -> None:
    # A session that no factor verified (made before this requirement, or by another login
    # path) of someone who has a factor: signed out, asked to sign in again.
    user = UserFactory.create()
    client.force_login(user)
    session = client.session
    session.pop("staff_second_factor")
    session.save()
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


# --- Enrolment at first sign-in ---------------------------------------------------------------


# allauth announces a new factor once its transaction commits: these run as in production.
@pytest.mark.django_db(transaction=True)
def test_first_sign_in_sets_up_an_authenticator_app_then_shows_recovery_codes_once(
    client: Client,
) -> None:
    # Given a new staff account, signed in with its password
    user = UserFactory.create(second_factor=False)
    sign_in_with_password(client, user.username)
    assert client.get(HOME)["Location"] == ACTIVATE

    # The setup page shows the QR code and the secret as text
    page = client.get(ACTIVATE)
    secret = client.session["mfa.totp.secret"]
    html = page.content.decode()
    assert "<svg" in html and secret in html

    # A wrong code sets up nothing
    wrong = client.post(ACTIVATE, {"code": "000000" if current_code(secret) != "000000" else "1"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=user).exists()

    # The right code sets it up; the session counts as verified by it
    done = client.post(ACTIVATE, {"code": lasting_code(secret, for_at_least=2)})
    assert done.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(HOME).status_code == 200

    # Recovery codes are made with it, shown once
    codes_url = reverse("mfa_view_recovery_codes")
    first = client.get(codes_url)
    assert first.status_code == 200
    codes = first.context["unused_codes"]
    assert len(codes) == 10 and all(code in first.content.decode() for code in codes)
    again = client.get(codes_url).content.decode()
    assert not any(code in again for code in codes)


@pytest.mark.django_db(transaction=True)
def test_a_recovery_code_stands_in_for_the_app_once(client: Client) -> None:
    user = UserFactory.create(second_factor=False)
    sign_in_with_password(client, user.username)
    client.get(ACTIVATE)
    client.post(ACTIVATE, {"code": lasting_code(client.session["mfa.totp.secret"], for_at_least=2)})
    code = client.get(reverse("mfa_view_recovery_codes")).context["unused_codes"][0]
    client.post(reverse("account_logout"))

    # Signing in with a recovery code instead of the app's code works
    sign_in_with_password(client, user.username)
    response = enter_code(client, code)
    assert response.status_code == 302
    if response["Location"] == reverse("mfa_trust"):
        answer_trust(client)
    assert client.get(HOME).status_code == 200
    client.post(reverse("account_logout"))

    # ...but only once
    sign_in_with_password(client, user.username)
    assert enter_code(client, code).status_code == 200  # the form again, with an error
    assert client.get(HOME).status_code == 302


# --- Lockout covers the second factor ---------------------------------------------------------


def test_wrong_codes_lock_the_account_like_wrong_passwords(client: Client, settings: Any) -> None:
    # Given someone who knows the password (stolen) but not the code
    user = UserFactory.create()
    sign_in_with_password(client, user.username)
    # When they guess codes until the limit
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert enter_code(client, "123456").status_code == 200
    locked = enter_code(client, "123456")
    # Then the account is locked: the right code is refused too, and so is the password
    assert locked.status_code == 429
    assert enter_code(client).status_code == 429
    assert client.get(HOME).status_code == 302
    fresh = Client()
    assert sign_in_with_password(fresh, user.username).status_code == 429


def test_the_right_code_before_the_limit_signs_in(client: Client, settings: Any) -> None:
    user = UserFactory.create()
    sign_in_with_password(client, user.username)
    for _ in range(settings.AXES_FAILURE_LIMIT - 2):
        enter_code(client, "123456")
    response = enter_code(client)
    assert response.status_code == 302
    answer_trust(client)
    assert client.get(HOME).status_code == 200


# --- Trusted browsers -------------------------------------------------------------------------


def test_a_trusted_browser_skips_the_code_for_the_configured_days_at_most(
    client: Client, settings: Any
) -> None:
    user = UserFactory.create()
    first = sign_in_with_password(client, user.username)
    assert first["Location"] == reverse("mfa_authenticate")
    enter_code(client)
    trusted = answer_trust(client, trust=True)
    cookie = trusted.cookies[mfa_settings.TRUST_COOKIE_NAME]
    days = settings.STAFF_TRUSTED_BROWSER_DAYS
    assert 0 < int(cookie["max-age"]) <= days * 86400
    assert cookie["httponly"]
    client.post(reverse("account_logout"))

    # Next time on this browser: the password is enough, and the session counts as verified
    again = sign_in_with_password(client, user.username)
    assert again.status_code == 302 and again["Location"] == HOME
    assert client.get(HOME).status_code == 200

    # Another browser still needs the code
    other = Client()
    assert sign_in_with_password(other, user.username)["Location"] == reverse("mfa_authenticate")


@pytest.mark.parametrize("days", ["-1", "31"])
def test_trusted_browser_days_out_of_range_are_refused_at_start(days: str) -> None:
    result = load_settings({"ATS_STAFF_TRUSTED_BROWSER_DAYS": days})
    assert result.returncode != 0
    assert "ATS_STAFF_TRUSTED_BROWSER_DAYS" in result.stderr


# --- An admin resets a colleague's second factor ----------------------------------------------


def test_an_admin_reset_is_audited_ends_every_session_and_asks_for_a_new_factor(
    client: Client,
) -> None:
    # Given a colleague signed in on two browsers
    admin = UserFactory.create(is_superuser=True)
    colleague = UserFactory.create()
    browsers = [Client(), Client()]
    for n, browser in enumerate(browsers):
        cache.clear()  # the same code twice in 30 seconds is refused as a replay
        sign_in(browser, colleague.username)
        assert browser.get(HOME).status_code == 200, n

    # When an admin resets their second factor from the user list
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_second_factors", "_selected_action": [colleague.pk]},
    )
    assert response.status_code == 302

    # Then it is in the audit log, with who did it to whom
    event = AccessEvent.objects.get(action=AccessEvent.Action.RESET_SECOND_FACTOR)
    assert (event.actor_username, event.subject_username) == (admin.username, colleague.username)
    assert not Authenticator.objects.filter(user=colleague).exists()
    # Every session of theirs ends at its next request
    for browser in browsers:
        page = browser.get(HOME)
        assert page.status_code == 302 and page["Location"].startswith(LOGIN)
    # And signing in again leads to setting up a new factor
    fresh = Client()
    sign_in_with_password(fresh, colleague.username)
    assert fresh.get(HOME)["Location"] == ACTIVATE


def test_only_admins_may_reset_and_not_their_own(client: Client) -> None:
    admin = UserFactory.create(is_superuser=True)
    with pytest.raises(ResetRefused):
        reset_second_factor(actor=Actor(user=admin), user=admin)
    assert Authenticator.objects.filter(user=admin).exists()

    # Staff who may edit users in the admin, but are not admins, do not get the action
    editor = UserFactory.create()
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    target = UserFactory.create()
    client.force_login(editor)
    page = client.get(reverse("admin:auth_user_changelist"))
    assert page.status_code == 200
    assert "reset_second_factors" not in page.content.decode()
    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_second_factors", "_selected_action": [target.pk]},
    )
    assert Authenticator.objects.filter(user=target).exists()
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.RESET_SECOND_FACTOR).exists()


def test_removing_the_factor_that_verified_a_session_ends_it(client: Client) -> None:
    # A person revoking a lost key ends the sessions it opened (here: the app's factor).
    user = UserFactory.create()
    sign_in(client, user.username)
    assert client.get(HOME).status_code == 200
    Authenticator.objects.filter(user=user).delete()
    assert client.get(HOME)["Location"].startswith(LOGIN)


def test_the_admin_has_no_unaudited_page_to_delete_factors() -> None:
    from django.contrib import admin

    assert not admin.site.is_registered(Authenticator)


# --- The admin signs in on the staff page -----------------------------------------------------


def test_the_admin_login_page_sends_to_the_staff_sign_in_with_where_to_go_back(
    client: Client,
) -> None:
    response = client.get(reverse("admin:login"), {"next": "/admin/auth/user/"})
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/admin/auth/user/"
    outside = client.get(reverse("admin:login"), {"next": "https://evil.example/"})
    assert outside["Location"] == f"{LOGIN}?next=/admin/"
    # Posting a password to it signs nobody in
    admin = UserFactory.create(is_superuser=True)
    client.post(reverse("admin:login"), {"username": admin.username, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "name", ["account_signup", "account_reset_password", "account_email", "account_set_password"]
)
def test_allauth_pages_a_staff_workspace_does_not_offer_answer_404(
    client: Client, name: str
) -> None:
    assert client.get(reverse(name)).status_code == 404
    client.force_login(UserFactory.create())
    assert client.get(reverse(name)).status_code == 404


# --- Secrets at rest, demo accounts, production -------------------------------------------------


def test_totp_secrets_are_encrypted_at_rest_and_survive_a_key_rotation(settings: Any) -> None:
    user = UserFactory.create()
    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]
    assert TEST_TOTP_SECRET not in stored
    assert decrypt(stored) == TEST_TOTP_SECRET
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "y" * 40
    assert decrypt(stored) == TEST_TOTP_SECRET


def test_enrolling_a_known_secret_is_idempotent_and_replaces_another() -> None:
    user = UserFactory.create()
    first = services.enrol_totp(user, TEST_TOTP_SECRET)
    assert services.enrol_totp(user, TEST_TOTP_SECRET).pk == first.pk
    replaced = services.enrol_totp(user, "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU")
    assert replaced.pk != first.pk
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).count() == 1


def test_demo_accounts_sign_in_with_the_code_demo_totp_prints(
    client: Client, settings: Any, capsys: Any
) -> None:
    settings.DEMO_MODE = True
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "demo_totp" in out
    call_command("demo_totp", "recruiter")
    code = capsys.readouterr().out.split()[0]
    sign_in_with_password(client, "recruiter", "demo-recruiter-2026")
    response = enter_code(client, code)
    assert response.status_code == 302
    answer_trust(client)
    assert client.get(HOME).status_code == 200


def test_demo_totp_refuses_outside_demo_mode_and_names_unknown_accounts(settings: Any) -> None:
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="ATS_DEMO_MODE"):
        call_command("demo_totp", "recruiter")
    settings.DEMO_MODE = True
    with pytest.raises(CommandError, match="No staff account"):
        call_command("demo_totp", "nobody")
    UserFactory.create(username="fresh", second_factor=False)
    with pytest.raises(CommandError, match="no authenticator app"):
        call_command("demo_totp", "fresh")


def load_settings(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Imports the settings in a fresh process with this environment (`manage.py check`
    would swallow a settings error and report no issues)."""
    environment = {
        **os.environ,
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "careers.example.com",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-c", "import ats.settings"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_production_settings_refuse_demo_mode() -> None:
    refused = load_settings({"DJANGO_HTTPS": "true", "ATS_DEMO_MODE": "true"})
    assert refused.returncode != 0 and "ATS_DEMO_MODE" in refused.stderr
    assert load_settings({"DJANGO_HTTPS": "false", "ATS_DEMO_MODE": "true"}).returncode == 0


def test_every_membership_role_needs_the_second_factor(client: Client) -> None:
    # The requirement is not a role's: an interviewer without one reaches nothing either.
    membership = MembershipFactory.create(
        role="interviewer", user=UserFactory.create(second_factor=False)
    )
    sign_in_with_password(client, membership.user.username)
    pipeline = reverse("staff:pipeline", kwargs={"pk": membership.posting.pk})
    assert client.get(pipeline)["Location"] == ACTIVATE


def test_allauths_own_messages_are_in_every_language_bosnian_too(
    client: Client, settings: Any
) -> None:
    # allauth ships no Bosnian: its messages that staff meet are in the project's catalogues.
    user = UserFactory.create()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "bs"
    sign_in_with_password(client, user.username)
    page = enter_code(client, "000000" if current_code(TEST_TOTP_SECRET) != "000000" else "1")
    assert "Pogrešan kod." in page.content.decode()
