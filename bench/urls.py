"""The product's URLs plus the apply benchmark's baseline: a view that only streams the
uploaded CV to the same bucket. Mounted only by bench/settings.py, never by the product."""

from typing import IO, cast

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ats.urls import handler404, handler500
from ats.urls import urlpatterns as product_urlpatterns
from recruitment import storage


@csrf_exempt
@require_POST
def upload_limit(request: HttpRequest) -> HttpResponse:
    """What an application cannot beat: receive the multipart upload, stream it to storage."""
    cv = request.FILES["cv"]
    if not isinstance(cv, UploadedFile):
        return HttpResponse(status=400)
    storage.put_cv(cast(IO[bytes], cv), content_type="application/pdf")
    return HttpResponse(status=204)


urlpatterns = [path("bench/upload-limit", upload_limit), *product_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
