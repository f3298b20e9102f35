"""No staff page, and no admin page, without a second factor."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from recruitment.accounts.verification import SESSION_KEY, has_second_factor, is_verified

GUARDED_PREFIXES = ("/staff/", "/admin/")
# Reachable signed in but not yet verified: signing out, and setting up a second factor
# (allauth asks for the password again before activation if the sign-in is not recent).
ENROLMENT_VIEWS = frozenset(
    {
        "account_logout",
        "account_login",
        "account_reauthenticate",
        "mfa_reauthenticate",
        "mfa_activate_totp",
        "mfa_add_webauthn",
    }
)


class SecondFactorMiddleware:
    """A signed-in person reaches /staff/ and /admin/ only in a session verified by a second
    factor (`verification.is_verified`).

    Someone who has none yet (a new account, or after an admin reset it) is sent to set one
    up and can reach nothing else; a session whose factor was removed since (an admin reset
    it, the person revoked a lost key), or that no factor verified although the person has
    one, is signed out and asked to sign in again. Public pages (careers, the candidates'
    privacy portal) are not affected. Side effects: a logout and a message in the second
    case; one or two queries per guarded request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        request.second_factor_verified = False  # type: ignore[attr-defined]
        if not request.user.is_authenticated or not request.path.startswith(GUARDED_PREFIXES):
            return None
        if is_verified(request):
            request.second_factor_verified = True  # type: ignore[attr-defined]
            return None
        match = request.resolver_match
        name = match.url_name if match else None
        if name in ENROLMENT_VIEWS:
            return None
        if request.session.get(SESSION_KEY) or has_second_factor(request.user):
            # Verified once by a factor since removed (reset, revoked), or never verified
            # though there is a factor: sign in again, with the factor there is now.
            logout(request)
            messages.info(request, _("Your second factor has changed. Please sign in again."))
            return redirect_to_login(request.get_full_path())
        messages.info(
            request,
            _("Set up a second factor to continue: every staff account needs one."),
        )
        return redirect("mfa_activate_totp")
