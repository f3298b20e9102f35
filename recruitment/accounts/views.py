"""Account pages that are not allauth's own: the admin's login, and what is switched off."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin signs in on the staff sign-in page (password, then second factor); Django
    admin's own form would sign in with the password alone."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("admin:index")
    return redirect_to_login(target)


def not_offered(request: HttpRequest, **kwargs: object) -> HttpResponse:
    """allauth pages this workspace does not offer: admins create accounts and set
    passwords (no sign-up, no password reset by email, no extra email addresses)."""
    raise Http404
