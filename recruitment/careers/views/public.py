"""Public careers pages: the list of open postings and the application form. No login."""

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from ats import throttling
from recruitment.careers import selectors, structured_data
from recruitment.careers.forms import ApplicationForm
from recruitment.careers.services import (
    ApplicantData,
    ApplicationNotSaved,
    DuplicateApplication,
    PostingNotOpen,
    TextVersionNotValid,
    submit_application,
)
from recruitment.models import Posting
from recruitment.notices import services as privacy_texts

DETAIL_TEMPLATE = "careers/posting_detail.html"


@require_GET
def posting_list(request: HttpRequest) -> HttpResponse:
    postings = selectors.open_postings()
    return render(request, "careers/posting_list.html", {"postings": postings})


@require_http_methods(["GET", "POST"])
def posting_detail(request: HttpRequest, slug: str) -> HttpResponse:
    posting = get_object_or_404(selectors.public_postings(), slug=slug)
    if request.method == "POST":
        return _apply(request, posting)
    if not posting.accepts_applications:
        return render(request, DETAIL_TEMPLATE, {"posting": posting, "form": None})
    return _render_form(
        request, posting, ApplicationForm(initial={"source": _linked_source(request)})
    )


def _linked_source(request: HttpRequest) -> str:
    """The allow-listed source the posting link names (`?source=`, else `utm_source=`), or the
    careers site. The form carries it to the POST, where the service checks it again."""
    return selectors.tracked_source(request.GET.get("source") or request.GET.get("utm_source"))


def _render_form(
    request: HttpRequest,
    posting: Posting,
    form: ApplicationForm,
    *,
    status: int = 200,
    not_saved: bool = False,
) -> HttpResponse:
    """The posting with its form, showing the notice and consent text in effect now: the
    versions the hidden fields then carry back (two queries; none on a successful POST)."""
    now = timezone.now()
    try:
        form.show_versions(
            notice=privacy_texts.current_notice(now),
            consent_text=privacy_texts.current_consent_text(now),
        )
    except DatabaseError:
        # The database is what failed (the "not saved" page): the form keeps the configured
        # texts and carries no version, so the next attempt records the versions then in
        # effect, which is what it shows.
        if not not_saved:
            raise
    context = {"posting": posting, "form": form, "not_saved": not_saved}
    # Job boards' and search engines' view of the posting (none once it takes no more).
    context["job_posting_json"] = structured_data.as_json(structured_data.job_posting(posting))
    return render(request, DETAIL_TEMPLATE, context, status=status)


def _apply(request: HttpRequest, posting: Posting) -> HttpResponse:
    if not posting.accepts_applications:
        return _render_closed(request, posting)
    allowed, retry_after = throttling.hit("apply", request, rate=settings.APPLY_RATE_LIMIT)
    if not allowed:
        response = render(request, "careers/rate_limited.html", {"posting": posting}, status=429)
        response["Retry-After"] = str(retry_after)
        return response

    form = ApplicationForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_form(request, posting, form, status=400)
    data = form.cleaned_data
    applicant = ApplicantData(
        full_name=data["full_name"].strip(),
        email=data["email"],
        phone=data["phone"].strip(),
        cover_letter=data["cover_letter"],
        consents_to_talent_pool=data["talent_pool_consent"],
        language=get_language() or settings.LANGUAGE_CODE,
        notice_version=data["notice_version"],
        consent_text_version=data["consent_text_version"],
        source=data["source"],
    )
    try:
        submit_application(
            posting=posting,
            applicant=applicant,
            cv=data["cv"],
            cv_filename=data["cv"].name or "",
            inspected=form.inspected_cv_or_error(),
        )
    except PostingNotOpen:
        return _render_closed(request, posting)
    except DuplicateApplication:
        # The same answer as for a first application: whoever typed the address may not
        # own it, and must not learn that it applied (P22). Its owner has been emailed.
        pass
    except TextVersionNotValid:
        form.add_error(None, ApplicationForm.VERSIONS_NOT_VALID)
        return _render_form(request, posting, form, status=400)
    except ApplicationNotSaved:
        return _render_form(request, posting, form, status=503, not_saved=True)
    return redirect("careers:applied", slug=posting.slug)


def _render_closed(request: HttpRequest, posting: Posting) -> HttpResponse:
    # 410: the posting exists but no longer takes applications; the page says so.
    return render(request, DETAIL_TEMPLATE, {"posting": posting, "form": None}, status=410)


@require_GET
def applied(request: HttpRequest, slug: str) -> HttpResponse:
    posting = get_object_or_404(selectors.public_postings(), slug=slug)
    return render(request, "careers/applied.html", {"posting": posting})
