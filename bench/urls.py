"""The product's URLs plus the benchmarks' baselines: a view that only streams the uploaded
CV to the same bucket (apply), and a bare staff page (pages). Mounted only by
bench/settings.py and by the pages benchmark, never by the product."""

from typing import IO, cast

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ats.urls import handler404, handler500
from ats.urls import urlpatterns as product_urlpatterns
from recruitment.cvs import storage
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


urlpatterns = [
    path("bench/upload-limit", upload_limit),
    # Under staff/ like the real pages, so whatever guards that prefix guards it too.
    path("staff/bench/bare", bare_staff_page, name="bench_bare_staff_page"),
    *product_urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]
