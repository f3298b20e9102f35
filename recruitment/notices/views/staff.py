"""Versions of the privacy notice and of the consent text (PRIVACY.md P3, P19): both histories,
and publishing a new version of either. Privacy officers and admins only; everyone else gets
a 404 (default deny).

Publishing is append-only: nothing here changes or deletes a published version.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from recruitment import access
from recruitment.access import Actor
from recruitment.models import ConsentTextVersion, NoticeVersion
from recruitment.notices import selectors
from recruitment.notices import services as privacy_texts
from recruitment.notices.forms import PreviewForm, PublishConsentTextForm, PublishNoticeForm
from recruitment.staff import actor_from, staff_view

# Both forms share a page, and a field name: prefixes keep their ids apart.
NOTICE_PREFIX = "notice"
CONSENT_PREFIX = "consent"


def _require_privacy_officer(request: HttpRequest) -> None:
    # 404, not 403: for everyone else these pages do not exist.
    if not access.can_manage_retention(request.user):
        raise Http404


@staff_view
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    _require_privacy_officer(request)
    return _render_page(request)


@staff_view
@require_POST
def publish_notice(request: HttpRequest) -> HttpResponse:
    form = PublishNoticeForm(request.POST, prefix=NOTICE_PREFIX)
    return _publish(
        request,
        form,
        lambda data, by: privacy_texts.publish_notice(
            by=by, effective_at=data["effective_at"], change_summary=data["change_summary"]
        ),
        form_name="notice_form",
    )


@staff_view
@require_POST
def publish_consent_text(request: HttpRequest) -> HttpResponse:
    form = PublishConsentTextForm(request.POST, prefix=CONSENT_PREFIX)
    return _publish(
        request,
        form,
        lambda data, by: privacy_texts.publish_consent_text(
            by=by, effective_at=data["effective_at"], months=data["months"]
        ),
        form_name="consent_form",
    )


def _publish(
    request: HttpRequest,
    form: forms.Form,
    publish: Callable[[dict[str, Any], Actor], NoticeVersion | ConsentTextVersion],
    *,
    form_name: str,
) -> HttpResponse:
    """Publishes from a valid form and redirects to the page; otherwise (invalid input, or
    the service refused) shows the page again with the form's errors and writes nothing."""
    _require_privacy_officer(request)
    if form.is_valid():
        try:
            version = publish(form.cleaned_data, actor_from(request))
        except privacy_texts.PublishRefused as refused:
            form.add_error(None, str(refused.message))
        else:
            messages.success(request, _published(version.number, version.effective_at))
            return redirect("staff:privacy_texts")
    return _render_page(request, **{form_name: form}, status=400)


def _published(number: int, effective_at: datetime) -> str:
    return _("Version %(number)d is published; it takes effect on %(date)s.") % {
        "number": number,
        "date": formats.date_format(timezone.localtime(effective_at), "DATETIME_FORMAT"),
    }


def _render_page(
    request: HttpRequest,
    *,
    notice_form: forms.Form | None = None,
    consent_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    current_notice = privacy_texts.current_notice(now)
    current_consent = privacy_texts.current_consent_text(now)
    preview_months = PreviewForm(request.GET).months_or_default()
    if consent_form is None:
        consent_form = PublishConsentTextForm(
            initial={"months": preview_months}, prefix=CONSENT_PREFIX
        )
    languages = dict(settings.LANGUAGES)
    # The stored texts are shown on the public page (linked); here only their fingerprints.
    notices = (
        selectors.notice_versions(now=now, include_scheduled=True)
        .select_related("published_by")
        .defer("texts")
    )
    consent_texts = selectors.consent_text_versions()
    # What a notice published now would say; the current one is outdated if it differs.
    configuration = privacy_texts.notice_snapshot(effective_at=now, now=now)
    context = {
        "notices": [
            (
                version,
                _status(version.number, version.effective_at, current_notice.number, now),
                [(languages.get(code, code), digest) for code, digest in version.sha256.items()],
            )
            for version in notices
        ],
        "consent_texts": [
            (
                version,
                _status(version.number, version.effective_at, current_consent.number, now),
                [(languages.get(code, code), text) for code, text in version.texts.items()],
            )
            for version in consent_texts
        ],
        "current_notice": current_notice,
        "current_consent": current_consent,
        "consent_outdated": privacy_texts.consent_text_is_outdated(current_consent),
        "notice_outdated": privacy_texts.notice_is_outdated(current_notice, now=now),
        "configuration": configuration,
        "notice_form": notice_form or PublishNoticeForm(prefix=NOTICE_PREFIX),
        "consent_form": consent_form,
        "preview_months": preview_months,
        "preview": [
            (languages.get(code, code), text)
            for code, text in privacy_texts.preview_consent_texts(preview_months).items()
        ],
    }
    return render(request, "staff/privacy_texts.html", context, status=status)


def _status(number: int, effective_at: datetime, current: int, now: datetime) -> str:
    """ "current", "scheduled" or "earlier", for the badge beside a version."""
    if number == current:
        return "current"
    return "scheduled" if effective_at > now else "earlier"
