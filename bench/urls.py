"""The product's URLs plus the benchmarks' baselines: a view that only streams the uploaded
CV to the same bucket (apply), a bare staff page (pages) and a bare primary-key page (pool).
Mounted only by bench/settings.py and by the page benchmarks, never by the product."""

from typing import IO, cast

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template import engines
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ats.urls import handler404, handler500
from ats.urls import urlpatterns as product_urlpatterns
from recruitment.cvs import storage
from recruitment.models import Posting
from recruitment.staff import staff_view


@csrf_exempt
@require_POST
def upload_limit(request: HttpRequest) -> HttpResponse:
    """What an application cannot beat: receive the multipart upload, stream it to storage."""
    cv = request.FILES["cv"]
    if not isinstance(cv, UploadedFile):
        return HttpResponse(status=400)
    storage.put_cv(cast(IO[bytes], cv), content_type="application/pdf")
    return HttpResponse(status=204)


@staff_view
@require_GET
def bare_staff_page(request: HttpRequest) -> HttpResponse:
    """What no staff page can beat: the staff views' decorators and the staff base template
    (navigation, language switcher, messages) around no data, and no audit row."""
    return render(request, "staff/base.html", {})


PRIMARY_KEY_PAGE = engines["django"].from_string(
    '{% extends "staff/base.html" %}{% block content %}<h1>{{ posting.title }}</h1>{% endblock %}'
)


@staff_view
@require_GET
def bare_primary_key_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The bare staff page around one row looked up by its primary key (a posting's title):
    the page a search is compared with in the issue's words, "a bare primary-key page"."""
    posting = get_object_or_404(Posting.objects.only("title"), pk=pk)
    return HttpResponse(PRIMARY_KEY_PAGE.render({"posting": posting}, request))


urlpatterns = [
    path("bench/upload-limit", upload_limit),
    # Under staff/ like the real pages, so whatever guards that prefix guards it too.
    path("staff/bench/bare", bare_staff_page, name="bench_bare_staff_page"),
    path("staff/bench/bare/<int:pk>", bare_primary_key_page, name="bench_bare_primary_key_page"),
    *product_urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]
