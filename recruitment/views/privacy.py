"""The public privacy notice for applicants, generated from configuration (PRIVACY.md P19)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def notice(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/notice.html",
        {
            "authority": settings.SUPERVISORY_AUTHORITY,
            "processors": settings.PROCESSORS,
            "consent_months": settings.TALENT_POOL_CONSENT_MONTHS,
            "consent_max_months": settings.TALENT_POOL_CONSENT_MAX_MONTHS,
            "deadline_days": settings.PRIVACY_REQUEST_DEADLINE_DAYS,
            "extension_days": settings.PRIVACY_REQUEST_EXTENSION_DAYS,
            "min_age": settings.APPLICANT_MIN_AGE,
        },
    )
