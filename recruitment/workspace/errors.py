"""Error pages in the site's look, without leaking anything about the request."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from ats.request_id import current_request_id


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may be in a context processor or the database. The
    # page shows only the request's id, for the visitor to quote to support.
    body = render_to_string("errors/500.html", {"request_id": current_request_id()})
    return HttpResponse(body, status=500)
