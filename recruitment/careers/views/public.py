"""Public careers pages: the list of open postings and the application form. No login.

An invitation from the talent pool (recruitment.pool) links here: its link is checked (not
spent: it works until the person applies through it), remembered in the visitor's session,
and the visitor lands on the posting's page at a URL without the token, where the form is
filled in with the details the pool keeps and offers the CV it keeps. Those pages are
personal: never cached; the link's own response sends no referrer.
"""

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from ats import throttling
from recruitment.careers import selectors, structured_data
from recruitment.careers.forms import ApplicationForm
from recruitment.careers.services import (
    ApplicantData,
    ApplicationNotSaved,
    DuplicateApplication,
    PoolCvNotAvailable,
    PostingNotOpen,
    TextVersionNotValid,
    submit_application,
)
from recruitment.models import CurriculumVitae, Invitation, Posting
from recruitment.notices import services as privacy_texts
from recruitment.pool import selectors as pool
from recruitment.questions import selectors as questions
from recruitment.questions.services import AnswersRefused, QuestionsChanged

DETAIL_TEMPLATE = "careers/posting_detail.html"
# The session's note of the invitation the visitor came with (its id, never the token).
INVITATION_KEY = "careers_invitation"
POOL_CV_NOT_AVAILABLE = _(
    "Your earlier CV can be used only with the email address the invitation was sent to, "
    "while we still keep it. Please upload your CV."
)


@require_GET
def posting_list(request: HttpRequest) -> HttpResponse:
    postings = selectors.open_postings()
    return render(request, "careers/posting_list.html", {"postings": postings})


@require_GET
def invitation_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link of an invitation email (see the module docstring). A link that does not
    work (wrong, used, expired, the posting closed, the person erased) gets one page
    saying so, whatever the reason. Side effect: the invitation's id in the session."""
    invitation = pool.open_invitation_by_token(token, now=timezone.now())
    if invitation is None:
        response = render(request, "careers/invitation_invalid.html", status=404)
    else:
        request.session[INVITATION_KEY] = str(invitation.pk)
        response = redirect("careers:posting_detail", slug=invitation.posting.slug)
    add_never_cache_headers(response)
    # The token is in this URL: nothing may name it onwards.
    response["Referrer-Policy"] = "no-referrer"
    return response


def _session_invitation(request: HttpRequest, posting: Posting) -> Invitation | None:
    """The open invitation to `posting` the visitor came with, if any."""
    return pool.open_invitation(
        request.session.get(INVITATION_KEY), posting=posting, now=timezone.now()
    )


def _offered_cv(invitation: Invitation | None) -> CurriculumVitae | None:
    return pool.invitation_cv(invitation, now=timezone.now()) if invitation else None


@require_http_methods(["GET", "POST"])
def posting_detail(request: HttpRequest, slug: str) -> HttpResponse:
    posting = get_object_or_404(selectors.public_postings(), slug=slug)
    if request.method == "POST":
        return _apply(request, posting)
    if not posting.accepts_applications:
        return render(request, DETAIL_TEMPLATE, {"posting": posting, "form": None})
    initial = {"source": _linked_source(request)}
    invitation = _session_invitation(request, posting)
    if invitation is not None:
        person = invitation.candidate
        initial.update(full_name=person.full_name, email=person.email, phone=person.phone)
    form = ApplicationForm(
        initial=initial,
        offered_cv=_offered_cv(invitation),
        questions=questions.asked_by(posting),
    )
    return _render_form(request, posting, form, invitation=invitation)


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
    invitation: Invitation | None = None,
) -> HttpResponse:
    """The posting with its form, showing the notice and consent text in effect now: the
    versions the hidden fields then carry back (two queries; none on a successful POST)."""
    now = timezone.now()
    form.show_questions_now()
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
    context = {"posting": posting, "form": form, "not_saved": not_saved, "invitation": invitation}
    # Job boards' and search engines' view of the posting (none once it takes no more).
    context["job_posting_json"] = structured_data.as_json(structured_data.job_posting(posting))
    response = render(request, DETAIL_TEMPLATE, context, status=status)
    if invitation is not None:
        # Filled in with the person's details: never kept by a cache. (Its URL is the
        # posting's, so the site's same-origin referrer policy stands: "no-referrer" would
        # make browsers send `Origin: null` with the form, which CSRF rightly refuses.)
        add_never_cache_headers(response)
    return response


def _apply(request: HttpRequest, posting: Posting) -> HttpResponse:
    if not posting.accepts_applications:
        return _render_closed(request, posting)
    allowed, retry_after = throttling.hit("apply", request, rate=settings.APPLY_RATE_LIMIT)
    if not allowed:
        response = render(request, "careers/rate_limited.html", {"posting": posting}, status=429)
        response["Retry-After"] = str(retry_after)
        return response

    invitation = _session_invitation(request, posting)
    form = ApplicationForm(
        request.POST,
        request.FILES,
        offered_cv=_offered_cv(invitation),
        questions=questions.asked_by(posting),
    )
    if not form.is_valid():
        return _render_form(request, posting, form, status=400, invitation=invitation)
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
        answers=form.given_answers(),
    )
    reuse = form.uses_pool_cv()
    try:
        submit_application(
            posting=posting,
            applicant=applicant,
            cv=None if reuse else data["cv"],
            cv_filename="" if reuse else data["cv"].name or "",
            inspected=None if reuse else form.inspected_cv_or_error(),
            invitation=invitation,
            pool_cv=form.offered_cv if reuse else None,
        )
    except PoolCvNotAvailable:
        form.add_error("cv", POOL_CV_NOT_AVAILABLE)
        return _render_form(request, posting, form, status=400, invitation=invitation)
    except PostingNotOpen:
        return _render_closed(request, posting)
    except QuestionsChanged as changed:
        # Shown again with the questions in force now; nothing was stored.
        # (What was typed stays; the answers are checked against the new questions.)
        fresh = ApplicationForm(
            request.POST,
            offered_cv=form.offered_cv,
            questions=questions.asked_by(posting, fresh=True),
        )
        fresh.is_valid()
        fresh.add_error(None, str(changed.message))
        return _render_form(request, posting, fresh, status=409, invitation=invitation)
    except AnswersRefused as refused:
        for question_id, message in refused.errors.items():
            form.add_error(f"question_{question_id}", message)
        form.add_error(None, str(refused.message))
        return _render_form(request, posting, form, status=400, invitation=invitation)
    except DuplicateApplication:
        # The same answer as for a first application: whoever typed the address may not
        # own it, and must not learn that it applied (P22). Its owner has been emailed.
        pass
    except TextVersionNotValid:
        form.add_error(None, ApplicationForm.VERSIONS_NOT_VALID)
        return _render_form(request, posting, form, status=400, invitation=invitation)
    except ApplicationNotSaved:
        return _render_form(
            request, posting, form, status=503, not_saved=True, invitation=invitation
        )
    request.session.pop(INVITATION_KEY, None)
    return redirect("careers:applied", slug=posting.slug)


def _render_closed(request: HttpRequest, posting: Posting) -> HttpResponse:
    # 410: the posting exists but no longer takes applications; the page says so.
    return render(request, DETAIL_TEMPLATE, {"posting": posting, "form": None}, status=410)


@require_GET
def applied(request: HttpRequest, slug: str) -> HttpResponse:
    posting = get_object_or_404(selectors.public_postings(), slug=slug)
    return render(request, "careers/applied.html", {"posting": posting})
