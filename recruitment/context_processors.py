"""Template context shared by every page."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


def controller(request: HttpRequest) -> dict[str, Any]:
    """The data controller's identity: shown in every page footer (PRIVACY.md P19)."""
    return {"controller": settings.CONTROLLER}


# Pages whose address carries a one-time token: the switcher must not copy it into the page,
# and every variant of their 404 must stay byte-for-byte the same (see portal_access).
_TOKEN_VIEWS = {"privacy:access", "privacy:renew"}


def language_switch(request: HttpRequest) -> dict[str, Any]:
    """Where the language switcher returns to: this page, except a page with a token in its
    address (the portal's link request page instead) or one no URL matched (the home page)."""
    match = request.resolver_match
    if match is None:
        return {"language_next": "/"}
    if match.view_name in _TOKEN_VIEWS:
        return {"language_next": reverse("privacy:request_link")}
    return {"language_next": request.get_full_path()}
