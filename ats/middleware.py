"""Project-wide request guards."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


class RequestBodyLimitMiddleware:
    """Refuses a request whose declared body is larger than MAX_REQUEST_BYTES, before reading it.

    Django would otherwise stream the whole upload to a temporary file before any view could
    say no. A client that lies about Content-Length is caught later, per file, by
    `recruitment.uploads.SizeCappedUploadHandler`. No side effects.
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
