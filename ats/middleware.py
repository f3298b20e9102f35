"""Project-wide request guards."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

# Session keys (epoch seconds): when the person signed in, and when they were last active.
SIGNED_IN_AT = "staff_signed_in_at"
ACTIVE_AT = "staff_active_at"
# Activity is written back at most this often, not on every request (each write is a
# session save).
ACTIVITY_RESOLUTION_SECONDS = 60


class RequestBodyLimitMiddleware:
    """Refuses a request whose declared body is larger than MAX_REQUEST_BYTES, before reading it.

    Django would otherwise stream the whole upload to a temporary file before any view could
    say no. A client that lies about Content-Length is caught later, per file, by
    `recruitment.cvs.checks.SizeCappedUploadHandler`. No side effects.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.MAX_REQUEST_BYTES:
            body = render_to_string(
                "errors/413.html",
                {"max_megabytes": settings.CV_MAX_BYTES // (1024 * 1024)},
                request=request,
            )
            response = HttpResponse(body, status=413)
            # The unread body is still on the wire; the connection cannot be reused.
            response["Connection"] = "close"
            return response
        return self.get_response(request)


def start_session_clocks(request: HttpRequest | None, **_kwargs: object) -> None:
    """Receiver of `user_logged_in` (connected in recruitment.apps): both clocks of the new
    session start at the sign-in, written with the session the login saves anyway."""
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[SIGNED_IN_AT] = request.session[ACTIVE_AT] = now


class StaffSessionLimitsMiddleware:
    """Signs a person out STAFF_IDLE_MINUTES after their last request, or STAFF_SESSION_HOURS
    after they signed in, whichever comes first; the next page then asks them to sign in
    again, and says why. Covers every signed-in session: the workspace and the admin.

    Written here rather than taken from a package: the ones that do this
    (django-session-timeout, django-auto-logout, django-session-idle-timeout) are small and
    no longer kept up, and this is a few lines on Django's own session and logout.
    Side effects: two timestamps in the session (the activity one rewritten at most once a
    minute); a logout (which flushes the session) when a limit has passed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._enforce(request, timezone.now().timestamp())
        return self.get_response(request)

    def _enforce(self, request: HttpRequest, now: float) -> None:
        session = request.session
        signed_in_at = session.get(SIGNED_IN_AT)
        active_at = session.get(ACTIVE_AT)
        if signed_in_at is None or active_at is None:
            # A session from before these limits: its clocks start now.
            session[SIGNED_IN_AT] = session[ACTIVE_AT] = now
            return
        idle = now - active_at > settings.STAFF_IDLE_MINUTES * 60
        too_long = now - signed_in_at > settings.STAFF_SESSION_HOURS * 3600
        if idle or too_long:
            logout(request)
            messages.info(
                request,
                _("You were signed out after %(minutes)d minutes without activity.")
                % {"minutes": settings.STAFF_IDLE_MINUTES}
                if idle
                else _("You were signed out %(hours)d hours after signing in.")
                % {"hours": settings.STAFF_SESSION_HOURS},
            )
        elif now - active_at >= ACTIVITY_RESOLUTION_SECONDS:
            session[ACTIVE_AT] = now
