"""What every staff view shares: login, scoping, the acting user, no caching."""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from uuid import UUID

from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme

from ats.client_address import client_ip
from recruitment import access
from recruitment.access import Actor, is_staff_member
from recruitment.models import Application, Posting

View = Callable[..., HttpResponseBase]


def staff_view(view: View) -> View:
    """Login required (else the login page); non-staff accounts get 404 (default deny).

    Every staff page shows personal data, so none may be cached anywhere.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff_member(request.user):
            raise Http404
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapper


def actor_from(request: HttpRequest) -> Actor:
    # Only called behind staff_view, so the user is an authenticated account.
    return Actor(user=cast(User, request.user), client_ip=client_ip(request))


def safe_next(request: HttpRequest) -> str:
    """The same-site path in POST "next" to return to, or "" (no open redirects)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


# A valid UUID no object has: reversed in place of the real ones, then replaced.
_PLACEHOLDER_UUID = UUID(int=0)


def uuid_url(viewname: str) -> Callable[[UUID], str]:
    """`reverse(viewname, kwargs={"pk": pk})` for many objects at the price of one reverse():
    the URL is reversed once around a placeholder UUID, which each call replaces (a UUID
    needs no quoting in a path). The board links each of up to 70 cards twice, and reverse()
    was a third of the cards' rendering (bench/pages.py). No side effects."""
    pattern = reverse(viewname, kwargs={"pk": _PLACEHOLDER_UUID})
    placeholder = str(_PLACEHOLDER_UUID)

    def url(pk: UUID) -> str:
        return pattern.replace(placeholder, str(pk))

    return url


def managed_posting(request: HttpRequest, pk: int) -> Posting:
    """A posting the user can see (else 404) and manage (else 403): its recruiters and
    admins, for every page that changes a posting or records its applications."""
    posting = get_object_or_404(access.postings_visible_to(request.user), pk=pk)
    if not access.can_manage_posting(request.user, posting):
        raise PermissionDenied
    return posting


def deciding_application(request: HttpRequest, pk: Any) -> Application:
    """An application the user can see (else 404) and decide on (else 403): its posting's
    recruiters, hiring managers and admins, for every page that changes it, arranges an
    interview or writes to the candidate. With its posting and candidate."""
    application = get_object_or_404(
        access.applications_visible_to(request.user).select_related("posting", "candidate"), pk=pk
    )
    if not access.can_decide(request.user, application.posting):
        raise PermissionDenied
    return application
